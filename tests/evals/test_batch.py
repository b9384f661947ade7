"""``eval --batch`` against local fakes of OpenAI Batch and Anthropic Message Batches
(issue 14, item 5): same results format, progress, resume after an interruption."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptops.evals import evaluate_repository
from promptops.evals.api import default_cache_dir
from promptops.evals.config import EvalConfig
from tests.evals.fake_llm import serve
from tests.helpers import MINIMAL_REPO, init_repo

EVALS = """\
prompt: greet
cases:
  - {name: ada, inputs: {name: Ada}, assert: [{contains: Ada}]}
  - {name: bob, inputs: {name: Bob}, assert: [{contains: Bob}]}
  - {name: cy, inputs: {name: Cy}, assert: [{contains: Cy}], repeat: 2}
"""


def _repo(tmp_path: Path, provider: str, url: str) -> Path:
    models = MINIMAL_REPO["models.yaml"].replace("provider: echo", f"provider: {provider}")
    models = models.replace("model: echo-2024-01-01", f"model: m-2024-01-01\n    base_url: {url}")
    root = tmp_path / "repo"
    init_repo(root, {**MINIMAL_REPO, "models.yaml": models, "evals/greet.yaml": EVALS})
    return root


ENV = {"OPENAI_API_KEY": "sk-test", "ANTHROPIC_API_KEY": "ak-test"}
FAST = EvalConfig(batch_poll_s=0)  # no waiting between polls of the fake


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_batch_answers_in_the_same_format_at_half_price(tmp_path: Path, provider: str) -> None:
    with serve() as fake:
        url = fake.url if provider == "openai" else fake.url.removesuffix("/v1")
        root = _repo(tmp_path, provider, url)
        seen: list[tuple[int, int]] = []
        run = evaluate_repository(
            root, batch=True, env=ENV, config=FAST, progress=lambda d, t: seen.append((d, t))
        )
        direct = evaluate_repository(root, use_cache=False, env=ENV).report
    report = run.report
    assert [c.status for c in report.cases] == ["pass", "pass", "pass"]
    assert [c.output for c in report.cases] == [c.output for c in direct.cases]
    assert len(fake.batches) == 1  # one batch for the run: 4 requests (cy twice)
    assert len(next(iter(fake.batches.values()))["items"]) == 4
    assert seen[-1][0] == seen[-1][1] == 4 and len(seen) == 2  # polled until done
    # Half the pin's prices: 1.0 / 2.0 per million tokens.
    batch_cost = sum(s.cost or 0 for c in report.cases for s in c.samples)
    direct_cost = sum(s.cost or 0 for c in direct.cases for s in c.samples)
    assert batch_cost == pytest.approx(direct_cost / 2)
    # The answers are in the response cache: a second run sends nothing.
    with serve() as again:
        again_url = again.url if provider == "openai" else again.url.removesuffix("/v1")
        models = root / "models.yaml"
        models.write_text(models.read_text().replace(url, again_url), encoding="utf-8")
        evaluate_repository(root, batch=True, env=ENV, config=FAST)
    assert again.batches == {} and again.requests == []


class Interrupted(Exception):
    pass


def test_an_interrupted_batch_is_resumed_not_resubmitted(tmp_path: Path) -> None:
    with serve() as fake:
        fake.batch_polls = 3
        root = _repo(tmp_path, "openai", fake.url)

        def stop(done: int, total: int) -> None:
            raise Interrupted  # Ctrl-C while the first poll is reported

        with pytest.raises(Interrupted):
            evaluate_repository(root, batch=True, env=ENV, config=FAST, progress=stop)
        state_dir = default_cache_dir(root).parent / "batches"  # type: ignore[union-attr]
        [state] = list(state_dir.iterdir())
        assert json.loads(state.read_text())["batch_id"] == "batch_1"
        report = evaluate_repository(root, batch=True, env=ENV, config=FAST).report
    assert report.ok
    assert list(fake.batches) == ["batch_1"]  # polled the same batch, paid once
    assert not state.exists()
