"""Eval sets, assertions, providers, the response cache and the runner (DESIGN.md §5).

Library entry points: :func:`evaluate_repository` (what ``promptops eval`` calls) and
:class:`EvalSession` (run compiled prompts of one or more refs through shared providers
and one cache, as the behaviour diff does).
"""

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
from promptops.evals.plan import PromptLookup, PromptTable
from promptops.evals.providers import PROVIDER_NAMES, CallContext, Provider, make_provider
from promptops.evals.recordings import Recorder, RecordingSource, directory_source
from promptops.evals.report import CaseResult, EvalReport, EvalTotals, SampleResult
from promptops.evals.runner import EvalSession, Progress
from promptops.evals.types import Request, Response, ToolCall

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
