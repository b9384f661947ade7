"""Checks of ``policies/signers.yaml`` beyond its schema: one meaning per key, roles that
can sign, and the split of roles TUF recommends.

Pure data checks (the key id is recomputed with hashlib): what the runtime would refuse is
an error here first, with its position.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Sequence, Set

from promptops.repo.suggest import did_you_mean
from promptops.repo.types import Level
from promptops.spec import SignersFile

__all__ = ["SINGLE_ROLE_HINT", "signer_problems"]

Problem = tuple[tuple[object, ...], Level, str, str]  # (loc, level, code, message)

SINGLE_ROLE_HINT = (
    "one set of signers serves the root, release and channel roles, so the CI key that "
    "re-signs channel pointers could also make releases and change who is trusted; split "
    "them: roles: {root: {threshold: 1, signers: [<owner>]}, release: {threshold: 1, "
    "signers: [<reviewers>]}, channel: {threshold: 1, signers: [<ci>]}} (and drop "
    "threshold:)"
)


def _keyid(public_key: str) -> str | None:
    try:
        raw = base64.b64decode(public_key, validate=True)
    except (binascii.Error, ValueError):
        return None
    return hashlib.sha256(raw).hexdigest() if len(raw) == 32 else None


def signer_problems(model: SignersFile) -> list[Problem]:
    """Everything wrong with ``model`` that its schema cannot say."""
    out: list[Problem] = []
    by_id: dict[str, str] = {}
    names: dict[str, int] = {}
    for i, signer in enumerate(model.signers):
        actual = _keyid(signer.public_key)
        if actual is None:
            out.append(
                (("signers", i, "public_key"), "error", "bad-key",
                 f"signer {signer.name!r}: public_key is not base64 of a 32-byte Ed25519 key")
            )  # fmt: skip
        elif actual != signer.keyid:
            out.append(
                (("signers", i, "keyid"), "error", "bad-key",
                 f"signer {signer.name!r}: keyid does not match its public key, which hashes "
                 f"to {actual}")
            )  # fmt: skip
        if signer.keyid in by_id:
            out.append(
                (("signers", i, "keyid"), "error", "duplicate-keyid",
                 f"key {signer.keyid[:12]} is listed twice (signers {by_id[signer.keyid]!r} and "
                 f"{signer.name!r}); list each key once, or a second entry could undo a "
                 "revocation")
            )  # fmt: skip
        by_id.setdefault(signer.keyid, signer.name)
        if signer.name in names:
            out.append(
                (("signers", i, "name"), "error", "duplicate-signer",
                 f"signer name {signer.name!r} is used twice; roles name signers, so names "
                 "must be unique")
            )  # fmt: skip
        names.setdefault(signer.name, i)
    out.extend(_version_problems(model))
    if model.roles is None:
        if model.signers:
            out.append((("threshold",), "warning", "single-role", SINGLE_ROLE_HINT))
        return out
    if model.threshold is not None:
        out.append(
            (("threshold",), "error", "ambiguous-threshold",
             "threshold: applies to the single-role form only; with roles:, give each role "
             "its own threshold and remove this one")
        )  # fmt: skip
    revoked = {s.name for s in model.signers if s.revoked}
    for role_name in ("root", "release", "channel"):
        role = getattr(model.roles, role_name)
        for j, name in enumerate(role.signers):
            if name not in names:
                out.append(
                    (("roles", role_name, "signers", j), "error", "unknown-signer",
                     f"role {role_name!r} names {name!r}, which signers: does not list"
                     f"{did_you_mean(name, names)}")
                )  # fmt: skip
        if not model.signers:
            continue  # an empty policy, waiting for its first keygen
        listed = len(set(role.signers))
        usable = len(set(role.signers) - revoked)
        if role.threshold > listed:
            fix = _role_fix(role_name, role.signers, names, revoked)
            out.append(
                (("roles", role_name, "threshold"), "error", "threshold-unreachable",
                 f"role {role_name!r} needs {role.threshold} signatures but lists {listed} "
                 f"signer(s); it could never sign: {fix}")
            )  # fmt: skip
        elif role.threshold > usable:
            out.append(
                (("roles", role_name, "threshold"), "warning", "threshold-revoked",
                 f"role {role_name!r} needs {role.threshold} signatures but only {usable} of "
                 "its signers are not revoked; add a signer to it")
            )  # fmt: skip
    return out


def _role_fix(
    role_name: str, members: Sequence[str], names: Iterable[str], revoked: Set[str]
) -> str:
    # Naming the keys that could join saves a trip to signers: (a fresh keygen's entry is
    # listed there but in no role yet, the usual first mistake).
    listed = len(set(members))
    lower = f", or lower its threshold to {listed}" if listed else ""
    spare = [n for n in names if n not in members and n not in revoked]
    if not spare:
        return f"add a signer (promptops keygen){lower}"
    shown = ", ".join(spare[:5]) + (", ..." if len(spare) > 5 else "")
    more = "more of" if listed else "one of"
    return f"name {more} signers: ({shown}) in roles.{role_name}.signers{lower}"


def _version_problems(model: SignersFile) -> list[Problem]:
    if model.version == 1 and model.chain is not None:
        return [
            (("chain",), "error", "trust-chain",
             "version 1 starts a trust chain and names none; remove chain:")
        ]  # fmt: skip
    if model.version > 1 and model.chain is None:
        return [
            (("version",), "error", "trust-chain",
             f"version {model.version} needs chain: (the chain's identity); promptops trust "
             "rotate writes both")
        ]  # fmt: skip
    return []
