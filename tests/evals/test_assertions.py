"""Every assertion type: passing, failing (with its exact reason), negated, and bad arguments."""

from __future__ import annotations

from typing import Any

import pytest

from promptops.evals.assertions import AssertionSpecError, Observed, compile_assertion
from promptops.evals.types import Response, ToolCall

TEXT = "Your refund of 59.90 EUR for order AC-1 is on its way."
JSON = '{"category": "billing", "items": [{"price": 2.5}], "tags": ["a"]}'
CALL = ToolCall("issue_refund", {"order_id": "AC-1", "reason": "damaged", "meta": {"a": 1, "b": 2}})


def _observe(text: str = TEXT, **kw: Any) -> Observed:
    cost = kw.pop("cost", 0.002)
    fields: dict[str, Any] = {"tokens_in": 40, "tokens_out": 12, "latency_ms": 850.0, **kw}
    return Observed(Response(text=text, **fields), cost)


# (assertion, observed, expected failure reason or None when it passes)
CASES: list[tuple[dict[str, Any], Observed, str | None]] = [
    ({"equals": TEXT}, _observe(), None),
    ({"equals": "nope"}, _observe("yes"), "expected output to equal 'nope'; found 'yes'"),
    ({"equals": {"category": "billing", "items": [{"price": 2.5}], "tags": ["a"]}},
     _observe(JSON), None),
    ({"equals": {"a": 1}}, _observe("[1]"),
     'expected output to equal the JSON value {"a": 1}; found [1]'),
    ({"contains": "refund"}, _observe(), None),
    ({"contains": "Refund"}, _observe("no"), "expected output to contain 'Refund'; found 'no'"),
    ({"icontains": "REFUND"}, _observe(), None),
    ({"icontains": "delay"}, _observe("x"), "expected output to contain 'delay' (ignoring case); "
         "found 'x'"),
    ({"not_contains": "guarantee"}, _observe(), None),
    ({"not_contains": "refund"}, _observe(), "expected output not to contain 'refund'"),
    ({"regex": r"AC-\d+"}, _observe(), None),
    ({"regex": r"^\d"}, _observe("a1"), r"expected output to match /^\d/; found 'a1'"),
    ({"starts_with": "Your"}, _observe(), None),
    ({"starts_with": "{"}, _observe(""), "expected output to start with '{'; "
         "found an empty output"),
    ({"is_json": True}, _observe(JSON), None),
    ({"is_json": True}, _observe("{x"), "expected output to be valid JSON; found '{x' "
     "(Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
    ({"json_schema": {"type": "object", "required": ["category"]}}, _observe(JSON), None),
    ({"json_schema": {"type": "object", "required": ["priority"]}}, _observe(JSON),
     "expected output to match the JSON schema; found 'priority' is a required property at $"),
    ({"json_schema": {"type": "object"}}, _observe("nope"),
     "expected output to match the JSON schema; found output that is not JSON "
     "(Expecting value: line 1 column 1 (char 0))"),
    ({"json_path": {"path": "$.items[0].price", "equals": 2.5}}, _observe(JSON), None),
    ({"json_path": {"path": "$['tags'][-1]", "equals": "a"}}, _observe(JSON), None),
    ({"json_path": {"path": "$.category", "equals": "shipping"}}, _observe(JSON),
     'expected $.category to equal "shipping"; found "billing"'),
    ({"json_path": {"path": "$.items[3]", "equals": 1}}, _observe(JSON),
     "expected $.items[3] to equal 1; found nothing at that path"),
    ({"json_path": {"path": "$.items[0]", "exists": True}}, _observe(JSON), None),
    ({"json_path": {"path": "$.refund", "exists": False}}, _observe(JSON), None),
    ({"json_path": {"path": "$.category", "exists": False}}, _observe(JSON),
     'expected $.category to be absent; found "billing"'),
    ({"json_path": {"path": "$.refund", "exists": True}}, _observe(JSON),
     "expected $.refund to exist; found nothing"),
    ({"json_path": {"path": "$.tags", "contains": "a"}}, _observe(JSON), None),
    ({"json_path": {"path": "$.category", "contains": "bill"}}, _observe(JSON), None),
    ({"json_path": {"path": "$.category", "contains": "ship"}}, _observe(JSON),
     'expected $.category to contain "ship"; found "billing"'),
    ({"json_path": {"path": "$.category", "matches": "^bil+ing$"}}, _observe(JSON), None),
    ({"json_path": {"path": "$.items", "matches": "x"}}, _observe(JSON),
     'expected $.items to match /x/; found [{"price": 2.5}]'),
    ({"max_chars": 200}, _observe(), None),
    ({"max_chars": 10}, _observe(), "expected output to have at most 10 characters; found 54"),
    ({"max_tokens": 12}, _observe(), None),
    ({"max_tokens": 11}, _observe(), "expected output to use at most 11 tokens; found 12"),
    ({"tool_called": "issue_refund"}, _observe(tool_calls=(CALL,)), None),
    ({"tool_called": {"name": "issue_refund", "args": {"reason": "damaged", "meta": {"a": 1}}}},
     _observe(tool_calls=(CALL,)), None),
    ({"tool_called": {"name": "issue_refund", "args": {"reason": "late"}}},
     _observe(tool_calls=(CALL,)),
     "expected the model to call tool 'issue_refund' with arguments including "
     '{"reason": "late"}; found issue_refund({"meta": {"a": 1, "b": 2}, '
     '"order_id": "AC-1", "reason": "damaged"})'),
    ({"tool_called": "search_kb"}, _observe(),
     "expected the model to call tool 'search_kb'; found no tool calls"),
    ({"latency_ms_max": 1000}, _observe(), None),
    ({"latency_ms_max": 500}, _observe(), "expected latency to be at most 500 ms; found 850 ms"),
    ({"cost_max": 0.01}, _observe(), None),
    ({"cost_max": 0.001}, _observe(), "expected cost to be at most $0.001; found $0.002000"),
    ({"cost_max": 1}, _observe(cost=None),
     "expected cost to be at most $1; found no pricing for this model in models.yaml"),
    ({"not": {"contains": "refund"}}, _observe(), "expected output not to contain 'refund'"),
    ({"not": {"contains": "delay"}}, _observe(), None),
    ({"not": {"tool_called": "issue_refund"}}, _observe(tool_calls=(CALL,)),
     "expected the model not to call tool 'issue_refund'"),
    ({"not": {"not_contains": "refund"}}, _observe(), None),
    ({"not": {"not_contains": "delay"}}, _observe(), "expected output to contain 'delay'; found "
     "'Your refund of 59.90 EUR for order AC-1 is on its way.'"),
    ({"not": {"is_json": True}}, _observe(JSON), "expected output not to be valid JSON"),
]  # fmt: skip


@pytest.mark.parametrize(("spec", "observed", "reason"), CASES)
def test_assertion(spec: dict[str, Any], observed: Observed, reason: str | None) -> None:
    assert compile_assertion(spec).check(observed) == reason


def test_every_assertion_type_is_covered() -> None:
    from promptops.spec import ASSERTION_TYPES, GRADED_ASSERTION_TYPES

    # Graded assertions (a judge, embeddings or code) are covered in tests/evals/test_judges.py.
    covered = {next(iter(spec)) for spec, _, _ in CASES}
    assert covered == set(ASSERTION_TYPES) - set(GRADED_ASSERTION_TYPES)


BAD: list[tuple[Any, str]] = [
    ({"regex": "("},
     "invalid regular expression '(': missing ), unterminated subpattern at position 0"),
    ({"regex": "a" * 1001}, "regex is 1001 characters; the limit is 1000"),
    ({"contans": "x"}, "unknown assertion type 'contans'; did you mean 'contains'?"),
    ({"contains": 42}, "contains expects a non-empty string, found int 42; "
         "quote the value in YAML"),
    ({"contains": ""}, "contains expects a non-empty string, found str ''; "
         "quote the value in YAML"),
    ({"max_chars": -1}, "max_chars expects a non-negative integer, found int -1"),
    ({"max_tokens": True}, "max_tokens expects a non-negative integer, found bool True"),
    ({"cost_max": "1"}, "cost_max expects a non-negative number, found str '1'"),
    ({"is_json": False}, "is_json expects true, found False; to require non-JSON use "
     "not: {is_json: true}"),
    ({"json_schema": {"type": 12}}, "json_schema is not a valid JSON Schema: 12 is not valid "
     "under any of the given schemas"),
    ({"json_schema": []}, "json_schema expects a mapping, found list"),
    ({"json_path": {"path": "$.a"}}, "json_path expects {path: '$.a.b[0]', and one of: equals, "
     "exists, contains, matches}, found {'path': '$.a'}"),
    ({"json_path": {"path": "$.a", "exists": "yes"}},
     "json_path.exists expects true or false, found 'yes'"),
    ({"json_path": {"path": "$.a", "matches": "("}},
     "invalid regular expression '(': missing ), unterminated subpattern at position 0"),
    ({"json_path": {"path": "a.b", "equals": 1}}, "JSONPath must start with '$', found 'a.b'"),
    ({"json_path": {"path": "$.a[*]", "equals": 1}}, "unsupported JSONPath syntax at position "
     "3 of '$.a[*]'; supported: $.key, $['key'], $[0]"),
    ({"tool_called": {"tool": "x"}}, "tool_called expects a tool name or {name: NAME, args: "
     "{...}}, found {'tool': 'x'}"),
    ({"tool_called": {"name": "x", "args": [1]}}, "tool_called.args expects a mapping, found list"),
    ({"contains": "a", "regex": "b"}, "an assertion is a mapping with exactly one key like "
     "{contains: 'x'}, found {'contains': 'a', 'regex': 'b'}"),
    ({"not": {"regex": "["}}, "invalid regular expression '[': unterminated character set at "
     "position 0"),
]  # fmt: skip


@pytest.mark.parametrize(("spec", "message"), BAD)
def test_bad_arguments_fail_early_with_a_message(spec: Any, message: str) -> None:
    with pytest.raises(AssertionSpecError) as info:
        compile_assertion(spec)
    assert str(info.value) == message
