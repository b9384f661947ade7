"""Published layouts for runtime tests, written by hand per ADR 0002/0003.

The bundle writer is the tamper table's (one ADR 0002 writer in the tests); signing is
``promptops.release.manifest``, the code ``promptops release`` uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from promptops.canonical import sha256_hex
from promptops.fsutil import atomic_write_bytes
from promptops.release.manifest import PointerSpec, ReleaseSpec, sign_manifest, sign_pointer
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.dsse import TrustRoot
from promptops.runtime.trust import PREDICATE_TYPE
from tests.release.tamper_cases import make_bundle, prompt_digests, signer

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
EXPIRES = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
KEY = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(b"\x09" * 32)
TRUST = TrustRoot.from_keys([KEY.public_key()])
CONFIG = RuntimeConfig(clock=lambda: NOW)

MODEL = {
    "name": "default",
    "provider": "openai",
    "model": "gpt-4o-2024-08-06",
    "base_url": None,
    "context_window": 128000,
    "pricing": None,
    "lifecycle": None,
}


def compiled(
    pid: str,
    messages: Sequence[tuple[str, str, str]],
    *,
    properties: Mapping[str, Any] | None = None,
    required: Sequence[str] | None = None,
    tools: Sequence[Mapping[str, Any]] = (),
    output_schema: Mapping[str, Any] | None = None,
    partials: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
    model: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A compiled prompt object (ADR 0002); ``messages`` are (role, template, engine)."""
    props = dict(properties or {})
    return {
        "id": pid,
        "path": f"prompts/{pid}.yaml",
        "description": f"{pid} for tests",
        "owner": "team-a",
        "tags": [],
        "model": dict(model or MODEL),
        "params": dict(params if params is not None else {"temperature": 0.2, "max_tokens": 300}),
        "input_schema": {
            "type": "object",
            "properties": props,
            "required": list(
                required
                if required is not None
                else [k for k, s in props.items() if "default" not in s]
            ),
            "additionalProperties": False,
        },
        "system": [],
        "messages": [{"role": r, "template": t, "engine": e} for r, t, e in messages],
        "partials": dict(partials or {}),
        "tools": [dict(t) for t in tools],
        "output_schema": None if output_schema is None else dict(output_schema),
    }


GREET = compiled(
    "greet",
    [("system", "Be brief.", "text"), ("user", "Say hello to {{ name }}.", "substitute")],
    properties={"name": {"type": "string", "maxLength": 100}},
    tools=[
        {
            "name": "lookup",
            "description": "Look a user up.",
            "risk": "low",
            "requires_approval": False,
            "parameters": {
                "type": "object",
                "properties": {"user": {"type": "string"}},
                "required": ["user"],
            },
        },
        {
            "name": "refund",
            "description": "Refund an order.",
            "risk": "high",
            "requires_approval": True,
            "parameters": {"type": "object", "properties": {"order": {"type": "integer"}}},
        },
    ],
)
LOOP = compiled(
    "support/loop",
    [
        (
            "user",
            "{% for a in articles %}- {{ a }}\n{% endfor %}{% include 'partials/footer' %}",
            "jinja",
        )
    ],
    properties={
        "articles": {"type": "array", "items": {"type": "string"}, "default": []},
        "name": {"type": "string"},
    },
    partials={"partials/footer": "Thanks, {{ name }}."},
)
PROMPTS: dict[str, dict[str, Any]] = {"greet": GREET, "support/loop": LOOP}


def release_files(
    prompts: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    release: str = "v1",
    serial: int = 1,
    commit: str = "a" * 40,
    expires: dt.datetime = EXPIRES,
    keys: Sequence[Ed25519PrivateKey] = (KEY,),
    predicate_type: str = PREDICATE_TYPE,
) -> tuple[bytes, bytes]:
    """``(bundle.json, release.dsse.json)`` bytes of one signed release (``predicate_type``:
    the manifest format, ``release/v1`` for a release published before v2)."""
    bundle = make_bundle(prompts or PROMPTS, commit)
    spec = ReleaseSpec(
        release=release,
        serial=serial,
        commit=commit,
        tree="c" * 40,
        prompts=prompt_digests(bundle),
        models={"default": "openai/gpt-4o-2024-08-06"},
        created=NOW - dt.timedelta(days=1),
        expires=expires,
        predicate_type=predicate_type,
    )
    return bundle, sign_manifest(spec, bundle, list(keys))


def publish(
    root: Path,
    prompts: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    release: str = "v1",
    serial: int = 1,
    channel: str | None = "production",
    commit: str = "a" * 40,
    expires: dt.datetime = EXPIRES,
    pointer_expires: dt.datetime = EXPIRES,
    keys: Sequence[Ed25519PrivateKey] = (KEY,),
    pointer_keys: Sequence[Ed25519PrivateKey] | None = None,
    predicate_type: str = PREDICATE_TYPE,
) -> str:
    """Write one release into the ADR 0003 layout at ``root`` (and point ``channel`` at
    it); returns the bundle's sha256 hex."""
    bundle, envelope = release_files(
        prompts,
        release=release,
        serial=serial,
        commit=commit,
        expires=expires,
        keys=keys,
        predicate_type=predicate_type,
    )
    digest = sha256_hex(bundle)
    atomic_write_bytes(root / "releases" / release / "bundle.json", bundle)
    atomic_write_bytes(root / "releases" / release / "release.dsse.json", envelope)
    atomic_write_bytes(root / "digests" / digest, release.encode() + b"\n")
    if channel is not None:
        pointer = sign_pointer(
            PointerSpec(channel, release, serial, digest, len(bundle), pointer_expires),
            list(keys if pointer_keys is None else pointer_keys),
        )
        atomic_write_bytes(root / "channels" / f"{channel}.json", pointer)
    return digest


def cache_files(cache: Path) -> set[str]:
    """Every file in a cache directory, relative, temp files included."""
    return {str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file()}


# --- trust roots with roles, and trust chains -----------------------------------------
ROOT_KEY = Ed25519PrivateKey.from_private_bytes(b"\x11" * 32)
ALICE = Ed25519PrivateKey.from_private_bytes(b"\x12" * 32)
BOB = Ed25519PrivateKey.from_private_bytes(b"\x13" * 32)
CI = Ed25519PrivateKey.from_private_bytes(b"\x14" * 32)
NAMES = {"root": ROOT_KEY, "alice": ALICE, "bob": BOB, "ci": CI}


def policy(
    release: Sequence[str] = ("alice",),
    *,
    root: Sequence[str] = ("root",),
    channel: Sequence[str] = ("ci",),
    revoked: Sequence[str] = (),
    listed: Sequence[str] | None = None,
) -> dict[str, Any]:
    """A ``signers.yaml`` document (as JSON) with split roles over the keys in NAMES."""
    names = listed if listed is not None else sorted({*root, *release, *channel, *revoked})
    signers = [{**signer(n, NAMES[n]), "revoked": n in revoked} for n in names]
    roles = {
        "root": {"threshold": 1, "signers": list(root)},
        "release": {"threshold": 1, "signers": list(release)},
        "channel": {"threshold": 1, "signers": list(channel)},
    }
    return {"signers": signers, "roles": roles}


def write_chain(
    site: Path, first: TrustRoot, *documents: Mapping[str, Any], keys: Sequence[Any] = ()
) -> list[TrustRoot]:
    """Publish trust/2.json, trust/3.json, ... after ``first``: each ``document`` signed by
    the previous root role's keys and its own (looked up by name in NAMES), plus ``keys``."""
    from promptops.release.trust_versions import next_root, sign_trust

    chain = [first]
    for doc in documents:
        previous = chain[-1]
        new = next_root(previous, doc)
        signing = {k.keyid: k for k in (*previous.root.keys.values(), *new.root.keys.values())}
        private = [NAMES[k.name] for k in signing.values()] + list(keys)
        atomic_write_bytes(site / "trust" / f"{new.version}.json", sign_trust(new, private))
        chain.append(new)
    return chain


# --- canary pointers (ADR 0018) ---------------------------------------------------------
SALT = "5a17" * 8


def point(
    root: Path,
    release: str,
    *,
    canary: str | None = None,
    weight: int = 1000,
    version: int | None = 1,
    channel: str = "production",
    salt: str = SALT,
    expires: dt.datetime = EXPIRES,
    keys: Sequence[Ed25519PrivateKey] = (KEY,),
) -> bytes:
    """Sign and write ``channels/<channel>.json`` for releases already written under
    ``root`` (by :func:`publish` with ``channel=None``): ``release`` alone, or with a
    ``canary`` release getting ``weight`` basis points. Returns the pointer's bytes."""
    from promptops.runtime.pointer import CanaryArm
    from promptops.runtime.trust import read_manifest_unverified

    def described(name: str) -> tuple[int, str, int]:
        m = read_manifest_unverified((root / "releases" / name / "release.dsse.json").read_bytes())
        return m.serial, m.bundle_sha256, m.bundle_size

    serial, digest, size = described(release)
    arm = None
    if canary is not None:
        arm = CanaryArm(canary, *described(canary), weight)
    spec = PointerSpec(channel, release, serial, digest, size, expires, version, arm,
                       salt if arm else None)  # fmt: skip
    pointer = sign_pointer(spec, list(keys))
    atomic_write_bytes(root / "channels" / f"{channel}.json", pointer)
    return pointer


def two_releases(root: Path) -> None:
    """Releases v5 (serial 5) and v6 (serial 6) under ``root``, no channel pointer: v6 says
    hello differently."""
    publish(root, release="v5", serial=5, channel=None)
    v6 = {**PROMPTS, "greet": compiled(
        "greet",
        [("system", "Be brief.", "text"), ("user", "Say hi to {{ name }}.", "substitute")],
        properties={"name": {"type": "string", "maxLength": 100}},
    )}  # fmt: skip
    publish(root, v6, release="v6", serial=6, channel=None, commit="b" * 40)


def release_and_signers(tmp_path: Path) -> tuple[Path, Path]:
    """A release directory ``site/releases/v1`` valid for 30 days from now, and a plain
    ``signers.yaml`` trusting its key, as a repository holds it (for ``promptops verify``)."""
    import base64

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    expires = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=30)
    publish(tmp_path / "site", expires=expires, pointer_expires=expires)
    raw = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key = f"keyid: {sha256_hex(raw)}, public_key: {base64.b64encode(raw).decode()}"
    signers = tmp_path / "signers.yaml"
    signers.write_text(f"signers:\n  - {{name: ci, {key}}}\n")
    return tmp_path / "site" / "releases" / "v1", signers
