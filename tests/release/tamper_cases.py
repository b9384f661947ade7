"""The tamper table: every way a release can be forged or broken, and the exact refusal.

Reusable on purpose: the runtime's tests run the same table through the runtime loader
(write ``Artifacts`` to a directory, open it with ``trust`` at ``now``, expect ``error``
whose message matches ``message`` with ``re.search``). :func:`verify_artifacts` is the
reference check chain, the one ``promptops verify`` and the runtime both follow.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.canonical import canonical_bytes, sha256_hex
from promptops.errors import BundleError, ExpiredError, RollbackError, SignatureError
from promptops.release.manifest import (
    PointerSpec,
    ReleaseSpec,
    envelope_bytes,
    sign_manifest,
    sign_pointer,
)
from promptops.runtime.dsse import (
    MAX_ENVELOPE_BYTES,
    STATEMENT_PAYLOAD_TYPE,
    TrustRoot,
    raw_public_bytes,
)
from promptops.runtime.trust import (
    CHANNEL_PAYLOAD_TYPE,
    ReleaseManifest,
    check_not_rolled_back,
    check_pointer_matches,
    verify_channel_pointer,
    verify_release,
)

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
CREATED = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
EXPIRES = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
COMMIT_A = "a" * 40
COMMIT_B = "b" * 40
HEX12 = "[0-9a-f]{12}"
HEX16 = r"[0-9a-f]{16}\.\.\."


def make_bundle(prompts: Mapping[str, Mapping[str, Any]], commit: str | None) -> bytes:
    """A bundle in the ADR 0002 layout (index of offsets into the prompts object)."""
    bodies = {pid: canonical_bytes(body) for pid, body in sorted(prompts.items())}
    index: dict[str, list[Any]] = {}
    offset = 1  # past the "{" opening the prompts object
    parts = []
    for pid, body in bodies.items():
        key = canonical_bytes(pid) + b":"
        offset += len(key)
        index[pid] = [offset, len(body), sha256_hex(body)]
        parts.append(key + body)
        offset += len(body) + 1  # the "," or closing "}"
    prompts_bytes = b"{" + b",".join(parts) + b"}"
    source = canonical_bytes({"commit": commit, "dirty": False, "tree": None})
    return (
        b'{"format":"promptops.bundle/v1","index":'
        + canonical_bytes(index)
        + b',"prompts":'
        + prompts_bytes
        + b',"source":'
        + source
        + b"}"
    )


def prompt_digests(bundle: bytes) -> dict[str, str]:
    return {pid: entry[2] for pid, entry in json.loads(bundle)["index"].items()}


def _key(seed: int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)


def signer(name: str, key: Ed25519PrivateKey, **window: Any) -> dict[str, Any]:
    """A ``signers.yaml`` entry for ``key``, as the runtime reads it."""
    public = base64.b64encode(raw_public_bytes(key.public_key())).decode()
    return {"name": name, "public_key": public, **window}


@dataclass(frozen=True)
class Artifacts:
    """What a verifier is handed: bytes from the outside, a trust root and a clock."""

    envelope: bytes
    bundle: bytes
    trust: TrustRoot
    now: dt.datetime
    pointer: bytes | None = None
    highest_seen: int | None = None


@dataclass(frozen=True)
class World:
    """Two trusted keys (alice, bob), one stranger (mallory), releases v1 (A) and v2 (B);
    ``roles()`` adds the channel key ci and splits the roles as TUF does."""

    alice: Ed25519PrivateKey
    bob: Ed25519PrivateKey
    mallory: Ed25519PrivateKey
    spec: ReleaseSpec
    bundle: bytes
    bundle_b: bytes
    ci: Ed25519PrivateKey

    def trust(self, threshold: int = 1, **alice: Any) -> TrustRoot:
        """One role for everything (the single-role form)."""
        signers = [signer("alice", self.alice, **alice), signer("bob", self.bob)]
        return TrustRoot.from_dict({"threshold": threshold, "signers": signers})

    def roles(self) -> TrustRoot:
        """root: alice; release: alice and bob; channel: ci."""
        signers = [signer("alice", self.alice), signer("bob", self.bob), signer("ci", self.ci)]
        roles = {
            "root": {"threshold": 1, "signers": ["alice"]},
            "release": {"threshold": 1, "signers": ["alice", "bob"]},
            "channel": {"threshold": 1, "signers": ["ci"]},
        }
        return TrustRoot.from_dict({"signers": signers, "roles": roles})

    def manifest(self, keys: list[Ed25519PrivateKey] | None = None) -> bytes:
        return sign_manifest(self.spec, self.bundle, keys or [self.alice])

    def pointer(self, key: Ed25519PrivateKey | None = None, **changes: Any) -> bytes:
        spec = PointerSpec(
            channel="production",
            release=self.spec.release,
            serial=self.spec.serial,
            bundle_sha256=sha256_hex(self.bundle),
            bundle_size=len(self.bundle),
            expires=EXPIRES,
        )
        return sign_pointer(replace(spec, **changes), [key or self.alice])

    def good(self) -> Artifacts:
        return Artifacts(self.manifest(), self.bundle, self.trust(), NOW)


def make_world() -> World:
    bundle = make_bundle(
        {
            "greet": {"id": "greet", "messages": [{"role": "user", "template": "Hello {{ n }}"}]},
            "bye": {"id": "bye", "messages": [{"role": "user", "template": "Goodbye"}]},
        },
        COMMIT_A,
    )
    bundle_b = make_bundle(
        {"greet": {"id": "greet", "messages": [{"role": "user", "template": "Hi {{ n }}"}]}},
        COMMIT_B,
    )
    spec = ReleaseSpec(
        release="v1",
        serial=1,
        commit=COMMIT_A,
        tree="c" * 40,
        prompts=prompt_digests(bundle),
        models={"default": "echo/echo-2024-01-01"},
        created=CREATED,
        expires=EXPIRES,
    )
    return World(_key(1), _key(2), _key(3), spec, bundle, bundle_b, _key(4))


def verify_artifacts(a: Artifacts) -> ReleaseManifest:
    """The full check chain: pointer, manifest, pointer/manifest match, rollback, bundle."""
    pointer = None
    if a.pointer is not None:
        pointer = verify_channel_pointer(a.pointer, a.trust, now=a.now)
    manifest = verify_release(a.envelope, a.bundle, a.trust, now=a.now)
    if pointer is not None:
        check_pointer_matches(pointer, manifest)
        check_not_rolled_back(pointer.channel, pointer.serial, a.highest_seen)
    return manifest


def _envelope(a: Artifacts) -> dict[str, Any]:
    env: dict[str, Any] = json.loads(a.envelope)
    return env


def _with_envelope(a: Artifacts, env: Mapping[str, Any]) -> Artifacts:
    return replace(a, envelope=json.dumps(env).encode())


def signed_statement(w: World, edit: Callable[[dict[str, Any]], Any]) -> Artifacts:
    statement = json.loads(w.spec.statement(w.bundle))
    edit(statement)
    env = envelope_bytes(canonical_bytes(statement), STATEMENT_PAYLOAD_TYPE, [w.alice])
    return replace(w.good(), envelope=env)


def _flip(bundle: bytes) -> bytes:
    at = bundle.index(b"Goodbye") + 1  # inside a prompt body: still valid JSON
    return bundle[:at] + bytes([bundle[at] ^ 0x01]) + bundle[at + 1 :]


def _set(d: dict[str, Any], key: str, value: Any) -> None:
    d[key] = value


def _set_subject_digest(statement: dict[str, Any]) -> None:
    statement["subject"][0]["digest"]["sha256"] = sha256_hex(b"other bytes")


def _other_page_digest(statement: dict[str, Any]) -> None:
    statement["predicate"]["prompts"]["pages"][0][2] = sha256_hex(b"another page")


def _swap_payload(a: Artifacts) -> Artifacts:
    env = _envelope(a)
    statement = json.loads(base64.b64decode(env["payload"]))
    statement["predicate"]["serial"] = 99
    env["payload"] = base64.b64encode(canonical_bytes(statement)).decode()
    return _with_envelope(a, env)


@dataclass(frozen=True)
class TamperCase:
    name: str
    mutate: Callable[[World], Artifacts]
    error: type[BundleError]
    message: str  # a regular expression, checked with re.search


def _case(name: str, error: type[BundleError], message: str) -> Callable[..., TamperCase]:
    def wrap(mutate: Callable[[World], Artifacts]) -> TamperCase:
        return TamperCase(name, mutate, error, message)

    return wrap


def _untrusted(role: str) -> str:
    return (
        rf"^envelope: 0 of 1 required signatures of the {role} role "
        rf"\(signature by untrusted key {HEX12}\)$"
    )


def _payload(statement: bytes, w: World) -> Artifacts:
    return replace(w.good(), envelope=envelope_bytes(statement, STATEMENT_PAYLOAD_TYPE, [w.alice]))


_DEEP = b"[" * 20000 + b"]" * 20000

CASES: list[TamperCase] = [
    _case(
        "flipped_byte_in_bundle",
        BundleError,
        rf"^bundle: sha256 {HEX16} does not match {HEX16} signed by release v1: "
        "the bundle was modified after signing$",
    )(lambda w: replace(w.good(), bundle=_flip(w.bundle))),
    _case(
        "truncated_bundle",
        BundleError,
        r"^bundle: \d+ bytes, but release v1 signs \d+ bytes: the bundle is truncated "
        r"\(an incomplete download\?\)$",
    )(lambda w: replace(w.good(), bundle=w.bundle[:-10])),
    _case(
        "appended_bytes",
        BundleError,
        r"^bundle: 5 unsigned bytes appended after the \d+ bytes release v1 signs$",
    )(lambda w: replace(w.good(), bundle=w.bundle + b"evil!")),
    _case("untrusted_key", SignatureError, _untrusted("release"))(
        lambda w: replace(w.good(), envelope=w.manifest([w.mallory]))
    ),
    _case(
        "below_threshold",
        SignatureError,
        r"^envelope: 1 of 2 required signatures of the release role "
        r"\(signatures from other trusted keys are needed\)$",
    )(lambda w: replace(w.good(), trust=w.trust(threshold=2))),
    _case(
        "same_key_twice",
        SignatureError,
        rf"^envelope: 1 of 2 required signatures of the release role \(key {HEX12} \(alice\) "
        r"signed more than once; counted once\)$",
    )(lambda w: Artifacts(w.manifest([w.alice, w.alice]), w.bundle, w.trust(threshold=2), NOW)),
    _case(
        "revoked_key",
        SignatureError,
        rf"\(key {HEX12} \(alice\) is revoked\)$",
    )(lambda w: replace(w.good(), trust=w.trust(revoked=True))),
    _case(
        "key_not_yet_valid",
        SignatureError,
        rf"\(key {HEX12} \(alice\) is not valid before 2026-06-02T12:00:00\+00:00\)$",
    )(lambda w: replace(w.good(), trust=w.trust(not_before=NOW + dt.timedelta(days=1)))),
    _case(
        "key_no_longer_valid",
        SignatureError,
        rf"\(key {HEX12} \(alice\) is not valid after 2026-05-31T12:00:00\+00:00\)$",
    )(lambda w: replace(w.good(), trust=w.trust(not_after=NOW - dt.timedelta(days=1)))),
    _case(
        "expired_release",
        ExpiredError,
        r"^release v1 \(serial 1\) expired at 2026-08-01T00:00:00Z; publish a new release$",
    )(lambda w: replace(w.good(), now=EXPIRES + dt.timedelta(seconds=1))),
    _case(
        "payload_type_swapped",
        BundleError,
        r"^envelope: payloadType is 'application/vnd\.promptops\.channel\+json', "
        r"expected 'application/vnd\.in-toto\+json'$",
    )(
        lambda w: _with_envelope(
            w.good(), {**_envelope(w.good()), "payloadType": CHANNEL_PAYLOAD_TYPE}
        )
    ),
    _case(
        "subject_digest_mismatch",
        BundleError,
        rf"^manifest: release v1 signs sha256 {HEX16}, but the bundle's sha256 is {HEX16} "
        "although its prompts match the manifest: the manifest was signed over different bytes$",
    )(lambda w: signed_statement(w, _set_subject_digest)),
    _case(
        "manifest_of_a_with_bundle_of_b",
        BundleError,
        r"^bundle: built from commit bbbbbbbbbbbb, but release v1 is for commit aaaaaaaaaaaa: "
        r"the bundle belongs to another release \(mix-and-match\)$",
    )(lambda w: replace(w.good(), bundle=w.bundle_b)),
    _case(
        "payload_not_json",
        BundleError,
        r"^manifest: not valid JSON \(",
    )(
        lambda w: replace(
            w.good(), envelope=envelope_bytes(b"{nope", STATEMENT_PAYLOAD_TYPE, [w.alice])
        )
    ),
    _case(
        "payload_not_a_statement",
        BundleError,
        r"^manifest: _type is 'https://example\.com/Other', "
        r"expected 'https://in-toto\.io/Statement/v1' \(not an in-toto Statement v1\)$",
    )(lambda w: signed_statement(w, lambda s: _set(s, "_type", "https://example.com/Other"))),
    _case(
        "wrong_predicate_type",
        BundleError,
        r"^manifest: predicateType is 'https://slsa\.dev/provenance/v1', "
        r"expected 'https://promptops\.dev/release/v2' \(not a promptops release\)$",
    )(
        lambda w: signed_statement(
            w, lambda s: _set(s, "predicateType", "https://slsa.dev/provenance/v1")
        )
    ),
    _case(
        "manifest_from_a_newer_promptops",
        BundleError,
        r"^manifest: predicateType is 'https://promptops\.dev/release/v3', "
        r"expected 'https://promptops\.dev/release/v2' \(a newer promptops wrote it: upgrade\)$",
    )(
        lambda w: signed_statement(
            w, lambda s: _set(s, "predicateType", "https://promptops.dev/release/v3")
        )
    ),
    _case(
        "page_table_of_another_bundle",
        BundleError,
        r"^bundle: index page 0 \(from 'bye'\) does not match the page the release signs: "
        r"release v1 signs this bundle with a page table that does not describe it; "
        r"re-release it$",
    )(lambda w: signed_statement(w, _other_page_digest)),
    _case(
        "page_table_malformed",
        BundleError,
        r"^manifest predicate: prompts 'pages' must be a list, empty only for 0 prompts$",
    )(lambda w: signed_statement(w, lambda s: _set(s["predicate"], "prompts", {"count": 2}))),
    _case(
        "oversized_envelope",
        BundleError,
        rf"^envelope: {MAX_ENVELOPE_BYTES + 1} bytes exceeds the limit of "
        rf"{MAX_ENVELOPE_BYTES} bytes$",
    )(lambda w: replace(w.good(), envelope=b" " * (MAX_ENVELOPE_BYTES + 1))),
    _case("malformed_base64", BundleError, r"^envelope: payload is malformed base64$")(
        lambda w: _with_envelope(w.good(), {**_envelope(w.good()), "payload": "@@not-base64@@"})
    ),
    _case("malformed_signature_base64", BundleError, r"^envelope: signature is malformed base64$")(
        lambda w: _with_envelope(
            w.good(),
            {**_envelope(w.good()), "signatures": [{"keyid": "00", "sig": "%%"}]},
        )
    ),
    _case("envelope_not_json", BundleError, r"^envelope: not valid JSON \(")(
        lambda w: replace(w.good(), envelope=b"\x00{not json")
    ),
    _case(
        "missing_signatures",
        SignatureError,
        r"^envelope: no signatures; sign it with a key from the trust root$",
    )(lambda w: _with_envelope(w.good(), {**_envelope(w.good()), "signatures": []})),
    _case(
        "payload_edited_after_signing",
        SignatureError,
        rf"\(invalid signature by key {HEX12} \(alice\)\)$",
    )(lambda w: _swap_payload(w.good())),
    _case(
        "channel_rolled_back",
        RollbackError,
        r"^channel 'production': serial 1 is lower than serial 2 already seen; "
        r"refusing a rollback",
    )(lambda w: replace(w.good(), pointer=w.pointer(), highest_seen=2)),
    _case(
        "channel_pointer_expired",
        ExpiredError,
        r"^channel 'production' pointer \(release v1, serial 1\) expired at "
        r"2026-05-02T00:00:00Z; re-sign it with promptops publish --refresh "
        r"\(a scheduled CI job\)$",
    )(lambda w: replace(w.good(), pointer=w.pointer(expires=CREATED + dt.timedelta(days=1)))),
    _case(
        "channel_points_elsewhere",
        BundleError,
        r"^channel 'production' names release v2, but the release manifest says v1: "
        r"pointer and release do not belong together \(mix-and-match\)$",
    )(lambda w: replace(w.good(), pointer=w.pointer(release="v2", serial=2))),
    _case(
        "channel_pointer_by_untrusted_key",
        SignatureError,
        _untrusted("channel"),
    )(
        lambda w: replace(
            w.good(),
            pointer=sign_pointer(
                PointerSpec("production", "v1", 1, sha256_hex(w.bundle), len(w.bundle), EXPIRES),
                [w.mallory],
            ),
        )
    ),
    _case(
        "manifest_signed_by_the_channel_key",
        SignatureError,
        rf"^envelope: 0 of 1 required signatures of the release role \(signature by key "
        rf"{HEX12} \(ci\), which the release role does not list\)$",
    )(lambda w: Artifacts(w.manifest([w.ci]), w.bundle, w.roles(), NOW)),
    _case(
        "pointer_signed_by_a_release_key",
        SignatureError,
        rf"^envelope: 0 of 1 required signatures of the channel role \(signature by key "
        rf"{HEX12} \(alice\), which the channel role does not list\)$",
    )(
        lambda w: Artifacts(
            w.manifest([w.alice]), w.bundle, w.roles(), NOW, pointer=w.pointer(w.alice)
        )
    ),
    _case(
        "payload_with_a_duplicate_key",
        BundleError,
        r"^manifest: signed payload is not canonical JSON \(duplicate key '_type'\)$",
    )(lambda w: _payload(b'{"_type":"x",' + w.spec.statement(w.bundle)[1:], w)),
    _case(
        "payload_not_canonical",
        BundleError,
        r"^manifest: signed payload is not canonical JSON \(keys must be sorted",
    )(lambda w: _payload(json.dumps(json.loads(w.spec.statement(w.bundle))).encode(), w)),
    _case(
        "envelope_nested_20000_deep",
        BundleError,
        r"^envelope: JSON nested more than 128 levels deep$",
    )(lambda w: replace(w.good(), envelope=_DEEP)),
    _case(
        "pointer_nested_20000_deep",
        BundleError,
        r"^envelope: JSON nested more than 128 levels deep$",
    )(lambda w: replace(w.good(), pointer=_DEEP)),
]
