"""Prompt variants under an experiment, from the YAML to a render (ADR 0018): compiled by
the real compiler, published, verified and assigned by key."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from promptops.compile import compile_repository
from promptops.errors import BundleError, UsageError
from promptops.repo import load_repository
from promptops.runtime import Registry
from tests.helpers import MINIMAL_REPO, write_files
from tests.repo.test_variants import REPO
from tests.runtime.fixtures import CONFIG, GREET, TRUST, publish

KEYS = [f"user-{i}" for i in range(100_000)]
WEIGHTS = {"control": 0.50, "short": 0.25, "pinned": 0.25}


def _compiled(tmp_path: Path, changes: dict[str, str] | None = None, base: Any = REPO) -> Any:
    src = tmp_path / "src"
    write_files(src, {**base, **(changes or {})})
    repo = load_repository(src, today=dt.date(2026, 6, 1))
    assert repo.ok, repo.errors
    return compile_repository(repo, cache=False).prompt("greet")


def _open(site: Path) -> Registry:
    return Registry.open(site, trust=TRUST, channel="production", config=CONFIG)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    publish(root, {"greet": _compiled(tmp_path)})
    return root


def test_each_arm_renders_its_variant_and_provenance_names_it(site: Path) -> None:
    reg = _open(site)
    seen: dict[str, tuple[Any, ...]] = {}
    for key in KEYS[:300]:
        req = reg.prompt("greet", key=key).render(name="Ada")
        p = req.provenance
        seen[p.experiment_arm or ""] = (
            p.variant, p.experiment, req.messages[-1]["content"], req.model, dict(req.params)
        )  # fmt: skip
    assert seen == {
        "control": (None, "greeting", "Say hello to Ada.", "echo-2024-01-01",
                    {"temperature": 0.1, "max_tokens": 200}),
        "short": ("short", "greeting", "Hi Ada.", "echo-2024-01-01",
                  {"temperature": 0.7, "max_tokens": 200}),
        # The second pin has no params of its own: the prompt's apply over it.
        "pinned": ("other-pin", "greeting", "Say hello to Ada.", "echo-2024-02-01",
                   {"temperature": 0.1}),
    }  # fmt: skip
    # The system instruction stays in every variant.
    assert reg.prompt("greet", variant="short").render(name="A").messages[0] == {
        "role": "system",
        "content": "Be brief and kind.",
    }


def test_assignment_over_100000_keys_is_within_half_a_percent_and_sticky(site: Path) -> None:
    reg = _open(site)
    arms = {k: reg.prompt("greet", key=k).provenance.experiment_arm for k in KEYS}
    counts = Counter(arms.values())
    for arm, weight in WEIGHTS.items():
        assert abs(counts[arm] / len(KEYS) - weight) < 0.005, (arm, counts)
    again = _open(site)  # another process: the same arms
    assert all(again.prompt("greet", key=k).provenance.experiment_arm == arms[k] for k in KEYS)


def test_a_new_salt_reshuffles_units(tmp_path: Path) -> None:
    from tests.repo.test_variants import EXPERIMENT, X

    site = tmp_path / "site"
    salted = {X: EXPERIMENT + "salt: second-run\n"}
    publish(site, {"greet": _compiled(tmp_path, salted)})
    before = tmp_path / "before"
    publish(before, {"greet": _compiled(tmp_path / "b")})
    a, b = _open(before), _open(site)
    moved = sum(
        a.prompt("greet", key=k).provenance.experiment_arm
        != b.prompt("greet", key=k).provenance.experiment_arm
        for k in KEYS[:2000]
    )
    # Independent assignments agree with probability 0.5^2 + 0.25^2 + 0.25^2 = 0.375.
    assert 0.5 < moved / 2000 < 0.75


def test_without_a_key_each_request_is_assigned_on_its_own(site: Path) -> None:
    reg = _open(site)
    arms = Counter(reg.prompt("greet").provenance.experiment_arm for _ in range(2000))
    assert set(arms) == set(WEIGHTS)


def test_a_variant_may_be_asked_for_by_name(site: Path) -> None:
    reg = _open(site)
    short = reg.prompt("greet", key="user-1", variant="short")
    assert short.render(name="Ada").messages[-1]["content"] == "Hi Ada."
    p = short.provenance
    assert (p.variant, p.experiment, p.experiment_arm) == ("short", None, None)
    assert reg.prompt("greet", variant="short") is short  # compiled once
    base = reg.prompt("greet", variant="base")
    assert base.render(name="Ada").messages[-1]["content"] == "Say hello to Ada."
    assert base.provenance.variant is None
    with pytest.raises(UsageError) as err:
        reg.prompt("greet", variant="shrt")
    assert str(err.value) == (
        "prompt 'greet' of release v1 has no variant 'shrt' "
        "(variants: base, other-pin, short); did you mean 'short'?"
    )


def test_a_prompt_without_variants_compiles_as_before_and_old_bundles_load(
    tmp_path: Path,
) -> None:
    plain = _compiled(tmp_path, base=MINIMAL_REPO)
    assert set(plain) == {"id", "path", "description", "owner", "tags", "model", "params",
                          "input_schema", "system", "messages", "partials", "tools",
                          "output_schema"}  # fmt: skip
    site = tmp_path / "site"
    publish(site, {"greet": GREET})  # written by hand, as before variants existed
    reg = _open(site)
    p = reg.prompt("greet", key="k").provenance
    assert (p.variant, p.experiment, p.experiment_arm) == (None, None, None)
    with pytest.raises(UsageError, match="has no variant 'short'"):
        reg.prompt("greet", variant="short")


@pytest.mark.parametrize(
    ("experiment", "message"),
    [
        ({"name": "x", "salt": "x"}, "bundle: prompt 'greet' has a malformed experiment ('arms')"),
        (
            {"name": "x", "salt": "x", "arms": [{"name": "a", "variant": None, "weight": 5000},
                                               {"name": "b", "variant": None, "weight": 4000}]},
            "bundle: prompt 'greet' has a malformed experiment "
            "(weights must be positive integers summing to 10000)",
        ),
        (
            {"name": "x", "salt": "x", "arms": [{"name": "a", "variant": None, "weight": 5000},
                                               {"name": "b", "variant": "nope", "weight": 5000}]},
            "bundle: prompt 'greet' has no variant 'nope'",
        ),
    ],
)  # fmt: skip
def test_a_malformed_experiment_is_a_bundle_error(
    tmp_path: Path, experiment: dict[str, Any], message: str
) -> None:
    publish(tmp_path, {"greet": {**GREET, "experiment": experiment}})
    reg = _open(tmp_path)
    with pytest.raises(BundleError) as err:
        for key in KEYS[:50]:
            reg.prompt("greet", key=key)
    assert str(err.value) == message


def test_a_span_names_the_variant_the_experiment_and_its_arm(site: Path) -> None:
    from opentelemetry import trace

    from tests.otel_capture import memory_exporter

    spans = memory_exporter()
    cfg = CONFIG._replace(otel=True)
    reg = Registry.open(site, trust=TRUST, channel="production", config=cfg)
    key = next(k for k in KEYS if reg.prompt("greet", key=k).provenance.experiment_arm == "short")
    with trace.get_tracer("app").start_as_current_span("handler"):
        reg.prompt("greet", key=key).render(name="Ada")
    (span,) = [s for s in spans.get_finished_spans() if s.name == "handler"]
    attrs = dict(span.attributes or {})
    assert (
        attrs["promptops.variant"], attrs["promptops.experiment"], attrs["promptops.experiment.arm"]
    ) == ("short", "greeting", "short")  # fmt: skip
    spans.clear()


@pytest.mark.parametrize(
    "weights", [(5000, 5000), (9000, 1000), (1, 9999), (3334, 3333, 3333), (2500, 2500, 2500, 2500)]
)
def test_a_split_compares_digests_exactly_as_buckets(weights: tuple[int, ...]) -> None:
    # Split compares digest bytes with precomputed bounds; bucket() is the definition.
    from promptops.runtime.assign import Split, bucket, thresholds

    salt = b"experiment-salt"
    split = Split(salt, list(range(len(weights))), weights)
    limits = thresholds(weights)
    for key in KEYS[:20_000]:
        b = bucket(salt, key)
        assert split.choose(key) == split.index(key) == sum(1 for lim in limits if lim <= b)
