"""promptfoo assertions -> promptops assertions (exact ones), or a positioned warning."""

from __future__ import annotations

import re
from typing import Any

from promptops.interop.translate.njk_parse import parse_nunjucks
from promptops.interop.translate.njk_render import NunjucksError, render_nunjucks

__all__ = ["UNTRANSLATABLE", "translate_assertion"]

_TEXT = {
    "contains": "contains",
    "icontains": "icontains",
    "regex": "regex",
    "starts-with": "starts_with",
    "not-contains": "not_contains",
}
# Assertions that need a judge model, code, embeddings or a service: no promptops
# equivalent yet; the warning names each.
UNTRANSLATABLE = {
    "javascript": "runs JavaScript",
    "python": "runs Python",
    "webhook": "calls a webhook",
    "llm-rubric": "needs a judge model",
    "model-graded-closedqa": "needs a judge model",
    "model-graded-factuality": "needs a judge model",
    "factuality": "needs a judge model",
    "g-eval": "needs a judge model",
    "answer-relevance": "needs a judge model",
    "context-faithfulness": "needs a judge model",
    "context-recall": "needs a judge model",
    "context-relevance": "needs a judge model",
    "select-best": "needs a judge model",
    "similar": "needs an embedding model",
    "classifier": "needs a classifier model",
    "moderation": "needs a moderation service",
    "perplexity": "needs log probabilities",
    "rouge-n": "computes a ROUGE score",
    "bleu": "computes a BLEU score",
    "levenshtein": "computes an edit distance",
    "contains-json": "searches JSON inside text",
    "is-valid-openai-tools-call": "checks tool-call JSON",
    "is-sql": "parses SQL",
    "is-xml": "parses XML",
    "contains-xml": "parses XML",
    "is-html": "parses HTML",
    "assert-set": "groups assertions with a threshold",
    "trajectory": "checks agent traces",
}


def _render(value: Any, variables: dict[str, Any]) -> Any:
    """promptfoo renders assertion values with the test's variables (Nunjucks)."""
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        try:
            return render_nunjucks(parse_nunjucks(value), variables)
        except (NunjucksError, ValueError):
            return value
    return value


def translate_assertion(
    spec: dict[str, Any], variables: dict[str, Any]
) -> tuple[list[dict[str, Any]], str | None]:
    """``(assertions, problem)``: promptops assertions for one promptfoo assertion, or
    none and why not."""
    kind = str(spec.get("type", ""))
    negate = kind.startswith("not-") and kind != "not-contains"
    base = kind[4:] if negate else kind
    value = _render(spec.get("value"), variables)
    if spec.get("transform"):
        return [], f"'{kind}' with a 'transform' runs JavaScript on the output first"
    out: list[dict[str, Any]]
    if base in UNTRANSLATABLE:
        return [], f"'{kind}' {UNTRANSLATABLE[base]}"
    if base in _TEXT:
        if not isinstance(value, str) or not value:
            return [], f"'{kind}' needs a non-empty text value"
        out = [{_TEXT[base]: value}]
    elif base == "equals":
        out = [{"equals": value}]
    elif base in ("contains-any", "icontains-any", "contains-all", "icontains-all"):
        items = value if isinstance(value, list) else [v.strip() for v in str(value).split(",")]
        items = [str(v) for v in items if str(v)]
        if not items:
            return [], f"'{kind}' needs values"
        if base.endswith("-all"):
            key = "icontains" if base.startswith("i") else "contains"
            out = [{key: v} for v in items]
        else:
            flag = "(?i)" if base.startswith("i") else ""
            out = [{"regex": flag + "(?:" + "|".join(re.escape(v) for v in items) + ")"}]
    elif base == "is-json":
        out = [{"json_schema": value}] if isinstance(value, dict) else [{"is_json": True}]
    elif base == "cost":
        threshold = spec.get("threshold")
        if not isinstance(threshold, int | float):
            return [], "'cost' needs a numeric threshold"
        out = [{"cost_max": threshold}]
    elif base == "latency":
        threshold = spec.get("threshold")
        if not isinstance(threshold, int | float):
            return [], "'latency' needs a numeric threshold (ms)"
        out = [{"latency_ms_max": threshold}]
    else:
        return [], f"'{kind}' is not an assertion promptops knows"
    if negate:
        if base.endswith("-all") or len(out) != 1:
            return [], f"'{kind}' has no exact promptops equivalent"
        out = [{"not": out[0]}]
    return out, None
