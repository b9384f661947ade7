"""The eval runner: render each case, ask the provider (through the cache), assert.

One :class:`EvalSession` holds what is worth sharing between runs: provider clients,
the response cache and compiled prompts (keyed by digest, so an unchanged prompt is
compiled once for both refs). A behaviour diff runs the
base and the head through one session, so a request that renders identically on both
sides is sent once.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptops.errors import ProviderError, RenderError, UsageError
from promptops.evals.assertions import Observed, check_all
from promptops.evals.cache import ResponseCache, cache_key
from promptops.evals.config import EvalConfig
from promptops.evals.judge_prompts import JudgeSetup
from promptops.evals.plan import PlannedCase, PromptLookup, plan_cases
from promptops.evals.providers import CallContext, Provider, call_with_retry, make_provider
from promptops.evals.recordings import Recorder, RecordingSource, recording_path
from promptops.evals.report import CaseResult, EvalReport, SampleResult
from promptops.evals.types import Request, RequestFactory, Response
from promptops.evals.variants import SEP, split_target, target_object
from promptops.runtime import Prompt, Provenance
from promptops.spec import EvalSet

if TYPE_CHECKING:
    from promptops.evals.grading import JudgePrompts
    from promptops.evals.judges import Grade
    from promptops.evals.pychecks import PythonChecks

__all__ = ["NOT_MODELS", "EvalSession", "Progress", "refuse_record"]

# Providers that are not models: what they answer must never be recorded as a model's answer.
NOT_MODELS = ("echo", "replay")


def refuse_record(provider: str, where: str = "") -> str:
    """Why ``--record`` will not record answers of ``provider``."""
    return (
        f"--record refuses {provider} as the answering provider{where}: recordings stand in "
        f"for a model's answers, and {provider} is not a model; record with the model pins' "
        "own providers (drop --provider, set their API keys) or --provider openai|anthropic|..."
    )


# Called after each answered sample with (done, total); the CLI draws a progress bar.
Progress = Callable[[int, int], None]
_Job = tuple[Hashable, Request, CallContext, Provider]
Answer = tuple[Response, bool] | str


@dataclass(frozen=True)
class _PromptEntry:
    prompt: Prompt
    factory: RequestFactory
    # The model pin's pricing, or None when it has no usable prices (no cost is known).
    pricing: Mapping[str, Any] | None


def _prompt_provider(obj: Mapping[str, Any]) -> str:
    """The provider named by a compiled prompt's model pin."""
    return str((obj.get("model") or {}).get("provider"))


def _has_pricing(pricing: Any) -> bool:
    return isinstance(pricing, Mapping) and all(
        isinstance(pricing.get(k), int | float) for k in ("input_per_mtok", "output_per_mtok")
    )


def _cost(pricing: Mapping[str, Any] | None, response: Response) -> float | None:
    """Tokens at the model pin's prices (:func:`_has_pricing` held), whichever provider
    answered (echo, replay or a live one): the cost is what the pinned model would charge."""
    if pricing is None:
        return None
    per_in, per_out = pricing["input_per_mtok"], pricing["output_per_mtok"]
    cost = float(response.tokens_in * per_in + response.tokens_out * per_out) / 1_000_000
    # Batch APIs (OpenAI Batch, Anthropic Message Batches) bill half the list price.
    return cost / 2 if response.batch else cost


class EvalSession:
    """Providers, cache and compiled prompts shared by one or more eval runs."""

    def __init__(
        self,
        *,
        config: EvalConfig | None = None,
        provider: str | None = None,
        providers: Mapping[str, Provider] | None = None,
        cache: ResponseCache | None = None,
        recordings: Sequence[RecordingSource] = (),
        recorder: Recorder | None = None,
        env: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.perf_counter,
        batch_dir: Path | None = None,
    ) -> None:
        """``provider`` overrides every model pin's provider (``--provider``);
        ``providers`` supplies ready instances by name (custom or scripted providers);
        ``batch_dir``: send remote requests through the providers' batch APIs, keeping
        each batch's id there until its results are in (``--batch``)."""
        self.config = config or EvalConfig()
        self.cache = cache or ResponseCache()
        self._override = provider
        self._recordings = tuple(recordings)
        self._recorder = recorder
        self._env = os.environ if env is None else env
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._clock = clock
        self._lock = threading.Lock()
        self._providers: dict[str, Provider] = dict(providers or {})
        self._compiled: dict[str, _PromptEntry] = {}
        self._used: set[str] = set()
        self._batch_dir = batch_dir
        self._judges: JudgePrompts | None = None  # made for the first graded assertion
        # ("g", case, sample, assertion) -> why that graded assertion could not even ask.
        self._broken: dict[Hashable, str] = {}

    def __enter__(self) -> EvalSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every provider's connections."""
        with self._lock:
            providers, self._providers = list(self._providers.values()), {}
        for provider in providers:
            provider.close()

    def provider(self, name: str) -> Provider:
        """The session's provider instance for ``name`` (created once).

        Raises:
            UsageError: if ``name`` is not a known provider.
        """
        with self._lock:
            if name not in self._providers:
                self._providers[name] = make_provider(
                    name,
                    config=self.config,
                    env=self._env,
                    recordings=self._recordings,
                    clock=self._clock,
                )
            return self._providers[name]

    def run(
        self,
        prompts: PromptLookup,
        eval_sets: Mapping[str, EvalSet],
        *,
        prompt_ids: Collection[str] | None = None,
        progress: Progress | None = None,
        judges: JudgeSetup | None = None,
        variants: bool = True,
    ) -> EvalReport:
        """Run every selected case; a case that cannot run is an ``error`` case (no verdict).

        ``judges`` resolves the pins and prompts of graded assertions (rubric, similar...).
        ``variants``: run the cases of a prompt with variants on each of them too
        (results under ``prompt@variant``).

        Raises:
            ValidationError: if an eval set is malformed (before anything is sent).
            UsageError: if a provider name is unknown, or ``--record`` would record echo
                or replay.
        """
        setup = judges or JudgeSetup()
        cases = plan_cases(
            prompts, eval_sets, prompt_ids=prompt_ids, config=self.config, judges=setup,
            variants=variants,
        )  # fmt: skip
        before = self.cache.stats
        entries = self._entries(prompts, cases)
        requests = [self._render(entries[c.prompt_id], c) for c in cases]
        jobs: list[_Job] = []
        for i, (case, request) in enumerate(zip(cases, requests, strict=True)):
            if isinstance(request, Request):
                provider = self._answering(case.provider or request.provider, case)
                for sample in range(case.repeat):
                    ctx = CallContext(case.prompt_id, case.eval_path, case.name, sample)
                    jobs.append(((i, sample), request, ctx, provider))
        answers = self._execute(jobs, progress)
        answers.update(self._grade_requests(cases, requests, answers, setup, progress))
        python = _LazyChecks(setup)
        try:
            results = [
                self._judge(entries[case.prompt_id], i, case, requests[i], answers, python)
                for i, case in enumerate(cases)
            ]
        finally:
            python.close()
        after = self.cache.stats
        priced = any(entry.pricing is not None for entry in entries.values())
        return EvalReport.build(
            results,
            calls=after.calls - before.calls,
            cache_hits=after.hits - before.hits,
            provider=self._override,
            priced=priced,
        )

    @property
    def judge_prompts(self) -> JudgePrompts:
        """The session's compiled judge prompts (shared by every run)."""
        with self._lock:
            if self._judges is None:
                # The judging machinery loads for graded assertions only.
                from promptops.evals.grading import JudgePrompts

                self._judges = JudgePrompts()
            return self._judges

    def ask(self, request: Request, context: CallContext) -> Answer:
        """Send one request outside a run (through the cache, retries and recorder):
        ``(response, from_cache)``, or why it failed.

        Raises:
            UsageError: as :meth:`provider`, or ``--record`` with echo or replay.
        """
        provider = self.provider(self._override or request.provider)
        if self._recorder is not None and provider.name in NOT_MODELS:
            raise UsageError(refuse_record(provider.name))
        return self._answer((context.case, request, context, provider))

    def _answering(self, pinned: str, case: PlannedCase) -> Provider:
        """The provider answering a request whose pin (or eval set) names ``pinned``.

        Raises:
            UsageError: if ``--record`` is on and that provider is echo or replay.
        """
        provider = self.provider(self._override or pinned)
        if self._recorder is not None and provider.name in NOT_MODELS:
            raise UsageError(
                refuse_record(provider.name, f" (case {case.name!r} of {case.eval_path})")
            )
        return provider

    def _grade_requests(
        self,
        cases: Sequence[PlannedCase],
        requests: Sequence[Request | str],
        answers: Mapping[Hashable, Answer],
        setup: JudgeSetup,
        progress: Progress | None,
    ) -> dict[Hashable, Answer]:
        """Send the judge and embedding requests of every answered, graded sample."""
        jobs: list[_Job] = []
        for i, case in enumerate(cases):
            request = requests[i]
            if not case.graded or not isinstance(request, Request):
                continue
            from promptops.evals.grading import judge_input, sample_jobs

            for sample in range(case.repeat):
                answer = answers.get((i, sample))
                if not isinstance(answer, tuple):
                    continue
                seen = judge_input(request, answer[0], case.inputs)
                needed, broken = sample_jobs(("g", i, sample), case.graded, seen, setup,
                                             self.judge_prompts)  # fmt: skip
                self._broken.update({("g", i, sample, k): why for k, why in broken.items()})
                for job in needed:
                    ctx = CallContext(job.prompt_id, case.eval_path, case.name, 0, case.prompt_id)
                    provider = self._answering(job.request.provider, case)
                    jobs.append((job.key, job.request, ctx, provider))
        return self._execute(jobs, progress) if jobs else {}

    def recording_paths(self, prompts: PromptLookup, eval_sets: Mapping[str, EvalSet]) -> set[str]:
        """Where the recordings of every case's request live (rendered, nothing sent).

        Raises:
            ValidationError: if an eval set is malformed.
        """
        cases = plan_cases(prompts, eval_sets, config=self.config)
        entries = self._entries(prompts, cases)
        return {
            recording_path(c.prompt_id, r.digest)
            for c in cases
            if isinstance(r := self._render(entries[c.prompt_id], c), Request)
        }

    @property
    def used_recordings(self) -> frozenset[str]:
        """Recording paths of every request the session's runs have asked for."""
        with self._lock:
            return frozenset(self._used)

    def _entries(
        self, prompts: PromptLookup, cases: Sequence[PlannedCase]
    ) -> dict[str, _PromptEntry]:
        """The compiled prompt of every case's target, looked up once per run (in case
        order, so the first malformed prompt is the one reported)."""
        entries: dict[str, _PromptEntry] = {}
        for case in cases:
            if case.prompt_id not in entries:
                entries[case.prompt_id] = self._prompt(prompts, case.prompt_id)
        return entries

    def _render(self, entry: _PromptEntry, case: PlannedCase) -> Request | str:
        try:
            rendered = entry.prompt.render(**case.inputs)
        except RenderError as exc:
            return f"cannot render the prompt: {exc}"
        return entry.factory.make(rendered.messages)

    def _prompt(self, prompts: PromptLookup, target: str) -> _PromptEntry:
        prompt_id, variant = split_target(target)  # "prompt@variant": ADR 0018
        digest = prompts.prompts[prompt_id]
        key = digest if variant is None else f"{digest}{SEP}{variant}"
        entry = self._compiled.get(key)
        if entry is None:
            obj = prompts.prompt(prompt_id)
            if variant is not None:
                obj = target_object(obj, target)[0]
            provenance = Provenance(prompt_id, digest, None, None, "", None, variant=variant)
            prompt = Prompt(obj, provenance, validate=True)
            model = obj.get("model") or {}
            factory = RequestFactory(
                provider=_prompt_provider(obj),
                model=str(model.get("model")),
                params=obj.get("params") or {},
                tools=obj.get("tools") or [],
                output_schema=obj.get("output_schema"),
                base_url=model.get("base_url"),
            )
            pricing = model.get("pricing")
            entry = _PromptEntry(prompt, factory, pricing if _has_pricing(pricing) else None)
            self._compiled[key] = entry
        return entry

    def _execute(self, jobs: list[_Job], progress: Progress | None) -> dict[Hashable, Answer]:
        answers: dict[Hashable, Answer] = {}
        total = len(jobs)
        done = 0
        local = [j for j in jobs if not j[3].remote]
        remote = [j for j in jobs if j[3].remote]
        if self._batch_dir is not None:
            from promptops.evals.batch import BATCH_PROVIDERS  # --batch only

            batched = [j for j in remote if j[3].name in BATCH_PROVIDERS]
            remote = [j for j in remote if j[3].name not in BATCH_PROVIDERS]
            answers.update(self._batches(batched, progress))
        # Echo and replay answer from memory: a thread hop would cost more than the answer.
        for job in local:
            answers[job[0]] = self._answer(job)
            done += 1
            if progress is not None:
                progress(done, total)
        if remote:
            # Loaded for remote providers only: echo and replay answer on this thread.
            from concurrent.futures import ThreadPoolExecutor, as_completed

            workers = max(1, min(self.config.concurrency, len(remote)))
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = {pool.submit(self._answer, job): job for job in remote}
                for future in as_completed(futures):
                    answers[futures[future][0]] = future.result()
                    done += 1
                    if progress is not None:
                        progress(done, total)
        return answers

    def _batches(self, jobs: list[_Job], progress: Progress | None) -> dict[Hashable, Answer]:
        if not jobs:
            return {}
        assert self._batch_dir is not None
        from promptops.evals.batch import run_batches

        for _, request, ctx, _provider in jobs:
            self._used.add(recording_path(ctx.prompt_id, request.digest))
        got = run_batches(jobs, self.cache, self._batch_dir, sleep=self._sleep,
                          poll_s=self.config.batch_poll_s, progress=progress)  # fmt: skip
        answers: dict[Hashable, Answer] = {}
        for key, request, ctx, provider in jobs:
            value = got[key]
            if isinstance(value, str):
                answers[key] = f"{ctx}: {value}"
                continue
            answers[key] = (value, False)
            if self._recorder is not None:
                self._recorder.add(ctx.prompt_id, request, ctx.sample, provider.name, value)
        return answers

    def _answer(self, job: _Job) -> Answer:
        _, request, ctx, provider = job
        self._used.add(recording_path(ctx.prompt_id, request.digest))

        def send() -> Response:
            return call_with_retry(
                lambda: provider.complete(request, ctx),
                self.config.retry,
                sleep=self._sleep,
                rng=self._rng,
                context=ctx,
            )

        try:
            # A disabled cache never reads the key: no hash per request under --no-cache.
            key = cache_key(provider.name, request.digest, ctx.sample) if self.cache.enabled else ""
            response, cached = self.cache.get(key, send, persist=provider.remote)
        except ProviderError as exc:
            return str(exc)
        if self._recorder is not None:
            self._recorder.add(ctx.prompt_id, request, ctx.sample, provider.name, response)
        return response, cached

    def _judge(
        self,
        entry: _PromptEntry,
        i: int,
        case: PlannedCase,
        request: Request | str,
        answers: Mapping[Hashable, Answer],
        python: _LazyChecks,
    ) -> CaseResult:
        base = (case.eval_path, case.prompt_id, case.name, case.repeat, case.min_pass)
        if isinstance(request, str):
            return CaseResult(*base, error=request)
        pricing = entry.pricing
        samples: list[SampleResult] = []
        for sample in range(case.repeat):
            answer = answers[(i, sample)]
            if isinstance(answer, str):
                return CaseResult(*base, tuple(samples), request.digest, error=answer)
            response, cached = answer
            cost = _cost(pricing, response)
            failures = check_all(case.assertions, Observed(response, cost))
            grades: list[Grade] = []
            if case.graded:
                key = ("g", i, sample)
                broken = [w for k in range(len(case.graded)) if (w := self._broken.get((*key, k)))]
                if broken:
                    return CaseResult(*base, tuple(samples), request.digest, error=broken[0])
                from promptops.evals.grading import grade_sample, judge_input

                seen = judge_input(request, response, case.inputs)
                data = {"case": case.name, "prompt": case.prompt_id, "inputs": dict(case.inputs)}
                grades, error = grade_sample(key, case.graded, seen, answers, python.get, data)
                if error is not None:
                    return CaseResult(*base, tuple(samples), request.digest, error=error)
                failures += [g.failure for g in grades if g.failure is not None]
            samples.append(
                SampleResult(
                    output=response.text[: self.config.max_output_chars],
                    tool_calls=response.tool_calls,
                    tokens_in=response.tokens_in,
                    tokens_out=response.tokens_out,
                    latency_ms=response.latency_ms,
                    cost=cost,
                    failures=tuple(failures),
                    cached=cached,
                    grades=tuple(grades),
                )
            )
        return CaseResult(*base, tuple(samples), request.digest)


class _LazyChecks:
    """The ``python:`` check worker of one run, started only if a check needs it."""

    def __init__(self, setup: JudgeSetup) -> None:
        self._root = setup.root
        self._checks: PythonChecks | None = None

    def get(self) -> PythonChecks:
        if self._checks is None:
            from promptops.evals.pychecks import PythonChecks  # a python: check only

            self._checks = PythonChecks(self._root or Path.cwd())
        return self._checks

    def close(self) -> None:
        if self._checks is not None:
            self._checks.close()
