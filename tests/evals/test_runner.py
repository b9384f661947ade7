"""The runner: planning errors, repeat/min_pass, render errors, costs, sharing a session."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest

from promptops.errors import ValidationError
from promptops.evals import EvalSession, PromptTable, ResponseCache
from promptops.evals.providers.base import CallContext
from promptops.evals.types import Request, Response
from promptops.spec import EvalSet
from tests.evals.fake_llm import Reply, serve
from tests.evals.prompts import case, compiled, eval_set


class Scripted:
    """A provider answering from a list, in call order; counts calls."""

    remote = False

    def __init__(self, name: str, texts: list[str], latencies: list[float] | None = None) -> None:
        self.name = name
        self._texts = itertools.cycle(texts)
        self._latencies = itertools.cycle(latencies or [0.0])
        self._lock = threading.Lock()
        self.calls = 0

    def complete(self, request: Request, context: CallContext) -> Response:
        with self._lock:
            self.calls += 1
            text = next(self._texts)
            return Response(text, tokens_in=1000, tokens_out=500, latency_ms=next(self._latencies))

    def close(self) -> None:
        pass


def _session(provider: Scripted) -> EvalSession:
    return EvalSession(provider=provider.name, providers={provider.name: provider})


def test_repeat_passes_with_min_pass_of_the_samples() -> None:
    flaky = Scripted("flaky", ["hello Ada", "bye", "hello Ada"])
    evals = eval_set(
        "greet",
        case("two-of-three", "Ada", {"contains": "hello"}, repeat=3, min_pass=2),
        case("all-of-three", "Bob", {"contains": "hello"}, repeat=3),
    )
    report = _session(flaky).run(PromptTable({"greet": compiled()}), {"evals/greet.yaml": evals})
    first, second = report.cases
    assert (first.passed, first.passes) == (True, 2)
    assert (second.passed, second.passes) == (False, 2)
    assert second.failures == (
        "2 of 3 samples passed; 3 needed",
        "expected output to contain 'hello'; found 'bye'",
    )
    assert flaky.calls == 6  # samples of one request are distinct requests


@pytest.mark.parametrize(
    ("bad_case", "message"),
    [
        (case("c1", "Ada", {"regex": "(unclosed"}),
         "evals/greet.yaml: case 'c1': assertion 1: invalid regular expression '(unclosed': "
         "missing ), unterminated subpattern at position 0"),
        (case("c2", "Ada", {"contains": "a"}, {"icontain": "b"}),
         "evals/greet.yaml: case 'c2': assertion 2: unknown assertion type 'icontain'; "
         "did you mean 'icontains'?"),
    ],
)  # fmt: skip
def test_malformed_cases_fail_before_anything_is_sent(
    bad_case: dict[str, object], message: str
) -> None:
    provider = Scripted("s", ["x"])
    evals = eval_set("greet", case("fine", "Ada"), bad_case)
    with pytest.raises(ValidationError) as info:
        _session(provider).run(PromptTable({"greet": compiled()}), {"evals/greet.yaml": evals})
    assert str(info.value) == message
    assert provider.calls == 0


def test_an_eval_set_for_a_missing_prompt_is_an_error() -> None:
    with pytest.raises(ValidationError) as info:
        EvalSession().run(PromptTable({}), {"evals/x.yaml": eval_set("gone", case("a", "A"))})
    assert str(info.value) == (
        "evals/x.yaml: the eval set targets prompt 'gone', which does not exist; "
        "fix its 'prompt:' key"
    )


def test_a_case_that_does_not_render_fails_alone() -> None:
    evals = eval_set(
        "greet",
        {"name": "typo", "inputs": {"nmae": "Ada"}, "assert": []},
        case("ok", "Ada", {"contains": "Ada"}),
    )
    report = EvalSession(provider="echo").run(
        PromptTable({"greet": compiled()}), {"evals/g.yaml": evals}
    )
    typo, ok = report.cases
    assert typo.error == ("cannot render the prompt: prompt 'greet': missing required input 'name'")
    assert not typo.passed and ok.passed and not report.ok
    assert report.totals.calls == 1


def test_totals_cost_and_latency_percentiles() -> None:
    provider = Scripted("s", ["x"], latencies=[float(i) for i in range(1, 21)])
    cases = [case(f"c{i}", f"user {i}") for i in range(20)]
    prompts = PromptTable(
        {"greet": compiled(pricing={"input_per_mtok": 2.0, "output_per_mtok": 10.0})}
    )
    report = _session(provider).run(prompts, {"evals/g.yaml": eval_set("greet", *cases)})
    totals = report.totals
    assert (totals.cases, totals.passed, totals.samples) == (20, 20, 20)
    assert (totals.tokens_in, totals.tokens_out) == (20_000, 10_000)
    assert report.cases[0].samples[0].cost == pytest.approx(0.007)  # 1000*2/1e6 + 500*10/1e6
    assert totals.cost == pytest.approx(0.14)
    assert (totals.latency_p50_ms, totals.latency_p95_ms) == (10.0, 19.0)


def test_no_pricing_means_no_cost() -> None:
    report = EvalSession(provider="echo").run(
        PromptTable({"greet": compiled()}), {"evals/g.yaml": eval_set("greet", case("a", "A"))}
    )
    assert report.totals.cost is None and report.cases[0].samples[0].cost is None


def test_base_and_head_in_one_session_send_identical_requests_once() -> None:
    provider = Scripted("s", ["hello"])
    session = _session(provider)
    cases = {"evals/g.yaml": eval_set("greet", case("a", "Ada"), case("b", "Bob"))}
    base = PromptTable({"greet": compiled()})
    head_same = PromptTable({"greet": compiled()})
    head_changed = PromptTable({"greet": compiled(template="Greet {{ name }} warmly.")})
    first = session.run(base, cases)
    again = session.run(head_same, cases)
    changed = session.run(head_changed, cases)
    assert (first.totals.calls, first.totals.cache_hits) == (2, 0)
    assert (again.totals.calls, again.totals.cache_hits) == (0, 2)
    assert (changed.totals.calls, changed.totals.cache_hits) == (2, 0)
    assert provider.calls == 4
    assert [c.request_digest for c in first.cases] == [c.request_digest for c in again.cases]


def test_prompt_filter_runs_only_those_prompts() -> None:
    prompts = PromptTable({"greet": compiled(), "other": compiled("other")})
    sets = {
        "evals/g.yaml": eval_set("greet", case("a", "Ada")),
        "evals/o.yaml": eval_set("other", case("b", "Bob")),
    }
    report = EvalSession(provider="echo").run(prompts, sets, prompt_ids={"other"})
    assert [(c.prompt_id, c.case) for c in report.cases] == [("other", "b")]


def test_progress_reports_every_sample() -> None:
    seen: list[tuple[int, int]] = []
    evals = eval_set("greet", case("a", "Ada", repeat=2), case("b", "Bob"))
    EvalSession(provider="echo").run(
        PromptTable({"greet": compiled()}),
        {"evals/g.yaml": evals},
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_remote_cases_run_concurrently_through_the_local_server() -> None:
    with serve() as fake:
        fake.replies.append(Reply(status=500))  # one transient failure, retried
        prompts = PromptTable({"greet": compiled(provider="openai", base_url=fake.url)})
        cases = [case(f"c{i}", f"user {i % 10}", {"contains": f"user {i % 10}"}) for i in range(20)]
        with EvalSession(env={}, sleep=lambda s: None) as session:
            report = session.run(prompts, {"evals/g.yaml": eval_set("greet", *cases)})
    assert report.ok
    assert report.totals.calls == 10  # 20 cases, 10 distinct requests
    assert report.totals.cache_hits == 10
    assert len(fake.requests) == 11  # plus the retried 500


def test_a_provider_failure_is_an_error_naming_it() -> None:
    with serve() as fake:
        fake.replies.extend([Reply(status=400)])
        prompts = PromptTable({"greet": compiled(provider="openai", base_url=fake.url)})
        with EvalSession(env={}) as session:
            report = session.run(prompts, {"evals/g.yaml": eval_set("greet", case("a", "Ada"))})
    assert report.cases[0].error == (
        f"case 'a' of evals/g.yaml (prompt 'greet'): HTTP 400 from openai at "
        f"{fake.url}/chat/completions: status 400"
    )
    assert report.cases[0].status == "error"
    assert not report.ok


def test_the_eval_sets_provider_overrides_the_pin_and_the_flag_overrides_both() -> None:
    scripted = Scripted("scripted", ["from the eval set's provider"])
    evals = EvalSet.model_validate(
        {"prompt": "greet", "provider": "echo", "cases": [case("a", "Ada")]}
    )
    prompts = PromptTable({"greet": compiled(provider="openai")})
    by_set = EvalSession(env={}).run(prompts, {"evals/g.yaml": evals})
    assert by_set.cases[0].output == "Say hello to Ada."
    by_flag = _session(scripted).run(prompts, {"evals/g.yaml": evals})
    assert by_flag.cases[0].output == "from the eval set's provider"


def test_remote_answers_are_cached_on_disk_across_sessions(tmp_path: Path) -> None:
    with serve() as fake:
        prompts = PromptTable({"greet": compiled(provider="openai", base_url=fake.url)})
        sets = {"evals/g.yaml": eval_set("greet", case("a", "Ada"), case("b", "Bob"))}
        reports = []
        for cache in (
            ResponseCache(tmp_path),
            ResponseCache(tmp_path),
            ResponseCache(enabled=False),
        ):
            with EvalSession(env={}, cache=cache) as session:
                reports.append(session.run(prompts, sets))
    first, second, uncached = reports
    assert (first.totals.calls, second.totals.calls, uncached.totals.calls) == (2, 0, 2)
    assert second.totals.cache_hits == 2 and second.cases[0].samples[0].cached
    assert len(fake.requests) == 4
    assert first.to_dict()["cases"][0]["output"] == second.to_dict()["cases"][0]["output"]
