"""The statistics against known values, and the sequential test's guarantees simulated
with fixed seeds: repeated looks at data with no effect stay within alpha (a fixed-horizon
test looked at as often does not), and a real effect is found."""

from __future__ import annotations

import math
import random
from statistics import NormalDist

import pytest

from promptops.experiments import Summary, compare, mixture_ratio, summarise


def test_summaries_and_intervals_match_the_textbook() -> None:
    s = summarise([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
    assert (s.n, s.mean) == (8, 5.0)
    assert s.variance == pytest.approx(32 / 7)
    low, high = s.interval(0.05)  # type: ignore[misc]
    half = 1.959963984540054 * math.sqrt(32 / 7 / 8)
    assert (low, high) == (pytest.approx(5 - half), pytest.approx(5 + half))
    assert summarise([3.0]).interval(0.05) is None
    assert summarise([1e9 + x for x in (4.0, 7.0, 13.0, 16.0)]).variance == pytest.approx(30.0)


def test_the_mixture_ratio_has_its_closed_form_value() -> None:
    # V = tau^2 = 1, d = 2: sqrt(1/2) * exp(4 / 4) = e / sqrt(2)
    assert mixture_ratio(2.0, 1.0, 1.0) == pytest.approx(math.e / math.sqrt(2))
    assert mixture_ratio(0.0, 1.0, 3.0) == pytest.approx(0.5)  # no evidence: below 1
    assert mixture_ratio(1e6, 1e-9, 1.0) == math.exp(700.0)  # capped, not an overflow


def test_the_always_valid_interval_is_where_the_test_stops_rejecting() -> None:
    treatment, control = Summary(400, 0.36, 0.2304), Summary(400, 0.30, 0.21)
    c = compare(treatment, control, 0.05, 0.1)
    assert c is not None
    variance = 0.2304 / 400 + 0.21 / 400
    tau2 = 0.01 * ((399 * 0.2304 + 399 * 0.21) / 798)
    for edge in c.interval:  # at the interval's ends the statistic is exactly 1 / alpha
        assert mixture_ratio(c.difference - edge, variance, tau2) == pytest.approx(20.0)
    assert c.difference == pytest.approx(0.06)
    assert c.lift == pytest.approx(0.2)
    assert c.p_value == pytest.approx(1 / mixture_ratio(0.06, variance, tau2))
    assert c.significant is (c.p_value <= 0.05)
    assert compare(Summary(1, 1.0, 0.0), control, 0.05, 0.1) is None
    assert compare(Summary(5, 1.0, 0.0), Summary(5, 1.0, 0.0), 0.05, 0.1) is None


def _trial(rng: random.Random, p_control: float, p_treatment: float, looks: int, per_look: int):  # type: ignore[no-untyped-def]
    """Yes/no outcomes arriving in batches; yields both arms' summaries after each batch."""
    arms = [[0, 0], [0, 0]]  # (n, successes) per arm: Bernoulli sums are exact
    for _ in range(looks):
        for arm, p in enumerate((p_control, p_treatment)):
            arms[arm][0] += per_look
            arms[arm][1] += sum(rng.random() < p for _ in range(per_look))
        summaries = []
        for n, k in arms:
            mean = k / n
            summaries.append(Summary(n, mean, mean * (1 - mean) * n / (n - 1)))
        yield summaries[0], summaries[1]


def _naive_z(treatment: Summary, control: Summary, alpha: float) -> bool:
    se = math.sqrt(treatment.variance / treatment.n + control.variance / control.n)
    return se > 0 and abs(treatment.mean - control.mean) / se > NormalDist().inv_cdf(1 - alpha / 2)


def test_looking_twenty_times_at_no_effect_keeps_false_positives_within_alpha() -> None:
    rng = random.Random(20261203)
    runs, alpha = 300, 0.05
    sequential = naive = 0
    for _ in range(runs):
        hit_seq = hit_naive = False
        for control, treatment in _trial(rng, 0.3, 0.3, looks=20, per_look=100):
            c = compare(treatment, control, alpha, 0.1)
            hit_seq = hit_seq or (c is not None and c.significant)
            hit_naive = hit_naive or _naive_z(treatment, control, alpha)
        sequential += hit_seq
        naive += hit_naive
    # mSPRT: at most alpha, up to sampling noise (sd of the rate ~0.013; 2.7% here).
    assert sequential / runs <= alpha + 0.02
    # The same looks with a fixed-horizon z-test (24% here): what the sequential test avoids.
    assert naive / runs >= 2.5 * alpha


def test_a_real_effect_is_found_and_the_direction_is_right() -> None:
    rng = random.Random(7)
    found = 0
    runs = 60
    for _ in range(runs):
        for control, treatment in _trial(rng, 0.30, 0.36, looks=20, per_look=100):
            c = compare(treatment, control, 0.05, 0.1)
            if c is not None and c.significant:
                assert c.difference > 0  # never "significant" the wrong way round here
                found += 1
                break
    assert found / runs >= 0.75  # 2,000 units per arm: a 6-point lift is found (82% here)
