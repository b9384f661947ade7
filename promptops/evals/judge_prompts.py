"""Judge prompts and judge pins: what a graded assertion sends, and to which model.

A judge prompt is an ordinary prompt of the repository with the id ``judges/<kind>``
(``judges/rubric``, ``judges/groundedness``, ``judges/relevance``, ``judges/factuality``,
``judges/select_best``): reviewed, versioned and diffed like any other. A repository that
has none uses the built-in text below, compiled here into the same object the compiler
would produce. Its inputs are a subset of ``output``, ``question``, ``criteria``,
``context``, ``reference`` and ``outputs``; its answer is JSON (``{score, reason}``, or
``{best, reason}`` for select_best), which the judge prompt's output schema asks for.

The judge pin (the model that answers) is, first found: the assertion's ``judge:``, the
eval set's ``judge:``, the pin marked ``judge: true`` in models.yaml, the repository judge
prompt's own ``model:``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptops.compile.engine import analyse
from promptops.compile.shared import compile_model
from promptops.repo.types import Repository

__all__ = [
    "BUILTIN_JUDGES",
    "GRADED_KINDS",
    "JUDGE_KINDS",
    "JudgeSetup",
    "builtin_judge_prompt",
    "judge_prompt_id",
    "judge_setup",
]

_SCORE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "reason": {"type": "string"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
    },
    "required": ["reason", "score"],
    "additionalProperties": False,
}
_BEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"best": {"type": "integer", "minimum": 1}, "reason": {"type": "string"}},
    "required": ["best", "reason"],
    "additionalProperties": False,
}

_SYSTEM = (
    "You are a strict, fair evaluator of an AI assistant's answers. Judge only what you "
    "are asked; do not reward length or style unless the criteria ask for it. Answer with "
    "one JSON object and nothing else."
)
_SCORED = (
    'Answer as {"reason": "<one or two sentences>", "score": <a number from 0 to 1>}, '
    "where 1 means fully meets the bar and 0 not at all."
)

# kind -> (user template, the inputs it uses, output schema)
BUILTIN_JUDGES: dict[str, tuple[str, tuple[str, ...], dict[str, Any]]] = {
    "rubric": (
        "Grade the answer against these criteria.\n\nCriteria:\n{{ criteria }}\n\n"
        "Question:\n{{ question }}\n\nAnswer:\n{{ output }}\n\n" + _SCORED,
        ("criteria", "question", "output"),
        _SCORE_SCHEMA,
    ),
    "groundedness": (
        "Is every factual claim in the answer supported by the context? Claims the context "
        "does not support lower the score; a refusal that invents nothing scores 1.\n\n"
        "Context:\n{{ context }}\n\nAnswer:\n{{ output }}\n\n" + _SCORED,
        ("context", "output"),
        _SCORE_SCHEMA,
    ),
    "relevance": (
        "Does the answer address the question asked, without drifting off topic?\n\n"
        "Question:\n{{ question }}\n\nAnswer:\n{{ output }}\n\n" + _SCORED,
        ("question", "output"),
        _SCORE_SCHEMA,
    ),
    "factuality": (
        "Is the answer factually consistent with the reference answer? Extra detail that "
        "does not contradict the reference is fine; a contradiction scores 0.\n\n"
        "Question:\n{{ question }}\n\nReference answer:\n{{ reference }}\n\n"
        "Answer:\n{{ output }}\n\n" + _SCORED,
        ("question", "reference", "output"),
        _SCORE_SCHEMA,
    ),
    "select_best": (
        "Which answer best meets the criteria?\n\nCriteria:\n{{ criteria }}\n\n"
        "Question:\n{{ question }}\n\n{{ outputs }}\n\n"
        'Answer as {"best": <the number of the best answer>, "reason": "<why>"}.',
        ("criteria", "question", "outputs"),
        _BEST_SCHEMA,
    ),
}
JUDGE_KINDS = tuple(BUILTIN_JUDGES)
# Assertion kinds answered by a judge, an embedding or a python: function (judges.py).
GRADED_KINDS = (*(k for k in JUDGE_KINDS if k != "select_best"), "similar", "python", "select_best")


def judge_prompt_id(kind: str) -> str:
    """The prompt id a repository uses to override the judge prompt of ``kind``."""
    return f"judges/{kind}"


def builtin_judge_prompt(kind: str, model: Mapping[str, Any]) -> dict[str, Any]:
    """The compiled prompt object (ADR 0002) of the built-in judge prompt ``kind``,
    answered by the compiled pin ``model``.

    Raises:
        KeyError: if ``kind`` has no built-in judge prompt.
    """
    template, inputs, schema = BUILTIN_JUDGES[kind]
    return {
        "id": judge_prompt_id(kind),
        "path": f"(built-in judge prompt {kind})",
        "description": f"Built-in {kind} judge.",
        "owner": "promptops",
        "tags": [],
        "model": dict(model),
        "params": {},
        "input_schema": {
            "type": "object",
            "properties": {name: {"type": "string"} for name in inputs},
            "required": sorted(inputs),
            "additionalProperties": False,
        },
        "system": [],
        "messages": [
            {"role": "system", "template": _SYSTEM, "engine": "text"},
            {"role": "user", "template": template, "engine": analyse(template).engine},
        ],
        "partials": {},
        "tools": [],
        "output_schema": schema,
    }


@dataclass(frozen=True)
class JudgeSetup:
    """What graded assertions need from the repository, resolved before anything is sent.

    ``pins``: pin name -> ``(compiled model object, pin params)``; ``judge``/``embedder``:
    the pins marked ``judge: true`` / ``embedding: true`` (None if no pin is);
    ``prompts``: compiled judge prompts the repository defines (id -> object);
    ``root``: where ``python:`` checks import the repository's code from.
    """

    pins: Mapping[str, tuple[Mapping[str, Any], Mapping[str, Any]]] = field(default_factory=dict)
    judge: str | None = None
    embedder: str | None = None
    prompts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    root: Path | None = None

    def prompt(self, kind: str, pin: str | None) -> dict[str, Any]:
        """The compiled judge prompt of ``kind`` answered by ``pin`` (None: the
        repository judge prompt's own pin).

        Raises:
            LookupError: with the fix, if no judge pin can be found.
        """
        own = self.prompts.get(judge_prompt_id(kind))
        if pin is None:
            if own is not None:
                return dict(own)
            raise LookupError(
                f"{kind} needs a judge model: mark one pin `judge: true` in models.yaml, or "
                f"name one with `judge: PIN` in the eval set or the assertion"
            )
        model, params = self.pins[pin]
        if own is None:
            obj = builtin_judge_prompt(kind, model)
            obj["params"] = dict(params)
            return obj
        own_params = {k: v for k, v in own["params"].items()}
        return {**own, "model": dict(model), "params": {**params, **own_params}}


def judge_setup(
    repo: Repository, ids: Iterable[str], load: Callable[[str], Mapping[str, Any]]
) -> JudgeSetup:
    """The judge setup of ``repo``: its pins, the pins marked ``judge``/``embedding``, and
    its judge prompts (ids ``judges/...`` among ``ids``, compiled objects from ``load``)."""
    pins = {
        name: (compile_model(name, pin), dict(pin.params))
        for name, pin in repo.models.models.items()
    }
    judge = next((n for n, p in repo.models.models.items() if p.judge), None)
    embedder = next((n for n, p in repo.models.models.items() if p.embedding), None)
    own = {pid: load(pid) for pid in ids if pid.startswith("judges/")}
    return JudgeSetup(pins, judge, embedder, own, repo.root)
