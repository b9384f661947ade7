"""Prove an import: the generated files validate, build, and render what the source did.

The repository as it would stand (the target's shared files and the instructions prompts
use, plus everything generated) is loaded and validated by the normal loader from memory,
compiled, and every sample is rendered through the runtime exactly as an application
would. Each rendering is compared with what the source engine produced for
the same sample (computed by the reader with that engine's own semantics).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from promptops.compile import compile_repository
from promptops.errors import PromptopsError, ValidationError
from promptops.evals.config import EvalConfig
from promptops.evals.plan import plan_cases
from promptops.interop.assemble import Assembly
from promptops.interop.target import Target
from promptops.interop.types import Content, Sample, diag
from promptops.interop.yamlout import dump_yaml, template_text
from promptops.repo import load_repository
from promptops.repo.types import Diagnostic
from promptops.runtime.preview import unverified_prompts
from promptops.runtime.render import Prompt, Provenance
from promptops.runtime.served import prompt_variant

__all__ = ["prove"]

_EXCERPT = 60


def _excerpt(text: str, at: int) -> str:
    start = max(0, at - 20)
    piece = text[start : start + _EXCERPT]
    return repr(("..." if start else "") + piece + ("..." if start + _EXCERPT < len(text) else ""))


def _content(content: Any) -> Content:
    """A rendered message's content as the proof compares it."""
    if isinstance(content, str):
        return content
    parts: list[tuple[str, str]] = []
    for p in content:
        if p["type"] == "text":
            parts.append(("text", p["text"]))
        elif "url" in p:
            parts.append((p["type"], p["url"]))
        else:
            parts.append((p["type"], f"data:{p['media_type']};base64,{p['data']}"))
    return tuple(parts)


def _difference(
    expected: Sequence[tuple[str, Content]], got: Sequence[tuple[str, Content]]
) -> str | None:
    if expected == got:
        return None
    if len(expected) != len(got):
        want = ", ".join(r for r, _ in expected) or "none"
        have = ", ".join(r for r, _ in got) or "none"
        return (
            f"the source sends {len(expected)} message(s) ({want}), promptops {len(got)} ({have})"
        )
    for i, ((role_a, a), (role_b, b)) in enumerate(zip(expected, got, strict=True)):
        if role_a != role_b:
            return f"message {i + 1} is {role_a} in the source, {role_b} in promptops"
        if a != b and not (isinstance(a, str) and isinstance(b, str)):
            return (
                f"message {i + 1} ({role_a}) differs: the source sends {_excerpt(repr(a), 0)}, "
                f"promptops {_excerpt(repr(b), 0)}"
            )
        if a != b:
            assert isinstance(a, str) and isinstance(b, str)
            at = next(
                (k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                min(len(a), len(b)),
            )
            return (
                f"message {i + 1} ({role_a}) differs at character {at + 1}: the source sends "
                f"{_excerpt(a, at)}, promptops {_excerpt(b, at)}"
            )
    return None


def _scratch(assembly: Assembly, target: Target) -> dict[str, bytes]:
    """The repository to check, in memory: the target's shared files (or their new
    versions), the instructions prompts use, and everything generated."""
    files: dict[str, str] = {}
    for rel in ("models.yaml", "policies/tools.yaml", "policies/rules.yaml"):
        text = assembly.files.get(rel)
        if text is None:
            raw = target.read(rel)
            text = raw.decode("utf-8") if raw is not None else None
        if text is not None:
            files[rel] = text
    for iid, text in target.instructions.items():
        rel = f"prompts/{iid}.yaml"
        if rel not in assembly.files:
            files[rel] = dump_yaml({"kind": "instruction", "text": template_text(text)})
    for rel in sorted(assembly.generated):
        files[rel] = assembly.files[rel]
    return {rel: text.encode("utf-8") for rel, text in files.items()}


def _render(prompt: Prompt, sample: Sample) -> tuple[list[tuple[str, Content]] | None, str | None]:
    try:
        req = prompt.render(**sample.inputs)
    except PromptopsError as exc:
        return None, str(exc)
    return [(m["role"], _content(m["content"])) for m in req.messages], None


def _variant(obj: dict[str, Any], prompt_id: str, variant: str) -> Prompt:
    """The variant as reg.prompt(id, variant=) serves it: the runtime's own merge of its
    compiled fields over the prompt's. (preview.unverified_prompt would parse and hash the
    whole bundle once per variant.)"""
    provenance = Provenance(prompt_id, "", None, None, "", None, variant=variant)
    return Prompt(prompt_variant(obj, variant), provenance, validate=True)


def prove(assembly: Assembly, target: Target) -> list[Diagnostic]:
    """Diagnostics for generated files that do not validate and samples that render
    differently from their source (nothing is written to the target)."""
    out: list[Diagnostic] = []
    # Nothing is written: the loader checks the files as they would stand in the target.
    repo = load_repository(target.root, cache=False, contents=_scratch(assembly, target))
    origin = {f"prompts/{pid}.yaml": d for pid, d in assembly.prompts.items()}
    for d in repo.diagnostics:
        if d.path not in assembly.generated and d.path not in assembly.files:
            continue
        if d.code in ("floating-model", "unused-input") and d.level == "warning":
            continue
        draft = origin.get(d.path) or origin.get("prompts/" + d.path.removeprefix("evals/"))
        where = draft.where if draft is not None else None
        # An error means the file would not load; a warning is validate's advice on
        # what the source itself says (a schema OpenAI's strict mode refuses, say),
        # passed on under its own name so it is not mistaken for a failed import.
        code, verb = (
            ("invalid", "does not validate")
            if d.level == "error"
            else ("validate-warning", "gets a validate warning")
        )
        text = f"the generated {d.path}:{d.line}:{d.col} {verb}: {d.message} [{d.code}]"
        if where is None:
            out.append(Diagnostic(d.path, d.line, d.col, d.level, f"import-{code}", text))
        else:
            out.append(diag(where, d.level, code, text))
    if not repo.ok:
        return out
    try:
        bundle = compile_repository(repo, cache=False)
        plan_cases(bundle, repo.evals, config=EvalConfig())
    except ValidationError as exc:
        out.append(Diagnostic("evals", 1, 1, "error", "import-invalid", str(exc)))
        return out
    prompts = unverified_prompts(bundle.data, sorted(assembly.prompts))
    for pid, draft in sorted(assembly.prompts.items()):
        for sample in draft.samples:
            prompt, label = prompts[pid], pid
            if sample.variant is not None:
                prompt = _variant(bundle.prompt(pid), pid, sample.variant)
                label = f"{pid}@{sample.variant}"
            got, error = _render(prompt, sample)
            if error is not None:
                out.append(
                    diag(
                        sample.where,
                        "warning",
                        "render-failed",
                        f"{sample.name} of '{label}' does not render in promptops: {error}",
                    )
                )
                continue
            if sample.expected is None or got is None:
                continue
            difference = _difference(sample.expected, got)
            if difference is not None:
                out.append(
                    diag(
                        sample.where,
                        "warning",
                        "render-diff",
                        f"{sample.name} of '{label}' renders differently: {difference}",
                    )
                )
    return out
