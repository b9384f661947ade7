"""The checks behind each assertion type: argument validation and a predicate.

Each builder takes the YAML argument, raises :class:`AssertionSpecError` if it is
malformed, and returns ``(phrase, check)``: ``phrase`` completes "expected ..." and reads
"<subject> to <predicate>"; ``check`` returns ``(passed, what was found)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cached_property
from typing import Any

from promptops.evals.types import Response
from promptops.spec.evals import JSON_PATH_TESTS
from promptops.spec.jsonpath import MISSING, JsonPathError, parse_json_path, resolve_json_path

__all__ = ["BUILDERS", "AssertionSpecError", "Check", "Observed", "regex_check"]

_EXCERPT = 80


class AssertionSpecError(ValueError):
    """An assertion is malformed; the message says what was expected and what was found."""


class Observed:
    """One sample under test: the response, its cost, and its text parsed as JSON once."""

    __slots__ = ("__dict__", "cost", "response")

    def __init__(self, response: Response, cost: float | None) -> None:
        self.response = response
        self.cost = cost

    @cached_property
    def json(self) -> tuple[bool, Any]:
        """``(True, value)`` if the text is JSON, else ``(False, error message)``."""
        try:
            return True, json.loads(self.response.text)
        except ValueError as exc:
            return False, str(exc)


# A check returns (passed, what was found); ``found`` is shown only on failure.
Check = Callable[[Observed], tuple[bool, str | None]]


def _q(text: str) -> str:
    return repr(text if len(text) <= _EXCERPT else text[:_EXCERPT] + "...")


def _found_text(o: Observed) -> str:
    return f"{_q(o.response.text)}" if o.response.text else "an empty output"


def _kind_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _need_str(kind: str, arg: Any) -> str:
    if not isinstance(arg, str) or not arg:
        raise AssertionSpecError(
            f"{kind} expects a non-empty string, found {_kind_name(arg)} {arg!r}; "
            "quote the value in YAML"
        )
    return arg


def _need_number(kind: str, arg: Any, *, integer: bool) -> float:
    ok = isinstance(arg, int) if integer else isinstance(arg, int | float)
    if isinstance(arg, bool) or not ok or arg < 0:
        wanted = "a non-negative integer" if integer else "a non-negative number"
        raise AssertionSpecError(f"{kind} expects {wanted}, found {_kind_name(arg)} {arg!r}")
    return float(arg)


def _equals(arg: Any) -> tuple[str, Check]:
    if isinstance(arg, str):
        return f"output to equal {_q(arg)}", lambda o: (
            o.response.text == arg,
            _found_text(o),
        )

    def check(o: Observed) -> tuple[bool, str | None]:
        ok, value = o.json
        return (ok and value == arg, json.dumps(value) if ok else _found_text(o))

    return f"output to equal the JSON value {json.dumps(arg)}", check


def _contains(arg: Any) -> tuple[str, Check]:
    s = _need_str("contains", arg)
    return f"output to contain {_q(s)}", lambda o: (s in o.response.text, _found_text(o))


def _icontains(arg: Any) -> tuple[str, Check]:
    s = _need_str("icontains", arg).casefold()
    return (
        f"output to contain {_q(arg)} (ignoring case)",
        lambda o: (s in o.response.text.casefold(), _found_text(o)),
    )


def _starts_with(arg: Any) -> tuple[str, Check]:
    s = _need_str("starts_with", arg)
    return f"output to start with {_q(s)}", lambda o: (
        o.response.text.startswith(s),
        _found_text(o),
    )


def regex_check(arg: Any, max_chars: int) -> tuple[str, Check]:
    pattern = _need_str("regex", arg)
    if len(pattern) > max_chars:
        raise AssertionSpecError(f"regex is {len(pattern)} characters; the limit is {max_chars}")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise AssertionSpecError(f"invalid regular expression {pattern!r}: {exc}") from None
    return f"output to match /{pattern}/", lambda o: (
        compiled.search(o.response.text) is not None,
        _found_text(o),
    )


def _is_json(arg: Any) -> tuple[str, Check]:
    if arg not in (True, None):
        raise AssertionSpecError(
            f"is_json expects true, found {arg!r}; to require non-JSON use not: {{is_json: true}}"
        )

    def check(o: Observed) -> tuple[bool, str | None]:
        ok, value = o.json
        return ok, None if ok else f"{_found_text(o)} ({value})"

    return "output to be valid JSON", check


def _json_schema(arg: Any) -> tuple[str, Check]:
    # Lazily: only eval sets that use it pay for the import.
    import jsonschema  # type: ignore[import-untyped,unused-ignore]

    if not isinstance(arg, dict):
        raise AssertionSpecError(f"json_schema expects a mapping, found {_kind_name(arg)}")
    cls = jsonschema.validators.validator_for(arg)
    try:
        cls.check_schema(arg)
    except jsonschema.SchemaError as exc:
        raise AssertionSpecError(f"json_schema is not a valid JSON Schema: {exc.message}") from None
    validator = cls(arg)

    def check(o: Observed) -> tuple[bool, str | None]:
        ok, value = o.json
        if not ok:
            return False, f"output that is not JSON ({value})"
        error = jsonschema.exceptions.best_match(validator.iter_errors(value))
        if error is None:
            return True, None
        return False, f"{error.message} at {error.json_path}"

    return "output to match the JSON schema", check


def _json_path_test(key: str, expected: Any) -> tuple[str, Callable[[Any], bool]]:
    """The phrase and predicate of one json_path test on the value found at the path."""
    if key == "equals":
        return f"to equal {json.dumps(expected, ensure_ascii=False)}", lambda v: v == expected
    if key == "exists":
        if not isinstance(expected, bool):
            raise AssertionSpecError(f"json_path.exists expects true or false, found {expected!r}")
        return (
            "to exist" if expected else "to be absent"
        ), lambda v: (v is not MISSING) == expected
    if key == "contains":
        shown = json.dumps(expected, ensure_ascii=False)
        return (
            f"to contain {shown}",
            lambda v: (
                (isinstance(v, str) and isinstance(expected, str) and expected in v)
                or (isinstance(v, list) and expected in v)
            ),
        )
    pattern = _need_str("json_path.matches", expected)
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise AssertionSpecError(f"invalid regular expression {pattern!r}: {exc}") from None
    return f"to match /{pattern}/", lambda v: isinstance(v, str) and bool(compiled.search(v))


def _json_path(arg: Any) -> tuple[str, Check]:
    tests = [k for k in JSON_PATH_TESTS if isinstance(arg, dict) and k in arg]
    if not isinstance(arg, dict) or "path" not in arg or len(tests) != 1 or len(arg) != 2:
        raise AssertionSpecError(
            "json_path expects {path: '$.a.b[0]', and one of: "
            f"{', '.join(JSON_PATH_TESTS)}}}, found {arg!r}"
        )
    path = _need_str("json_path.path", arg["path"])
    try:
        steps = parse_json_path(path)
    except JsonPathError as exc:
        raise AssertionSpecError(str(exc)) from None
    (key,) = tests
    phrase, test = _json_path_test(key, arg[key])

    def check(o: Observed) -> tuple[bool, str | None]:
        ok, doc = o.json
        if not ok:
            return False, f"output that is not JSON ({doc})"
        value = resolve_json_path(doc, steps)
        if key != "exists" and value is MISSING:
            return False, "nothing at that path"
        shown = "nothing" if value is MISSING else json.dumps(value, ensure_ascii=False)
        return test(value), shown

    return f"{path} {phrase}", check


def _max_chars(arg: Any) -> tuple[str, Check]:
    n = int(_need_number("max_chars", arg, integer=True))
    return f"output to have at most {n} characters", lambda o: (
        len(o.response.text) <= n,
        f"{len(o.response.text)}",
    )


def _max_tokens(arg: Any) -> tuple[str, Check]:
    n = int(_need_number("max_tokens", arg, integer=True))
    return f"output to use at most {n} tokens", lambda o: (
        o.response.tokens_out <= n,
        f"{o.response.tokens_out}",
    )


def _latency(arg: Any) -> tuple[str, Check]:
    n = _need_number("latency_ms_max", arg, integer=False)
    return f"latency to be at most {n:g} ms", lambda o: (
        o.response.latency_ms <= n,
        f"{o.response.latency_ms:.0f} ms",
    )


def _cost(arg: Any) -> tuple[str, Check]:
    n = _need_number("cost_max", arg, integer=False)

    def check(o: Observed) -> tuple[bool, str | None]:
        if o.cost is None:
            return False, "no pricing for this model in models.yaml"
        return o.cost <= n, f"${o.cost:.6f}"

    return f"cost to be at most ${n:g}", check


def _subset(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and _subset(v, actual[k]) for k, v in expected.items()
        )
    return bool(expected == actual)


def _tool_called(arg: Any) -> tuple[str, Check]:
    if isinstance(arg, str):
        arg = {"name": arg}
    if not isinstance(arg, dict) or not set(arg) <= {"name", "args"} or "name" not in arg:
        raise AssertionSpecError(
            f"tool_called expects a tool name or {{name: NAME, args: {{...}}}}, found {arg!r}"
        )
    name = _need_str("tool_called.name", arg["name"])
    args = arg.get("args") or {}
    if not isinstance(args, dict):
        raise AssertionSpecError(f"tool_called.args expects a mapping, found {_kind_name(args)}")

    def check(o: Observed) -> tuple[bool, str | None]:
        calls = o.response.tool_calls
        passed = any(c.name == name and _subset(args, c.args) for c in calls)
        made = ", ".join(f"{c.name}({json.dumps(dict(c.args), sort_keys=True)})" for c in calls)
        return passed, made or "no tool calls"

    with_args = f" with arguments including {json.dumps(args, sort_keys=True)}" if args else ""
    return f"the model to call tool {name!r}{with_args}", check


BUILDERS: dict[str, Callable[[Any], tuple[str, Check]]] = {
    "equals": _equals,
    "contains": _contains,
    "icontains": _icontains,
    "starts_with": _starts_with,
    "is_json": _is_json,
    "json_schema": _json_schema,
    "json_path": _json_path,
    "max_chars": _max_chars,
    "max_tokens": _max_tokens,
    "tool_called": _tool_called,
    "latency_ms_max": _latency,
    "cost_max": _cost,
}
