"""Read trust policies: a signers file, and the trust policy in force in a repository
(its newest verified ``policies/trust/N.json``, or ``policies/signers.yaml`` before the
chain starts), from the working tree or from any git ref."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptops.errors import BundleError, SignatureError, UsageError
from promptops.runtime.policy import TrustRoot
from promptops.runtime.trust_chain import TRUST_PAYLOAD_TYPE, verify_trust_root, walk_chain

if TYPE_CHECKING:
    from promptops.spec import SignersFile

__all__ = [
    "MAX_TRUST_BYTES",
    "SIGNERS_PATH",
    "TRUST_DIR",
    "load_trust",
    "parse_signers",
    "policy_in_force",
    "read_chain",
    "trust_from_signers",
    "verify_chain",
]

MAX_TRUST_BYTES = 1024 * 1024
SIGNERS_PATH = "policies/signers.yaml"
TRUST_DIR = "policies/trust"


def trust_from_signers(signers: SignersFile, source: str = "signers") -> TrustRoot:
    """The trust root a validated signers file describes.

    Raises:
        UsageError: if it is not a usable trust policy (a key id that does not match its
            key, a key listed twice, a role that could never sign, ...).
    """
    try:
        return TrustRoot.from_dict(signers.document())
    except SignatureError as exc:
        raise UsageError(f"{source}: {exc}") from exc


def parse_signers(text: str, source: str, *, as_json: bool = False) -> SignersFile:
    """Parse and validate the text of a signers file.

    Raises:
        UsageError: if it is not valid YAML (or JSON) or not a signers file.
    """
    import pydantic

    from promptops.spec import SignersFile
    from promptops.spec.header import split_header

    data = _load_text(text, source, as_json)
    try:
        # The ``promptops:`` version header is no part of the document (ADR 0014).
        return SignersFile.model_validate(split_header(data)[1])
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise UsageError(f"{source}: {where}: {first['msg']}; expected a signers file") from exc


def _load_text(text: str, source: str, as_json: bool) -> Any:
    if as_json:
        try:
            return json.loads(text)
        except ValueError as exc:
            raise UsageError(f"{source}: not valid JSON ({exc})") from exc
    import yaml  # a YAML signers file only: a JSON trust root never loads PyYAML (~8 ms)

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (ValueError, yaml.YAMLError) as exc:
        raise UsageError(f"{source}: not valid YAML ({exc})") from exc


_TOP = {"version": int, "chain": str, "threshold": int, "signers": list, "roles": dict}
_SIGNER = {"name": str, "keyid": str, "public_key": str, "scheme": str, "revoked": bool}
_ROLE = {"threshold": int, "signers": list}


def _plain(value: Any, fields: dict[str, type], required: tuple[str, ...] = ()) -> bool:
    """Whether ``value`` is a mapping of exactly these field types (no coercion to do)."""
    return (
        isinstance(value, dict)
        and all(k in value for k in required)
        and all(k in fields and type(v) is fields[k] for k, v in value.items())
    )


def _plain_signers(doc: Any) -> dict[str, Any] | None:
    """``doc`` if it is a signers file in its plain form: only known keys, each of exactly
    its type, no header and no dates. The model would take it as it is (nothing to coerce,
    no default that differs from the trust root's), so ``TrustRoot.from_dict`` reads it
    directly and ``promptops verify`` never imports pydantic and the specs (issue 16).
    Anything else returns None: the model reads it, with its exact messages (as it does
    a plain file the trust root refuses).
    """
    if not _plain(doc, _TOP, ("signers",)):
        return None
    if not all(_plain(s, _SIGNER, ("name", "keyid", "public_key")) for s in doc["signers"]):
        return None
    roles = doc.get("roles")
    if roles is not None and not (
        set(roles) == {"root", "release", "channel"}
        and all(
            _plain(r, _ROLE, ("signers",)) and all(type(n) is str for n in r["signers"])
            for r in roles.values()
        )
    ):
        return None
    return dict(doc)


def load_trust(path: Path) -> TrustRoot:
    """Load ``path``: a signers file (``.json`` as JSON, anything else as YAML), or a signed
    trust version (``policies/trust/N.json``, checked against its own root role).

    Raises:
        UsageError: if the file is missing, oversized, unparsable or not a trust policy.
    """
    try:
        size = path.stat().st_size
        if size > MAX_TRUST_BYTES:
            raise UsageError(f"{path}: {size} bytes exceeds the limit of {MAX_TRUST_BYTES}")
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(
            f"{path}: cannot read the trust root ({exc.strerror}); pass --trust FILE"
        ) from exc
    if path.suffix == ".json" and TRUST_PAYLOAD_TYPE.encode() in data:
        try:
            return verify_trust_root(data).root
        except BundleError as exc:
            raise UsageError(f"{path}: {exc}") from exc
    text, as_json = data.decode("utf-8", "replace"), path.suffix == ".json"
    plain = _plain_signers(_load_text(text, str(path), as_json))
    if plain is not None and plain["signers"]:
        try:
            return TrustRoot.from_dict(plain)
        except SignatureError:
            pass  # the model's message for it (or this same one) below
    signers = parse_signers(text, str(path), as_json=as_json)
    if not signers.signers:
        raise UsageError(f"{path}: lists no signers; add one with promptops keygen")
    return trust_from_signers(signers, str(path))


def _read(root: Path, ref: str | None, rel: str) -> bytes | None:
    if ref is None:
        try:
            return (root / rel).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise UsageError(f"{root / rel}: cannot read ({exc.strerror})") from exc
    from promptops.release import _git  # git only for a ref: verify never runs it

    return _git.blob(root, f"{ref}:./{rel}")


def read_chain(root: Path, ref: str | None = None) -> dict[int, bytes]:
    """The files of ``policies/trust/`` (working tree, or commit ``ref``) by version."""
    if ref is None:
        folder = root / TRUST_DIR
        names = [p.name for p in folder.glob("*.json")] if folder.is_dir() else []
    else:
        from promptops.release import _git

        listing = _git.git(root, "ls-tree", "--name-only", f"{ref}:./{TRUST_DIR}", check=False)
        names = listing.stdout.split() if listing.returncode == 0 else []
    out: dict[int, bytes] = {}
    for name in names:
        stem = name[: -len(".json")]
        if name.endswith(".json") and stem.isdigit() and not stem.startswith("0"):
            data = _read(root, ref, f"{TRUST_DIR}/{name}")
            if data is not None:
                out[int(stem)] = data
    return out


def verify_chain(chain: dict[int, bytes], where: str = TRUST_DIR) -> TrustRoot | None:
    """The newest version of ``chain`` that verifies from version 1 on, or None if empty.

    Raises:
        UsageError: if version 1 is missing or does not verify (nothing is in force then).
    """
    walk = walk_chain(chain)
    if walk.problem is not None and not walk.verified:
        raise UsageError(f"{where}/1.json: {walk.problem}") from walk.problem
    # A pending (not yet fully signed) version is not in force.
    return walk.newest


def policy_in_force(root: Path, ref: str | None = None) -> TrustRoot | None:
    """The trust policy in force in the repository at ``root`` (its working tree, or commit
    ``ref``): the newest verified trust version, else ``policies/signers.yaml``, else None.

    Raises:
        UsageError: if the policy exists but is not usable.
    """
    newest = verify_chain(read_chain(root, ref))
    if newest is not None:
        return newest
    data = _read(root, ref, SIGNERS_PATH)
    if data is None:
        return None
    where = f"{ref}:{SIGNERS_PATH}" if ref else str(root / SIGNERS_PATH)
    signers = parse_signers(data.decode("utf-8", "replace"), where)
    return trust_from_signers(signers, where) if signers.signers else None
