"""Recordings no eval case uses: found by ``validate`` (a warning), removed by ``--prune``.

A recording is used when some case's rendered request has its digest. Case requests
depend only on the prompt and the case inputs, so they are known without asking any
provider; judge requests depend on the answers, so recordings filed under ``judges/``
are left to ``--prune`` (which sees the answers) and never called stale by validate.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from promptops.evals.recordings import RECORDINGS_DIR
from promptops.repo.types import Diagnostic, Repository

__all__ = ["JUDGE_DIR", "prune_recordings", "recording_files", "stale_recordings"]

# Recordings of judge prompts (ids judges/...) live under evals/recordings/judges/.
JUDGE_DIR = f"{RECORDINGS_DIR}/judges/"


def recording_files(root: Path) -> list[str]:
    """Repository-relative paths of every recording file in the working tree at ``root``."""
    base = root / RECORDINGS_DIR
    if not base.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in base.rglob("*.json") if p.is_file())


def prune_recordings(
    root: Path, used: Collection[str], prompt_ids: Iterable[str] | None = None
) -> list[str]:
    """Delete the recordings under ``root`` that no request of the run used.

    ``prompt_ids`` limits the sweep to those prompts' directories (a run filtered with
    ``--prompt`` knows nothing of the others); None sweeps every directory.

    Raises:
        OSError: if a file cannot be removed.
    """
    scopes = None if prompt_ids is None else [f"{RECORDINGS_DIR}/{p}/" for p in prompt_ids]
    removed: list[str] = []
    for rel in recording_files(root):
        if rel in used:
            continue
        if scopes is not None and not any(
            rel.startswith(s) and "/" not in rel[len(s) :] for s in scopes
        ):
            continue
        (root / rel).unlink()
        removed.append(rel)
    for directory in sorted({(root / r).parent for r in removed}, reverse=True):
        while directory != root / RECORDINGS_DIR and not any(directory.iterdir()):
            directory.rmdir()
            directory = directory.parent
    return removed


def stale_recordings(repo: Repository) -> list[Diagnostic]:
    """A warning for each recording in the working tree that no eval case sends any more.

    Only for a working tree that validates (a ref's recordings are not swept); judge
    recordings are not judged here (see the module docstring).
    """
    if repo.source.ref is not None or not repo.ok:
        return []
    files = [f for f in recording_files(repo.root) if not f.startswith(JUDGE_DIR)]
    if not files:
        return []
    # Imported only when there are recordings to check: validate stays light without them.
    from promptops.compile import compile_repository
    from promptops.errors import PromptopsError
    from promptops.evals.runner import EvalSession

    try:
        bundle = compile_repository(repo)
        used = EvalSession().recording_paths(bundle, repo.evals)
    except PromptopsError:
        return []  # a malformed eval set is reported by eval itself
    return [
        Diagnostic(
            rel, 1, 1, "warning", "stale-recording",
            "no eval case sends this request any more (its prompt or case changed or was "
            "removed); remove it with `promptops eval --provider replay --prune`",
        )
        for rel in files
        if rel not in used
    ]  # fmt: skip
