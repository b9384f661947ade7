"""Graded assertions: a score from a judge model, an embedding or the repository's own code,
held against a threshold.

``rubric``, ``groundedness``, ``relevance`` and ``factuality`` render a judge prompt
(:mod:`promptops.evals.judge_prompts`) and send it as an ordinary request: same cache, same
recordings (under ``evals/recordings/judges/<kind>/``), so CI replays judges offline. One
judge request per judged sample; identical ones (same output, same criteria) are sent once.
``similar`` embeds the output and the expected text through the embedder pin's provider and
compares the cosine. ``python`` calls ``module:function`` of the repository in a separate
process (:mod:`promptops.evals.pychecks`). ``select_best`` compares the outputs of one case
across targets (``--pin A --pin B``) and is graded after all of them have answered.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from promptops.evals.checks import AssertionSpecError
from promptops.evals.judge_prompts import GRADED_KINDS, JudgeSetup

__all__ = [
    "GRADED_KINDS",
    "Grade",
    "Graded",
    "JudgeInput",
    "compile_graded",
    "cosine",
    "parse_best",
    "parse_score",
]

_DEFAULT_THRESHOLD = {"similar": 0.8, "python": 0.5}
_FUNCTION = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


@dataclass(frozen=True)
class JudgeInput:
    """What a graded assertion sees of one sample: only this case's data."""

    output: str
    question: str
    inputs: Mapping[str, Any]
    tool_calls: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class Grade:
    """The verdict of one graded assertion on one sample."""

    kind: str
    score: float | None
    threshold: float
    reason: str
    passed: bool

    @property
    def failure(self) -> str | None:
        """The failure line shown for a grade that did not pass."""
        if self.passed:
            return None
        score = "no score" if self.score is None else f"{self.score:.2f}"
        return f"expected {self.kind} score >= {self.threshold:g}; found {score}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "score": self.score,
            "threshold": self.threshold,
            "reason": self.reason,
            "passed": self.passed,
        }


@dataclass(frozen=True)
class Graded:
    """A compiled graded assertion. ``pin`` is the judge or embedder pin (None: the
    repository judge prompt's own); ``argument`` the criteria, reference, expected text or
    ``module:function``; ``source`` the case input holding the context or question."""

    kind: str
    threshold: float
    pin: str | None
    argument: str = ""
    source: str | None = None
    timeout_s: float = 10.0

    def variables(self, sample: JudgeInput) -> dict[str, str]:
        """The judge prompt's inputs for ``sample`` (the prompt uses a subset).

        Raises:
            ValueError: if the case lacks the input named as context.
        """
        question = sample.question
        if self.source is not None and self.kind == "relevance":
            question = _text(sample.inputs.get(self.source, question))
        out = {"output": sample.output, "question": question, "criteria": self.argument}
        if self.kind == "factuality":
            out["reference"] = self.argument
        if self.kind == "groundedness":
            key = self.source or "context"
            if key not in sample.inputs:
                raise ValueError(f"groundedness reads the case input {key!r}, which it lacks")
            out["context"] = _text(sample.inputs[key])
        return out


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n---\n".join(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _threshold(kind: str, arg: Mapping[str, Any]) -> float:
    value = arg.get("threshold", _DEFAULT_THRESHOLD.get(kind, 0.7))
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise AssertionSpecError(f"{kind}.threshold expects a number from 0 to 1, found {value!r}")
    return float(value)


def _mapping(kind: str, arg: Any, main: str, allowed: set[str]) -> dict[str, Any]:
    if arg is True or arg is None:
        arg = {}
    if isinstance(arg, str):
        arg = {main: arg}
    if not isinstance(arg, dict):
        raise AssertionSpecError(
            f"{kind} expects a string or a mapping with {', '.join(sorted(allowed))}, found {arg!r}"
        )
    unknown = set(arg) - allowed
    if unknown:
        raise AssertionSpecError(
            f"{kind} has no key {sorted(unknown)[0]!r}; expected {', '.join(sorted(allowed))}"
        )
    return dict(arg)


_KEYS: dict[str, tuple[str, set[str]]] = {
    "rubric": ("criteria", {"criteria", "threshold", "judge"}),
    "groundedness": ("context", {"context", "threshold", "judge"}),
    "relevance": ("question", {"question", "threshold", "judge"}),
    "factuality": ("reference", {"reference", "threshold", "judge"}),
    "select_best": ("criteria", {"criteria", "judge"}),
    "similar": ("expected", {"expected", "threshold", "embedder"}),
    "python": ("function", {"function", "threshold", "timeout_s"}),
}


def _pin(kind: str, name: Any, setup: JudgeSetup, fallback: str | None) -> str | None:
    pin = name if name is not None else fallback
    if pin is not None and pin not in setup.pins:
        raise AssertionSpecError(f"{kind}: unknown model pin {pin!r}; name a pin of models.yaml")
    return pin if isinstance(pin, str) or pin is None else str(pin)


def compile_graded(kind: str, arg: Any, setup: JudgeSetup, eval_judge: str | None) -> Graded:
    """Validate one graded assertion and resolve its pin.

    Raises:
        AssertionSpecError: if the argument is malformed, a pin is unknown, or no judge
            (or embedder) can be found.
    """
    main, allowed = _KEYS[kind]
    spec = _mapping(kind, arg, main, allowed)
    if kind == "python":
        function = spec.get("function")
        if not isinstance(function, str) or not _FUNCTION.match(function):
            raise AssertionSpecError(
                f"python expects 'module:function' (a function of the repository's code), "
                f"found {function!r}"
            )
        timeout = spec.get("timeout_s", 10.0)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise AssertionSpecError(f"python.timeout_s expects seconds > 0, found {timeout!r}")
        return Graded(kind, _threshold(kind, spec), None, function, timeout_s=float(timeout))
    if kind == "similar":
        expected = spec.get("expected")
        if not isinstance(expected, str) or not expected:
            raise AssertionSpecError(f"similar expects the expected text, found {expected!r}")
        pin = _pin(kind, spec.get("embedder"), setup, setup.embedder)
        if pin is None:
            raise AssertionSpecError(
                "similar needs an embedding model: mark a pin `embedding: true` in "
                "models.yaml or name one with `embedder: PIN`"
            )
        return Graded(kind, _threshold(kind, spec), pin, expected)
    text = spec.get(main, "")
    if kind in ("rubric", "factuality", "select_best") and (not isinstance(text, str) or not text):
        raise AssertionSpecError(f"{kind} expects the {main} as text, found {text!r}")
    pin = _pin(kind, spec.get("judge"), setup, eval_judge or setup.judge)
    try:
        setup.prompt(kind, pin)
    except LookupError as exc:
        raise AssertionSpecError(str(exc)) from None
    source = text if kind in ("groundedness", "relevance") and text else None
    if kind in ("groundedness", "relevance"):
        text = ""
    threshold = 0.5 if kind == "select_best" else _threshold(kind, spec)
    return Graded(kind, threshold, pin, str(text), source)


def _json_object(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        found = _OBJECT.search(text)  # a judge that wraps its JSON in prose or a fence
        if found is None:
            raise
        return json.loads(found.group(0))


def parse_score(text: str) -> tuple[float, str]:
    """``(score, reason)`` from a judge's answer.

    Raises:
        ValueError: naming what was found, if the answer is not ``{score, reason}`` JSON
            with a score from 0 to 1.
    """
    try:
        data = _json_object(text)
        score, reason = data["score"], data.get("reason", "")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ValueError(
            f"the judge did not answer {{score, reason}} JSON: {text[:200]!r}"
        ) from None
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
        raise ValueError(f"the judge's score must be a number from 0 to 1, found {score!r}")
    return float(score), str(reason)


def parse_best(text: str, count: int) -> tuple[int, str]:
    """``(index from 0, reason)`` from a select_best judge's answer.

    Raises:
        ValueError: if the answer is not ``{best, reason}`` JSON naming one of ``count``.
    """
    try:
        data = _json_object(text)
        best, reason = data["best"], data.get("reason", "")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ValueError(
            f"the judge did not answer {{best, reason}} JSON: {text[:200]!r}"
        ) from None
    if isinstance(best, bool) or not isinstance(best, int) or not 1 <= best <= count:
        raise ValueError(f"the judge's best must be 1 to {count}, found {best!r}")
    return best - 1, str(reason)


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors (0 when either is all zeros).

    Raises:
        ValueError: if their lengths differ.
    """
    if len(a) != len(b):
        raise ValueError(f"embeddings of different lengths ({len(a)} and {len(b)})")
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(math.fsum(x * x for x in a)) * math.sqrt(math.fsum(y * y for y in b))
    return 0.0 if norm == 0 else max(-1.0, min(1.0, dot / norm))
