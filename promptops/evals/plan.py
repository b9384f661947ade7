"""Eval sets + compiled prompts -> validated cases, before anything is sent."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from promptops.canonical import canonical_bytes, sha256_hex
from promptops.errors import ValidationError
from promptops.evals.assertions import Assertion, AssertionSpecError, compile_assertion
from promptops.evals.config import EvalConfig
from promptops.spec import EvalSet

__all__ = ["PlannedCase", "PromptLookup", "PromptTable", "plan_cases"]


class PromptLookup(Protocol):
    """Compiled prompts by id: ``promptops.compile.Bundle`` is one, :class:`PromptTable` too."""

    @property
    def prompts(self) -> Mapping[str, str]:
        """Prompt id -> sha256 hex digest of its compiled object."""
        ...

    def prompt(self, prompt_id: str) -> dict[str, Any]:
        """The compiled prompt object (ADR 0002) of ``prompt_id``."""
        ...


class _Digests(Mapping[str, str]):
    """Digests computed on first access: a diff of 10,000 prompts evaluates only a few."""

    def __init__(self, objects: Mapping[str, Mapping[str, Any]]) -> None:
        self._objects = objects
        self._done: dict[str, str] = {}

    def __getitem__(self, prompt_id: str) -> str:
        digest = self._done.get(prompt_id)
        if digest is None:
            digest = sha256_hex(canonical_bytes(self._objects[prompt_id]))
            self._done[prompt_id] = digest
        return digest

    def __contains__(self, prompt_id: object) -> bool:
        return prompt_id in self._objects

    def __iter__(self) -> Iterator[str]:
        return iter(self._objects)

    def __len__(self) -> int:
        return len(self._objects)


class PromptTable:
    """A :class:`PromptLookup` over compiled prompt objects held in memory."""

    def __init__(self, objects: Mapping[str, Mapping[str, Any]]) -> None:
        self._objects = objects
        self._digests = _Digests(objects)

    @property
    def prompts(self) -> Mapping[str, str]:
        return self._digests

    def prompt(self, prompt_id: str) -> dict[str, Any]:
        return dict(self._objects[prompt_id])


@dataclass(frozen=True)
class PlannedCase:
    eval_path: str
    prompt_id: str
    name: str
    inputs: Mapping[str, Any]
    assertions: tuple[Assertion, ...]
    repeat: int
    min_pass: int
    # The eval set's ``provider:``, which overrides the model pin's (``--provider`` wins).
    provider: str | None = None


def _case_error(path: str, case: str, what: str) -> ValidationError:
    return ValidationError(f"{path}: case {case!r}: {what}")


def plan_cases(
    lookup: PromptLookup,
    eval_sets: Mapping[str, EvalSet],
    *,
    prompt_ids: Collection[str] | None = None,
    config: EvalConfig,
) -> list[PlannedCase]:
    """Every case of ``eval_sets`` (sorted by file, in file order) whose prompt is selected.

    Raises:
        ValidationError: naming the eval file and case, if a case's assertions are
            malformed, ``repeat`` is over the limit, a target prompt is missing, or
            there are more cases than ``config.max_cases``.
    """
    planned: list[PlannedCase] = []
    known = lookup.prompts
    for path in sorted(eval_sets):
        evals = eval_sets[path]
        if prompt_ids is not None and evals.prompt not in prompt_ids:
            continue
        if evals.prompt not in known:
            raise ValidationError(
                f"{path}: the eval set targets prompt {evals.prompt!r}, which does not exist; "
                "fix its 'prompt:' key"
            )
        for case in evals.cases:
            assertions: list[Assertion] = []
            for j, spec in enumerate(case.assert_, start=1):
                try:
                    assertions.append(
                        compile_assertion(spec, max_regex_chars=config.max_regex_chars)
                    )
                except AssertionSpecError as exc:
                    raise _case_error(path, case.name, f"assertion {j}: {exc}") from None
            # The spec model guarantees min_pass <= repeat.
            min_pass = case.repeat if case.min_pass is None else case.min_pass
            if case.repeat > config.max_repeat:
                raise _case_error(
                    path, case.name, f"repeat {case.repeat} exceeds the limit {config.max_repeat}"
                )
            planned.append(
                PlannedCase(
                    path, evals.prompt, case.name, case.inputs, tuple(assertions), case.repeat,
                    min_pass, evals.provider,
                )
            )  # fmt: skip
            if len(planned) > config.max_cases:
                raise ValidationError(
                    f"{path}: more than {config.max_cases} eval cases; the limit is "
                    "EvalConfig.max_cases"
                )
    return planned
