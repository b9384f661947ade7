"""An experiment's relative weights become the runtime's whole buckets (ADR 0018)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from promptops.spec import Experiment


@given(st.lists(st.floats(min_value=1, max_value=1000), min_size=2, max_size=8))
def test_buckets_sum_to_10000_and_follow_the_weights(weights: list[float]) -> None:
    arms = {f"a{i}": {"weight": w} for i, w in enumerate(weights)}
    spec = Experiment.model_validate({"prompt": "p", "arms": arms, "metrics": [{"name": "m"}]})
    buckets = spec.buckets()
    assert list(buckets) == list(arms) and sum(buckets.values()) == 10_000
    total = sum(weights)
    for (_, b), w in zip(buckets.items(), weights, strict=True):
        assert b >= 1 and abs(b - w * 10_000 / total) < 1  # largest remainder: within a bucket
