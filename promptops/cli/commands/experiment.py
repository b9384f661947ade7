"""``promptops experiment report NAME --data FILE``: analyse an experiment's outcomes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import click

from promptops.experiments import ExperimentReport, experiment_report


def _number(x: float) -> str:
    return f"{x:.4g}"


def _text(r: ExperimentReport) -> str:
    exp = r.experiment
    control = exp.control_arm
    lines = [
        f"experiment {r.name}: prompt {exp.prompt}, unit {exp.unit}, control {control}, "
        f"alpha {exp.alpha:g} (mSPRT, always valid; {r.alpha:g} per comparison)"
    ]
    for metric in exp.metrics:
        primary = " (primary)" if metric is exp.metrics[0] else ""
        lines.append(f"\n{metric.name}{primary}, goal: {metric.goal}")
        lines.append(f"  {'arm':16} {'n':>7} {'mean':>10} {'95% CI':>23}   vs control")
        for arm in r.arms:
            s = arm.metrics[metric.name]
            ci = s.interval(exp.alpha)
            ci_text = f"[{_number(ci[0])}, {_number(ci[1])}]" if ci else "-"
            mean = _number(s.mean) if s.n else "-"
            row = f"  {arm.arm:16} {s.n:>7} {mean:>10} {ci_text:>23}"
            c = arm.comparisons.get(metric.name)
            if arm.arm == control:
                row += "   (control)"
            elif c is not None:
                lift = f"{c.lift:+.1%}" if c.lift is not None and math.isfinite(c.lift) else "n/a"
                row += (
                    f"   diff {c.difference:+.4g} [{_number(c.interval[0])}, "
                    f"{_number(c.interval[1])}], lift {lift}, p {c.p_value:.3g}"
                    + (" *" if c.significant else "")
                )
            lines.append(row)
    for why, count in sorted(r.skipped.items()):
        lines.append(f"note: left out {count} {why}")
    lines.append(f"\nverdict: {r.verdict} ({r.reason})")
    return "\n".join(lines)


@click.group("experiment")
def command() -> None:
    """Analyse experiments defined in experiments/NAME.yaml."""


@command.command("report")
@click.argument("name")
@click.option(
    "--data",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Outcome events: JSON Lines, CSV (key, arm, metric columns), or spans from the "
    "OpenTelemetry Collector's file exporter or the SDK's console exporter.",
)
@click.option(
    "--repo",
    default=Path("."),
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The prompt repository (default: the current directory).",
)
@click.option("--ref", help="Read experiments/NAME.yaml at this git ref.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def report(name: str, data: Path, repo: Path, ref: str | None, fmt: str) -> None:
    """Per-arm means with confidence intervals, the lift against the control and an
    always-valid sequential test (mSPRT), ending in a verdict: continue, ship ARM or stop.
    Looking every day does not inflate the false-positive rate."""
    result = experiment_report(repo, name, data, ref=ref)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(_text(result))
