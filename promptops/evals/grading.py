"""The second phase of a run: turn answered samples into judge and embedding requests,
then their answers into grades.

Judge requests are built from compiled judge prompts (:class:`JudgePrompts`, one
:class:`~promptops.runtime.Prompt` per judge kind and pin) exactly as case requests are
built from compiled prompts, so they share the cache, the recordings and the retries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from promptops.canonical import canonical_bytes, sha256_hex
from promptops.errors import RenderError
from promptops.evals.judge_prompts import JudgeSetup, judge_prompt_id
from promptops.evals.judges import Grade, Graded, JudgeInput, cosine, parse_score
from promptops.evals.types import Request, RequestFactory, Response, embedding_request
from promptops.runtime import Prompt, Provenance

if TYPE_CHECKING:
    from promptops.evals.pychecks import PythonChecks

__all__ = ["GradeJob", "JudgePrompts", "grade_sample", "judge_input", "sample_jobs"]


@dataclass(frozen=True)
class GradeJob:
    """A request a graded assertion needs: ``key`` says which (the runner's bookkeeping),
    ``prompt_id`` files its recording (``judges/<kind>`` or the embedder's)."""

    key: Hashable
    request: Request
    prompt_id: str


class JudgePrompts:
    """Compiled judge prompts by (kind, pin), made once per session."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: dict[str, tuple[Prompt, RequestFactory, frozenset[str]]] = {}

    def request(self, setup: JudgeSetup, graded: Graded, variables: Mapping[str, str]) -> Request:
        """The judge request of ``graded`` for these prompt variables.

        Raises:
            RenderError: if the judge prompt does not render with them.
        """
        obj = setup.prompt(graded.kind, graded.pin)
        key = sha256_hex(canonical_bytes(obj))
        with self._lock:
            made = self._made.get(key)
        if made is None:
            pid = judge_prompt_id(graded.kind)
            prompt = Prompt(obj, Provenance(pid, key, None, None, "", None), validate=True)
            model = obj["model"]
            factory = RequestFactory(
                provider=str(model["provider"]),
                model=str(model["model"]),
                params=obj.get("params") or {},
                tools=[],
                output_schema=obj.get("output_schema"),
                base_url=model.get("base_url"),
            )
            names = frozenset((obj.get("input_schema") or {}).get("properties", {}))
            made = (prompt, factory, names)
            with self._lock:
                self._made[key] = made
        prompt, factory, names = made
        rendered = prompt.render(**{k: v for k, v in variables.items() if k in names})
        return factory.make(rendered.messages)


def judge_input(request: Request, response: Response, inputs: Mapping[str, Any]) -> JudgeInput:
    """What graded assertions see of one answered sample."""
    question = ""
    for message in request.messages:
        if message.get("role") == "user" and isinstance(message.get("content"), str):
            question = str(message["content"])
    calls = [c.to_dict() for c in response.tool_calls]
    return JudgeInput(response.text, question, inputs, calls)


def sample_jobs(
    base: tuple[Hashable, ...],
    graded: Sequence[Graded],
    sample: JudgeInput,
    setup: JudgeSetup,
    judges: JudgePrompts,
) -> tuple[list[GradeJob], dict[int, str]]:
    """The requests ``graded`` need for one sample, and the assertions that cannot even
    ask (index -> why: a missing context input, a judge prompt that does not render)."""
    jobs: list[GradeJob] = []
    broken: dict[int, str] = {}
    for k, g in enumerate(graded):
        if g.kind in ("python", "select_best"):
            continue
        if g.kind == "similar":
            assert g.pin is not None
            model = setup.pins[g.pin][0]
            for part, text in (("output", sample.output), ("expected", g.argument)):
                request = embedding_request(
                    str(model["provider"]), str(model["model"]), text, model.get("base_url")
                )
                jobs.append(GradeJob((*base, k, part), request, f"embeddings/{g.pin}"))
            continue
        try:
            request = judges.request(setup, g, g.variables(sample))
        except (ValueError, RenderError) as exc:
            broken[k] = f"{g.kind}: {exc}"
            continue
        jobs.append(GradeJob((*base, k), request, judge_prompt_id(g.kind)))
    return jobs, broken


Answer = tuple[Response, bool] | str


def grade_sample(
    base: tuple[Hashable, ...],
    graded: Sequence[Graded],
    sample: JudgeInput,
    answers: Mapping[Hashable, Answer],
    python: Callable[[], PythonChecks],
    case_data: Mapping[str, Any],
) -> tuple[list[Grade], str | None]:
    """The grades of one sample, or the error that leaves it without a verdict."""
    grades: list[Grade] = []
    for k, g in enumerate(graded):
        if g.kind == "select_best":
            continue  # graded across targets, after all of them answered
        if g.kind == "python":
            data = {**case_data, "output": sample.output, "tool_calls": list(sample.tool_calls)}
            value, error = python().call(g.argument, data, g.timeout_s)
            if error is not None:
                return grades, f"python check {error}"
            grade = _python_grade(g, value)
            if grade is None:
                return grades, (
                    f"python check {g.argument} returned {value!r}; expected true/false, a "
                    "score from 0 to 1, or {pass, score, reason}"
                )
            grades.append(grade)
            continue
        if g.kind == "similar":
            got = [answers.get((*base, k, part)) for part in ("output", "expected")]
            if any(not isinstance(a, tuple) for a in got):
                return grades, next(f"similar: {a}" for a in got if not isinstance(a, tuple))
            vectors = [a[0].embedding for a in got if isinstance(a, tuple)]
            if any(v is None for v in vectors):
                return grades, f"similar: the embedder pin {g.pin!r} returned no embedding"
            score = round(cosine(vectors[0] or (), vectors[1] or ()), 6)
            reason = f"cosine similarity to {g.argument[:60]!r}"
            grades.append(Grade(g.kind, score, g.threshold, reason, score >= g.threshold))
            continue
        answer = answers.get((*base, k))
        if not isinstance(answer, tuple):
            return grades, f"judge {g.kind}: {answer}"
        try:
            score, reason = parse_score(answer[0].text)
        except ValueError as exc:
            return grades, f"judge {g.kind}: {exc}"
        grades.append(Grade(g.kind, score, g.threshold, reason, score >= g.threshold))
    return grades, None


def _python_grade(g: Graded, value: Any) -> Grade | None:
    if isinstance(value, bool):
        return Grade(g.kind, float(value), g.threshold, g.argument, value)
    if isinstance(value, int | float) and 0 <= value <= 1:
        return Grade(g.kind, float(value), g.threshold, g.argument, value >= g.threshold)
    if isinstance(value, dict) and ("pass" in value or "score" in value):
        score = value.get("score")
        if score is not None and (
            isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1
        ):
            return None
        passed = value.get("pass", score is not None and score >= g.threshold)
        reason = str(value.get("reason") or g.argument)
        return Grade(g.kind, None if score is None else float(score), g.threshold, reason,
                     bool(passed))  # fmt: skip
    return None
