"""The statistics of an experiment report: standard library only.

Per arm, the mean of a metric with a normal confidence interval. Between a treatment and
the control, the mixture sequential probability ratio test (mSPRT; Johari, Pekelis and
Walsh, "Always valid inference", 2017) for a difference of means under the normal
approximation: with ``V`` the variance of the observed difference ``d`` and a normal
mixture of scale ``tau`` over the true difference,

    Lambda = sqrt(V / (V + tau^2)) * exp(d^2 tau^2 / (2 V (V + tau^2)))

is a martingale under "no difference", so by Ville's inequality the chance that it ever
reaches ``1 / alpha`` is at most ``alpha``: an analyst may look after every new unit and
stop the first time it does, and the false-positive rate stays bounded. ``p = 1 / Lambda``
is the always-valid p-value; the always-valid interval is every difference the test would
not reject.
"""

import math
from statistics import NormalDist
from typing import NamedTuple

__all__ = ["Comparison", "Summary", "compare", "mixture_ratio", "summarise"]


class Summary(NamedTuple):
    """Count, mean and sample variance of one arm's per-unit values."""

    n: int
    mean: float
    variance: float  # sample variance (n - 1); 0 for fewer than two values

    def interval(self, alpha: float) -> tuple[float, float] | None:
        """The normal ``1 - alpha`` confidence interval of the mean (None below n = 2)."""
        if self.n < 2:
            return None
        half = NormalDist().inv_cdf(1 - alpha / 2) * math.sqrt(self.variance / self.n)
        return self.mean - half, self.mean + half


def summarise(values: list[float]) -> Summary:
    """Welford's one-pass mean and variance (stable for large counts)."""
    n, mean, m2 = 0, 0.0, 0.0
    for x in values:
        n += 1
        delta = x - mean
        mean += delta / n
        m2 += delta * (x - mean)
    return Summary(n, mean, m2 / (n - 1) if n > 1 else 0.0)


def mixture_ratio(difference: float, variance: float, tau2: float) -> float:
    """The mSPRT statistic Lambda for an observed ``difference`` of variance ``variance``
    and mixture variance ``tau2`` (computed in logs: it overflows long before it matters)."""
    log = 0.5 * math.log(variance / (variance + tau2)) + difference**2 * tau2 / (
        2 * variance * (variance + tau2)
    )
    return math.exp(min(log, 700.0))


class Comparison(NamedTuple):
    """A treatment against the control on one metric."""

    difference: float  # treatment mean - control mean
    lift: float | None  # difference / control mean
    p_value: float  # always valid: 1 / Lambda, at most 1
    interval: tuple[float, float]  # always-valid 1 - alpha interval of the difference
    significant: bool  # Lambda >= 1 / alpha


def compare(
    treatment: Summary, control: Summary, alpha: float, effect_size: float
) -> Comparison | None:
    """mSPRT of ``treatment`` against ``control``; the mixture's scale ``tau`` is
    ``effect_size`` pooled standard deviations. ``None`` when either arm has fewer than
    two units or no variance at all (nothing to test)."""
    if treatment.n < 2 or control.n < 2:
        return None
    variance = treatment.variance / treatment.n + control.variance / control.n
    pooled = ((treatment.n - 1) * treatment.variance + (control.n - 1) * control.variance) / (
        treatment.n + control.n - 2
    )
    if variance <= 0 or pooled <= 0:
        return None
    tau2 = effect_size**2 * pooled
    difference = treatment.mean - control.mean
    ratio = mixture_ratio(difference, variance, tau2)
    # Every difference theta with Lambda(d - theta) < 1 / alpha, solved for |d - theta|.
    bound = 2 * math.log(1 / alpha) + math.log((variance + tau2) / variance)
    half = math.sqrt(variance * (variance + tau2) / tau2 * bound)
    return Comparison(
        difference=difference,
        lift=difference / control.mean if control.mean else None,
        p_value=min(1.0, 1 / ratio),
        interval=(difference - half, difference + half),
        significant=ratio >= 1 / alpha,
    )
