"""``promptops migrate PIN --to MODEL``: every prompt using PIN, side by side with a
candidate, and (``--apply``) the models.yaml change on a branch ready for review.

The candidate is another pin (its provider, model, base_url, pricing and context window are
copied onto PIN) or ``provider:model-id`` (pricing and base_url are dropped: unknown for a
model nobody priced yet). PIN keeps its name, so no prompt file changes: the review is one
models.yaml hunk. The branch's commit message carries the side-by-side table and the
behaviour section of ``promptops diff HEAD <branch> --behaviour``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from promptops.diff import DiffOptions, diff_refs, render
from promptops.errors import UsageError, ValidationError
from promptops.evals import Progress
from promptops.evals.api import evaluate_matrix
from promptops.evals.matrix import MatrixReport
from promptops.evals.matrix_format import matrix_markdown
from promptops.models.branch import amend_message, commit_file_on_branch, head_file
from promptops.repo import load_repository

__all__ = ["Migration", "migrate_pin"]

_COPIED = ("provider", "model", "base_url", "pricing", "context_window")


@dataclass(frozen=True)
class Migration:
    """The side-by-side report; with ``--apply``, the branch and its commit."""

    pin: str
    to: str
    prompts: tuple[str, ...]
    matrix: MatrixReport
    report: str
    branch: str | None = None
    commit: str | None = None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "candidate"


def _edit_models(text: str, pin: str, to: str, target_pin: Mapping[str, object] | None) -> str:
    """models.yaml with ``pin`` pointing at the candidate; comments and order kept."""
    yaml = YAML()  # round trip: the reviewer sees one hunk, not a reformatted file
    yaml.preserve_quotes = True
    data = yaml.load(text)
    entry = data["models"][pin]
    if target_pin is not None:
        for key in _COPIED:
            value = target_pin.get(key)
            if isinstance(value, Mapping):
                flow = CommentedMap(value)
                flow.fa.set_flow_style()  # {input_per_mtok: 2.5, ...} as pins are written
                entry[key] = flow
            elif value is not None:
                entry[key] = value
            elif key in entry:
                del entry[key]
    else:
        provider, _, model = to.partition(":")
        entry["provider"], entry["model"] = provider, model
        for key in ("base_url", "pricing"):
            if key in entry:
                del entry[key]
    if "lifecycle" in entry:
        del entry["lifecycle"]  # the old snapshot's end of life is not the new one's
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def migrate_pin(
    path: str | Path,
    pin: str,
    to: str,
    *,
    apply: bool = False,
    branch: str | None = None,
    provider: str | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
    env: Mapping[str, str] | None = None,
) -> Migration:
    """Run every eval case of the prompts using ``pin`` on ``pin`` and on ``to``; with
    ``apply``, commit the models.yaml change on a new branch (the working tree is untouched).

    Raises:
        UsageError: if ``pin`` is unknown or unused, ``to`` is neither a pin nor
            ``provider:model-id``, or the branch exists.
        ValidationError: if the repository does not validate.
    """
    repo = load_repository(path)
    if not repo.ok:
        raise ValidationError("cannot migrate: the repository does not validate", list(repo.errors))
    if pin not in repo.models.models:
        raise UsageError(f"no pin {pin!r} in models.yaml")
    users = tuple(sorted(p for p, d in repo.prompts.items() if d.model == pin))
    if not users:
        raise UsageError(f"no prompt uses pin {pin!r}; nothing to migrate")
    matrix = evaluate_matrix(
        repo.root, [pin, to], pin_filter=pin, provider=provider, use_cache=use_cache,
        progress=progress, env=env,
    )  # fmt: skip
    title = f"Migrate pin {pin} to {to}"
    report = (
        f"## {title}\n\n{len(users)} prompt(s) use `{pin}`: "
        + ", ".join(f"`{u}`" for u in users)
        + "\n\n"
        + matrix_markdown(matrix)
    )
    if not apply:
        return Migration(pin, to, users, matrix, report)
    target = repo.models.models.get(to)
    target_pin = None if target is None else target.model_dump(exclude_none=True, mode="json")
    text, rel = head_file(repo.root, "models.yaml")
    name = branch or f"promptops/migrate-{_slug(pin)}-to-{_slug(to)}"
    edited = _edit_models(text, pin, to, target_pin)
    commit_file_on_branch(repo.root, rel, edited, name, f"{title}\n\n{report}")
    diff = diff_refs(
        repo.root, "HEAD", name, DiffOptions(behaviour=True, provider=provider, env=env or {})
    )
    behaviour = render(diff, "markdown")
    report += "\n### promptops diff (behaviour)\n\n" + behaviour
    commit = amend_message(repo.root, name, f"{title}\n\n{report}")
    return Migration(pin, to, users, matrix, report, name, commit)
