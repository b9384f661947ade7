"""Eval sets, assertions, providers, the response cache and the runner (DESIGN.md §5).

Library entry points: :func:`evaluate_repository` (what ``promptops eval`` calls) and
:class:`EvalSession` (run compiled prompts of one or more refs through shared providers
and one cache, as the behaviour diff does).

The names below load on first use (PEP 562), each from its own module: the command line
reads ``PROVIDER_NAMES`` to build its options without importing the runner, the
repository reader and the spec models behind :func:`evaluate_repository`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from promptops._lazy import lazy_names

if TYPE_CHECKING:
    from promptops.evals.api import EvalRun, default_cache_dir, evaluate_repository
    from promptops.evals.assertions import Assertion, AssertionSpecError, compile_assertion
    from promptops.evals.cache import CacheStats, ResponseCache
    from promptops.evals.config import EvalConfig, RetryPolicy
    from promptops.evals.formats import (
        FORMATS,
        format_json,
        format_junit,
        format_markdown,
        format_text,
    )
    from promptops.evals.names import PROVIDER_NAMES
    from promptops.evals.plan import PromptLookup, PromptTable
    from promptops.evals.providers import CallContext, Provider, make_provider
    from promptops.evals.recordings import Recorder, RecordingSource, directory_source
    from promptops.evals.report import CaseResult, EvalReport, EvalTotals, SampleResult
    from promptops.evals.runner import EvalSession, Progress
    from promptops.evals.types import Request, Response, ToolCall

# name -> the module that defines it
_MODULES = {
    "Assertion": "promptops.evals.assertions",
    "AssertionSpecError": "promptops.evals.assertions",
    "CacheStats": "promptops.evals.cache",
    "CallContext": "promptops.evals.providers",
    "CaseResult": "promptops.evals.report",
    "EvalConfig": "promptops.evals.config",
    "EvalReport": "promptops.evals.report",
    "EvalRun": "promptops.evals.api",
    "EvalSession": "promptops.evals.runner",
    "EvalTotals": "promptops.evals.report",
    "FORMATS": "promptops.evals.formats",
    "PROVIDER_NAMES": "promptops.evals.names",
    "Progress": "promptops.evals.runner",
    "PromptLookup": "promptops.evals.plan",
    "PromptTable": "promptops.evals.plan",
    "Provider": "promptops.evals.providers",
    "Recorder": "promptops.evals.recordings",
    "RecordingSource": "promptops.evals.recordings",
    "Request": "promptops.evals.types",
    "Response": "promptops.evals.types",
    "ResponseCache": "promptops.evals.cache",
    "RetryPolicy": "promptops.evals.config",
    "SampleResult": "promptops.evals.report",
    "ToolCall": "promptops.evals.types",
    "compile_assertion": "promptops.evals.assertions",
    "default_cache_dir": "promptops.evals.api",
    "directory_source": "promptops.evals.recordings",
    "evaluate_repository": "promptops.evals.api",
    "format_json": "promptops.evals.formats",
    "format_junit": "promptops.evals.formats",
    "format_markdown": "promptops.evals.formats",
    "format_text": "promptops.evals.formats",
    "make_provider": "promptops.evals.providers",
}

__all__ = [
    "FORMATS",
    "PROVIDER_NAMES",
    "Assertion",
    "AssertionSpecError",
    "CacheStats",
    "CallContext",
    "CaseResult",
    "EvalConfig",
    "EvalReport",
    "EvalRun",
    "EvalSession",
    "EvalTotals",
    "Progress",
    "PromptLookup",
    "PromptTable",
    "Provider",
    "Recorder",
    "RecordingSource",
    "Request",
    "Response",
    "ResponseCache",
    "RetryPolicy",
    "SampleResult",
    "ToolCall",
    "compile_assertion",
    "default_cache_dir",
    "directory_source",
    "evaluate_repository",
    "format_json",
    "format_junit",
    "format_markdown",
    "format_text",
    "make_provider",
]


__getattr__ = lazy_names(__name__, _MODULES, globals())


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
