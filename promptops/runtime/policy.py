"""The trust policy (``policies/signers.yaml``): keys, and the roles that use them.

Three roles, as TUF separates them: ``root`` may change the policy (sign the next
``trust/N.json``), ``release`` approves content (signs release manifests), ``channel``
is the online key automation holds (signs channel pointers only). The single-role form of
earlier versions (``threshold`` + ``signers``) keeps working: one role serving all three.

Trusted core, no I/O. Standard library and ``cryptography`` only.
"""

import binascii
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from promptops.errors import SignatureError
from promptops.runtime._fields import HEX64, format_time
from promptops.runtime.digest import sha256_hex

__all__ = [
    "MAX_TRUST_BYTES",
    "ROLES",
    "Role",
    "TrustRoot",
    "TrustedKey",
    "keyid_of",
    "raw_public_bytes",
    "trust_document",
]

ROLES = ("root", "release", "channel")
# A policy lists a handful of keys; a trust version near this is "endless data".
MAX_TRUST_BYTES = 256 * 1024


def raw_public_bytes(key: Ed25519PublicKey) -> bytes:
    # public_bytes_raw(): the serialization module (~8 ms of import) stays off the cold start
    return key.public_bytes_raw()


def keyid_of(key: Ed25519PublicKey) -> str:
    """Key id: hex sha256 of the raw 32-byte public key."""
    return sha256_hex(raw_public_bytes(key))


def _parse_time(value: Any, what: str) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise SignatureError(f"trust root: {what} is not an ISO 8601 time: {value!r}") from exc
    else:
        raise SignatureError(f"trust root: {what} is not a time: {value!r}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _threshold(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SignatureError(f"trust root: {where} must be an integer >= 1, not {value!r}")
    return value


class TrustedKey(NamedTuple):
    """One signer's public key (raw 32 bytes) and the window in which its signatures count.

    The key object is built when a signature by it is first checked: walking a trust
    chain parses every signer of every version, and most of them never sign there.
    """

    keyid: str
    raw: bytes
    name: str = ""
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    revoked: bool = False

    @property
    def public_key(self) -> Ed25519PublicKey:
        key = _KEY_OBJECTS.get(self.raw)
        if key is None:
            key = _KEY_OBJECTS[self.raw] = Ed25519PublicKey.from_public_bytes(self.raw)
        return key

    @classmethod
    def from_dict(cls, entry: Mapping[str, Any]) -> "TrustedKey":
        """Build from a ``policies/signers.yaml`` entry (already parsed to a mapping).

        Raises:
            SignatureError: if the key is malformed or its key id does not match it.
        """
        if not isinstance(entry, Mapping):
            raise SignatureError(f"trust root: a signer entry is not a mapping: {entry!r}")
        # The same entries recur in every version of a trust chain: parse each once per
        # process (pure parsing: the signatures are still checked every time).
        memo = _entry_key(entry)
        known = _PARSED.get(memo) if memo is not None else None
        if known is not None:
            return known
        parsed = cls._from_dict(entry)
        if memo is not None and len(_PARSED) < _MAX_PARSED:
            _PARSED[memo] = parsed
        return parsed

    @classmethod
    def _from_dict(cls, entry: Mapping[str, Any]) -> "TrustedKey":
        name = str(entry.get("name", ""))
        if entry.get("scheme", "ed25519") != "ed25519":
            raise SignatureError(
                f"trust root: signer {name!r} has scheme {entry.get('scheme')!r}; only "
                "'ed25519' is supported"
            )
        try:
            raw = binascii.a2b_base64(str(entry["public_key"]), strict_mode=True)
        except (KeyError, ValueError, binascii.Error):
            raw = b""
        if len(raw) != 32:  # an Ed25519 public key is 32 bytes; its point is checked on use
            raise SignatureError(
                f"trust root: signer {name!r} has no valid base64 Ed25519 public_key"
            )
        keyid = sha256_hex(raw)
        declared = entry.get("keyid")
        if declared is not None and declared != keyid:
            raise SignatureError(
                f"trust root: signer {name!r} declares keyid {declared}, "
                f"but its public key hashes to {keyid}"
            )
        return cls(
            keyid=keyid,
            raw=raw,
            name=name,
            not_before=_parse_time(entry.get("not_before"), f"signer {name!r} not_before"),
            not_after=_parse_time(entry.get("not_after"), f"signer {name!r} not_after"),
            revoked=entry.get("revoked", False) is True,
        )

    def label(self) -> str:
        """``key 1a2b3c4d5e6f (alice)``, for messages."""
        return f"key {self.keyid[:12]} ({self.name})" if self.name else f"key {self.keyid[:12]}"


_PARSED: dict[tuple[Any, ...], TrustedKey] = {}
_KEY_OBJECTS: dict[bytes, Ed25519PublicKey] = {}
_MAX_PARSED = 4096
_ENTRY_FIELDS = ("name", "public_key", "keyid", "scheme", "not_before", "not_after", "revoked")


def _entry_key(entry: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """A hashable key for an entry made of plain scalars (None if it holds anything else)."""
    values = tuple(entry.get(k) for k in _ENTRY_FIELDS)
    if all(v is None or type(v) in (str, bool, int) for v in values):
        return values
    return None


class Role(NamedTuple):
    """The keys of one role and how many distinct ones must sign."""

    name: str
    keys: Mapping[str, TrustedKey]
    threshold: int


def _unique(keys: Iterable[TrustedKey]) -> dict[str, TrustedKey]:
    """Key id -> key; a key id or a name listed twice is an error, never "last one wins"
    (a second entry could otherwise undo a ``revoked: true``)."""
    by_id: dict[str, TrustedKey] = {}
    by_name: dict[str, TrustedKey] = {}
    for key in keys:
        if key.keyid in by_id:
            raise SignatureError(
                f"trust root: key id {key.keyid[:12]} is listed twice (signers "
                f"{by_id[key.keyid].name!r} and {key.name!r}); list each key once"
            )
        if key.name and key.name in by_name:
            raise SignatureError(
                f"trust root: signer name {key.name!r} is used by two keys; names must be unique"
            )
        by_id[key.keyid] = key
        if key.name:
            by_name[key.name] = key
    return by_id


class TrustRoot(NamedTuple):
    """A trust policy: its roles, its version in the trust chain and the chain's identity.

    ``chain`` identifies the chain this version belongs to (the hash of its first version),
    so that rollback memory follows the trust root, not the URL it was fetched from.
    """

    roles: Mapping[str, Role]
    signers: Mapping[str, TrustedKey]
    version: int = 1
    chain: str = ""
    single_role: bool = True

    @property
    def keys(self) -> Mapping[str, TrustedKey]:
        """Every listed key (in a role or not), by key id."""
        return self.signers

    @property
    def root(self) -> Role:
        return self.roles["root"]

    @property
    def release(self) -> Role:
        return self.roles["release"]

    @property
    def channel(self) -> Role:
        return self.roles["channel"]

    def name_of(self, keyid: str) -> str:
        """The signer name of ``keyid``, or its first 12 hex digits."""
        key = self.keys.get(keyid)
        return key.name if key is not None and key.name else keyid[:12]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "TrustRoot":
        """Build from the shape of ``policies/signers.yaml``: ``{version, signers, roles}``
        or the single-role ``{threshold, signers}``.

        Raises:
            SignatureError: if the trust root is malformed.
        """
        if not isinstance(data, Mapping):
            raise SignatureError("trust root: expected a mapping with 'signers'")
        signers = data.get("signers")
        if not isinstance(signers, list):
            raise SignatureError("trust root: expected a list under 'signers'")
        keys = _unique(TrustedKey.from_dict(s) for s in signers)
        version = _threshold(data.get("version", 1), "version")
        chain = _chain(data.get("chain"), version)
        roles_data = data.get("roles")
        if roles_data is None:
            threshold = _threshold(data.get("threshold", 1), "threshold")
            roles = {name: Role(name, keys, threshold) for name in ROLES}
            root = cls(roles, keys, version=version, chain=chain, single_role=True)
        else:
            if "threshold" in data:
                raise SignatureError(
                    "trust root: a top-level 'threshold' and 'roles' together are ambiguous; "
                    "give each role its own threshold"
                )
            root = cls(_roles(roles_data, keys), keys, version, chain, single_role=False)
        return root if chain else root._replace(chain=sha256_hex(_canonical(trust_document(root))))

    @classmethod
    def from_keys(cls, keys: Iterable[Ed25519PublicKey], threshold: int = 1) -> "TrustRoot":
        """Trust exactly these public keys for every role, with no validity window.

        Raises:
            SignatureError: if ``threshold`` is below 1 or a key is listed twice.
        """
        trusted = _unique(TrustedKey(keyid=keyid_of(k), raw=raw_public_bytes(k)) for k in keys)
        threshold = _threshold(threshold, "threshold")
        roles = {name: Role(name, trusted, threshold) for name in ROLES}
        root = cls(roles, trusted)
        return root._replace(chain=sha256_hex(_canonical(trust_document(root))))


def _chain(value: Any, version: int) -> str:
    """The declared chain identity: none on version 1 (its own hash is the identity), the
    identity of version 1 on every later version (``promptops trust rotate`` writes it)."""
    if version == 1:
        if value is not None:
            raise SignatureError(
                "trust root: version 1 starts a chain and must not name one ('chain')"
            )
        return ""
    if not isinstance(value, str) or not HEX64.match(value):
        raise SignatureError(
            f"trust root: version {version} must name its chain (64 hex digits, written by "
            f"promptops trust rotate), found {value!r}"
        )
    return value


def _roles(data: Any, keys: Mapping[str, TrustedKey]) -> dict[str, Role]:
    if not isinstance(data, Mapping):
        raise SignatureError("trust root: 'roles' must map root, release and channel to roles")
    unknown = sorted(set(data) - set(ROLES))
    if unknown:
        raise SignatureError(f"trust root: unknown role {unknown[0]!r}; roles are {ROLES}")
    by_name = {k.name: k for k in keys.values() if k.name}
    roles: dict[str, Role] = {}
    for name in ROLES:
        spec = data.get(name)
        if not isinstance(spec, Mapping) or not isinstance(spec.get("signers"), list):
            raise SignatureError(
                f"trust root: role {name!r} is missing; give it 'threshold' and 'signers'"
            )
        members: dict[str, TrustedKey] = {}
        for signer in spec["signers"]:
            key = by_name.get(signer) if isinstance(signer, str) else None
            if key is None:
                raise SignatureError(
                    f"trust root: role {name!r} names signer {signer!r}, which 'signers' "
                    "does not list"
                )
            members[key.keyid] = key
        threshold = _threshold(spec.get("threshold", 1), f"role {name!r} threshold")
        if threshold > len(members):
            raise SignatureError(
                f"trust root: role {name!r} needs {threshold} signatures but lists "
                f"{len(members)} signer(s); it could never sign: name at least {threshold} "
                f"of 'signers' in roles.{name}.signers"
            )
        roles[name] = Role(name, members, threshold)
    return roles


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _key_document(key: TrustedKey) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": key.name,
        "keyid": key.keyid,
        "public_key": binascii.b2a_base64(key.raw, newline=False).decode("ascii"),
        "scheme": "ed25519",
        "revoked": key.revoked,
    }
    if key.not_before is not None:
        doc["not_before"] = format_time(key.not_before)
    if key.not_after is not None:
        doc["not_after"] = format_time(key.not_after)
    return doc


def trust_document(root: TrustRoot) -> dict[str, Any]:
    """``root`` as the normalised document a ``trust/N.json`` payload holds.

    Two spellings of one policy (YAML converted to JSON, a signed trust version) give the
    same document, so they hash to the same chain identity.
    """
    doc: dict[str, Any] = {
        "version": root.version,
        "signers": [_key_document(k) for k in root.signers.values()],
    }
    if root.version > 1:
        doc["chain"] = root.chain
    if root.single_role:
        doc["threshold"] = root.release.threshold
    else:
        doc["roles"] = {
            name: {
                "threshold": role.threshold,
                "signers": [k.name for k in role.keys.values()],
            }
            for name, role in root.roles.items()
        }
    return doc
