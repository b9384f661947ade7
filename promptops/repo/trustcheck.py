"""Check the trust chain committed under ``policies/trust/``: versions 1..N, each signed
by the root role before it (and its own), the newest equal to ``policies/signers.yaml``.

The signatures are checked by the runtime's trusted core (``promptops.runtime.
trust_chain``), the code applications run: imported only when the repository has a
chain, so validating any other repository never loads ``cryptography``.
"""

from __future__ import annotations

from promptops.repo.crosscheck import Where
from promptops.repo.result import FileResult
from promptops.repo.types import Diagnostic
from promptops.spec import SignersFile

__all__ = ["SIGNERS", "trust_diagnostics", "trust_paths"]

SIGNERS = "policies/signers.yaml"


def trust_paths(paths: list[str]) -> dict[int, str]:
    """``policies/trust/N.json`` paths by version number."""
    return {int(p.rsplit("/", 1)[1][: -len(".json")]): p for p in paths}


def trust_diagnostics(
    versions: dict[int, str], contents: dict[str, bytes], signers: FileResult | None, where: Where
) -> list[Diagnostic]:
    """Diagnostics for the chain ``versions`` (read into ``contents``) and its agreement
    with ``signers.yaml`` (``signers``, its per-file result)."""
    if not versions:
        return []
    from promptops.errors import SignatureError
    from promptops.runtime.policy import TrustRoot, trust_document
    from promptops.runtime.trust_chain import walk_chain

    out: list[Diagnostic] = []
    walk = walk_chain({n: contents.get(p, b"") for n, p in versions.items()})
    if walk.stopped is not None:
        path = versions[walk.stopped]
        if walk.problem is None:
            expected = len(walk.verified) + 1
            message = (f"version {walk.stopped} follows no policies/trust/{expected}.json: the "
                       "chain must go 1, 2, 3, ... without a gap")  # fmt: skip
        else:
            message = str(walk.problem)
            if isinstance(walk.problem, SignatureError):
                message += (f"; add the missing signatures with promptops trust sign "
                            f"{walk.stopped} --key KEY")  # fmt: skip
        out.append(Diagnostic(path, 1, 1, "error", "trust-chain", message))
        return out
    newest = walk.newest
    if newest is None or signers is None or signers.kind is None:
        return out
    try:
        policy = TrustRoot.from_dict(SignersFile.model_validate(signers.data).document())
    except (SignatureError, ValueError):
        return out  # the per-file checks of signers.yaml say what is wrong
    if policy.version != newest.version or trust_document(policy) != trust_document(newest):
        line, col = where(SIGNERS, ("value", ("version",)))
        message = _differs(policy.version, newest.version)
        out.append(Diagnostic(SIGNERS, line, col, "error", "trust-chain", message))
    return out


def _differs(have: int, newest: int) -> str:
    if have == newest:
        return (
            f"policies/signers.yaml was edited after policies/trust/{newest}.json signed it, so "
            f"applications would never learn of the change; sign it as version {newest + 1} "
            "with promptops trust rotate --key ROOT_KEY"
        )
    return (
        f"policies/signers.yaml says version {have}, but the newest signed trust version is "
        f"policies/trust/{newest}.json; sign the policy with promptops trust rotate --key "
        "ROOT_KEY, or restore version "
        f"{newest}"
    )
