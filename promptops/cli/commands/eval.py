"""``promptops eval``: run eval cases and report pass/fail, tokens, cost and latency."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from promptops.cli.heap import lean_collector
from promptops.evals.names import FORMAT_NAMES, PROVIDER_NAMES

if TYPE_CHECKING:
    from promptops.evals import Progress


@contextlib.contextmanager
def _progress_bar() -> Iterator[Progress | None]:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise (CI logs)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    with Bar(
        "eval", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("eval", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@click.command("eval")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--ref", help="Evaluate this git ref instead of the working tree.")
@click.option(
    "--prompt",
    "prompt_ids",
    multiple=True,
    metavar="ID",
    help="Only this prompt and its variants (repeatable); ID@VARIANT for one variant, "
    "ID@base for the prompt as written.",
)
@click.option(
    "--provider",
    type=click.Choice(PROVIDER_NAMES),
    help="Answer every case with this provider instead of each model pin's.",
)
@click.option("--record", is_flag=True, help="Write answers to evals/recordings/ for replay.")
@click.option(
    "--prune", is_flag=True, help="Remove recordings under evals/recordings/ that no case uses."
)
@click.option(
    "--batch",
    is_flag=True,
    help="Send live requests through OpenAI Batch / Anthropic Message Batches (half price; "
    "resumes an interrupted run's batch).",
)
@click.option("--no-cache", is_flag=True, help="Send every request; bypass the response cache.")
@click.option("--concurrency", type=click.IntRange(min=1), help="Requests in flight at once.")
@click.option(
    "--pin",
    "pins",
    multiple=True,
    metavar="PIN",
    help="Run every case under this model pin instead of each prompt's (repeatable: "
    "a side-by-side table).",
)
@click.option(
    "--model",
    "models",
    multiple=True,
    metavar="PROVIDER:ID",
    help="A candidate model not yet pinned, e.g. openai:gpt-5-2025-08-07 (repeatable).",
)
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), default="text")
def command(
    path: Path,
    ref: str | None,
    prompt_ids: tuple[str, ...],
    provider: str | None,
    record: bool,
    prune: bool,
    batch: bool,
    no_cache: bool,
    concurrency: int | None,
    pins: tuple[str, ...],
    models: tuple[str, ...],
    fmt: str,
) -> None:
    """Run the eval cases of the prompt repository at PATH (default: here).

    Prints pass/fail per case (the failing assertion and an output excerpt) and totals of
    tokens, cost and latency. With --pin/--model, the same cases run on each target and a
    side-by-side table compares pass rate, judge scores (95% CI over repeat), tokens, cost,
    p50/p95 latency and the cases where the targets disagree. Exits 1 if any case fails
    or has no verdict.
    """
    with lean_collector() as loaded:
        if pins or models:
            if record or prune:
                raise click.UsageError(
                    "--record and --prune work on one run, not with --pin/--model"
                )
            _side_by_side(loaded, path, [*pins, *models], ref, prompt_ids, provider,
                          no_cache, concurrency, fmt)  # fmt: skip
        from promptops.evals.api import evaluate_repository
        from promptops.evals.formats import FORMATS

        loaded()
        with _progress_bar() as progress:
            run = evaluate_repository(
                path,
                ref=ref,
                prompt_ids=prompt_ids,
                provider=provider,
                record=record,
                prune=prune,
                batch=batch,
                use_cache=not no_cache,
                concurrency=concurrency,
                progress=progress,
            )
        if run.selection is not None:
            from promptops.cli.scope import report_scope

            report_scope(run.selection, ", ".join(prompt_ids))
        click.echo(FORMATS[fmt](run.report), nl=False)
        if run.recorded:
            click.echo(f"recorded {len(run.recorded)} file(s) under evals/recordings/", err=True)
        for rel in run.pruned:
            click.echo(f"pruned {rel}", err=True)
        if run.prune_skipped:
            click.echo(run.prune_skipped, err=True)
        sys.exit(0 if run.report.ok else 1)


def _side_by_side(
    loaded: Callable[[], None],
    path: Path,
    targets: list[str],
    ref: str | None,
    prompt_ids: tuple[str, ...],
    provider: str | None,
    no_cache: bool,
    concurrency: int | None,
    fmt: str,
) -> NoReturn:
    """``--pin``/``--model``: the same cases on each target, one table; exits."""
    # The side-by-side machinery loads only for --pin/--model.
    from promptops.evals.api import evaluate_matrix
    from promptops.evals.matrix_format import MATRIX_FORMATS

    loaded()
    if fmt not in MATRIX_FORMATS:
        raise click.UsageError(f"--format {fmt} is not available with --pin/--model")
    with _progress_bar() as progress:
        matrix = evaluate_matrix(
            path, targets, ref=ref, prompt_ids=prompt_ids, provider=provider,
            use_cache=not no_cache, concurrency=concurrency, progress=progress,
        )  # fmt: skip
    click.echo(MATRIX_FORMATS[fmt](matrix), nl=False)
    sys.exit(0 if matrix.ok else 1)
