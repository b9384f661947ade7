"""``select_best``: a judge picks the best output of one case across targets.

Graded after every target has answered (it needs all the outputs): one judge request per
case, listing the outputs in target order; the chosen target's case passes the assertion,
the others fail it with the judge's reason. With one target there is nothing to compare and
the assertion is not graded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from promptops.errors import RenderError
from promptops.evals.judge_prompts import JudgeSetup
from promptops.evals.judges import Grade, Graded, compile_graded, parse_best
from promptops.evals.matrix import MatrixReport
from promptops.evals.providers.base import CallContext
from promptops.evals.report import CaseResult, EvalReport
from promptops.evals.runner import EvalSession
from promptops.spec import EvalSet

__all__ = ["select_best"]


def _specs(eval_sets: Mapping[str, EvalSet], setup: JudgeSetup) -> dict[tuple[str, str], Graded]:
    found: dict[tuple[str, str], Graded] = {}
    for path, evals in eval_sets.items():
        defaults = [] if evals.defaults is None else evals.defaults.assert_
        for case in evals.cases:
            for spec in [*defaults, *case.assert_]:
                if isinstance(spec, dict) and set(spec) == {"select_best"}:
                    graded = compile_graded("select_best", spec["select_best"], setup, evals.judge)
                    found[(path, case.name)] = graded
    return found


def _with(case: CaseResult, grade: Grade | None, error: str | None) -> CaseResult:
    if error is not None:
        return dataclasses.replace(case, error=error)
    assert grade is not None and case.samples
    first = case.samples[0]
    failures = first.failures + ((grade.failure,) if grade.failure else ())
    sample = dataclasses.replace(first, grades=(*first.grades, grade), failures=failures)
    return dataclasses.replace(case, samples=(sample, *case.samples[1:]))


def _rebuild(report: EvalReport, cases: list[CaseResult]) -> EvalReport:
    passed = sum(1 for c in cases if c.passed)
    errors = sum(1 for c in cases if c.error is not None)
    totals = dataclasses.replace(
        report.totals, passed=passed, errors=errors, failed=len(cases) - passed - errors
    )
    return EvalReport(tuple(cases), totals, report.provider)


def select_best(
    matrix: MatrixReport, eval_sets: Mapping[str, EvalSet], session: EvalSession, setup: JudgeSetup
) -> MatrixReport:
    """``matrix`` with every select_best assertion graded (unchanged with one target)."""
    specs = _specs(eval_sets, setup) if len(matrix.labels) > 1 else {}
    if not specs:
        return matrix
    updated = [{(c.eval_path, c.case): c for c in r.cases} for r in matrix.reports]
    for path, name, results in matrix.rows():
        graded = specs.get((path, name))
        if graded is None or any(r is None or r.error is not None for r in results):
            continue
        listing = "\n\n".join(
            f"Answer {n}:\n{r.output}" for n, r in enumerate(results, start=1) if r is not None
        )
        first = results[0]
        assert first is not None
        variables = {"criteria": graded.argument, "question": "", "outputs": listing}
        try:
            request = session.judge_prompts.request(setup, graded, variables)
        except RenderError as exc:
            answer: object = f"select_best: {exc}"
        else:
            ctx = CallContext("judges/select_best", path, name, 0, first.prompt_id)
            answer = session.ask(request, ctx)
        for t, result in enumerate(results):
            assert result is not None
            if isinstance(answer, str):
                updated[t][(path, name)] = _with(result, None, f"judge select_best: {answer}")
                continue
            assert isinstance(answer, tuple)
            try:
                best, reason = parse_best(answer[0].text, len(results))
            except ValueError as exc:
                updated[t][(path, name)] = _with(result, None, f"judge select_best: {exc}")
                continue
            won = best == t
            why = f"chose {matrix.labels[best]}: {reason}"
            grade = Grade("select_best", float(won), 0.5, why, won)
            updated[t][(path, name)] = _with(result, grade, None)
    reports = tuple(
        _rebuild(r, [u[(c.eval_path, c.case)] for c in r.cases])
        for r, u in zip(matrix.reports, updated, strict=True)
    )
    return MatrixReport(matrix.labels, reports)
