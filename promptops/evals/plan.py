"""Eval sets + compiled prompts -> validated cases, before anything is sent."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from promptops.canonical import canonical_bytes, sha256_hex
from promptops.errors import ValidationError
from promptops.evals.assertions import Assertion, AssertionSpecError, compile_assertion
from promptops.evals.config import EvalConfig
from promptops.evals.judge_prompts import GRADED_KINDS, JudgeSetup
from promptops.evals.variants import chosen_targets, split_target, variant_targets
from promptops.spec import EvalSet
from promptops.spec.prompts import BASE_VARIANT

if TYPE_CHECKING:
    from promptops.evals.judges import Graded

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
    graded: tuple[Graded, ...] = ()


def _case_error(path: str, case: str, what: str) -> ValidationError:
    return ValidationError(f"{path}: case {case!r}: {what}")


def _compile(
    spec: Any, config: EvalConfig, setup: JudgeSetup, judge: str | None
) -> Assertion | Graded:
    if isinstance(spec, dict) and len(spec) == 1:
        ((kind, arg),) = spec.items()
        if kind in GRADED_KINDS:
            from promptops.evals.judges import compile_graded  # graded assertions only

            return compile_graded(kind, arg, setup, judge)
        if kind == "not" and isinstance(arg, dict) and set(arg) & set(GRADED_KINDS):
            raise AssertionSpecError(
                "a graded assertion cannot be negated; set its threshold instead"
            )
    return compile_assertion(spec, max_regex_chars=config.max_regex_chars)


def plan_cases(
    lookup: PromptLookup,
    eval_sets: Mapping[str, EvalSet],
    *,
    prompt_ids: Collection[str] | None = None,
    config: EvalConfig,
    judges: JudgeSetup | None = None,
    variants: bool = True,
) -> list[PlannedCase]:
    """Every case of ``eval_sets`` (sorted by file, in file order) whose prompt is selected.

    A case's inputs are the set's ``defaults.inputs`` overridden by its own; its
    assertions are ``defaults.assert`` followed by its own. With ``variants``, the cases
    of a prompt with variants run again on each, as target ``prompt@variant``.
    ``prompt_ids`` selects prompts (``p``: the prompt and all its variants) or targets
    (``p@v``: that variant only; ``p@base``: the prompt as written).

    Raises:
        ValidationError: naming the eval file and case, if a case's assertions are
            malformed, ``repeat`` is over the limit, a target prompt is missing, or
            there are more cases than ``config.max_cases``.
    """
    planned: list[PlannedCase] = []
    known = lookup.prompts
    setup = judges or JudgeSetup()
    chosen = None if prompt_ids is None else chosen_targets(prompt_ids)
    for path in sorted(eval_sets):
        evals = eval_sets[path]
        if chosen is not None and evals.prompt not in chosen:
            continue
        only = None if chosen is None else chosen[evals.prompt]
        if evals.prompt not in known:
            raise ValidationError(
                f"{path}: the eval set targets prompt {evals.prompt!r}, which does not exist; "
                "fix its 'prompt:' key"
            )
        first = len(planned)
        defaults = evals.defaults
        default_specs = [] if defaults is None else list(defaults.assert_)
        default_inputs = {} if defaults is None else dict(defaults.inputs)
        for case in evals.cases:
            assertions: list[Assertion] = []
            graded: list[Graded] = []
            for j, spec in enumerate([*default_specs, *case.assert_], start=1):
                try:
                    compiled = _compile(spec, config, setup, evals.judge)
                except AssertionSpecError as exc:
                    where = (
                        f"defaults assertion {j}"
                        if j <= len(default_specs)
                        else f"assertion {j - len(default_specs)}"
                    )
                    raise _case_error(path, case.name, f"{where}: {exc}") from None
                if isinstance(compiled, Assertion):
                    assertions.append(compiled)
                else:
                    graded.append(compiled)
            # The spec model guarantees min_pass <= repeat.
            min_pass = case.repeat if case.min_pass is None else case.min_pass
            if case.repeat > config.max_repeat:
                raise _case_error(
                    path, case.name, f"repeat {case.repeat} exceeds the limit {config.max_repeat}"
                )
            inputs = {**default_inputs, **case.inputs} if default_inputs else case.inputs
            planned.append(
                PlannedCase(
                    path, evals.prompt, case.name, inputs, tuple(assertions), case.repeat,
                    min_pass, evals.provider, tuple(graded),
                )
            )  # fmt: skip
            _check_count(path, planned, config)
        if variants:
            own = planned[first:]
            if only is not None and BASE_VARIANT not in only:
                del planned[first:]  # only some variants were asked for
            for target in variant_targets(lookup.prompt(evals.prompt)):
                if only is None or split_target(target)[1] in only:
                    planned.extend(dataclasses.replace(c, prompt_id=target) for c in own)
                    _check_count(path, planned, config)
    return planned


def _check_count(path: str, planned: list[PlannedCase], config: EvalConfig) -> None:
    if len(planned) > config.max_cases:
        raise ValidationError(
            f"{path}: more than {config.max_cases} eval cases; the limit is EvalConfig.max_cases"
        )
