"""Experiment analysis: per-arm means, lift and an always-valid sequential verdict.

Standard library only (``statistics`` for the normal quantiles)."""

from promptops.experiments.data import read_rows
from promptops.experiments.report import ArmResult, ExperimentReport, analyse, experiment_report
from promptops.experiments.stats import Comparison, Summary, compare, mixture_ratio, summarise

__all__ = [
    "ArmResult",
    "Comparison",
    "ExperimentReport",
    "Summary",
    "analyse",
    "compare",
    "experiment_report",
    "mixture_ratio",
    "read_rows",
    "summarise",
]
