"""Validate a value against a JSON Schema and say what is wrong the way a person would.

``jsonschema`` finds the errors (imported lazily: ~70 ms, paid only by files that are
checked afresh, never on a run answered from the result cache); this module turns each into
"expected integer, found '2' (a string); write 2 without quotes" with the location of the
offending value, and unknown keys into "unknown key 'equal'; did you mean 'equals'?".
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from promptops.repo.schema_check import describe
from promptops.repo.suggest import did_you_mean
from promptops.spec.jsonpath import JsonPathError, parse_json_path

__all__ = ["Problem", "found", "schema_problems"]

# (location below the checked value, message, whether it points at a key)
Problem = tuple[tuple[object, ...], str, bool]

_ARTICLE = {"integer": "an integer", "object": "a mapping", "array": "a list"}


def found(value: Any) -> str:
    """``'2' (a string)``, ``5 (an integer)``, ``a mapping``: what a value is, briefly."""
    if isinstance(value, bool):
        return f"{describe(value)} (a boolean)"
    if isinstance(value, str):
        return f"{describe(value)} (a string)"
    if isinstance(value, int):
        return f"{value} (an integer)"
    if isinstance(value, float):
        return f"{value} (a number)"
    return describe(value)


def _hint(expected: list[str], value: Any) -> str:
    """The fix for the commonest YAML slips: quoted numbers, unquoted numbers."""
    if isinstance(value, str):
        text = value.strip()
        if {"integer", "number"} & set(expected) and re.fullmatch(r"-?\d+(\.\d+)?", text):
            return f"; write {text} without quotes"
        if "boolean" in expected and text in ("true", "false"):
            return f"; write {text} without quotes"
    elif "string" in expected and isinstance(value, int | float):
        return f"; quote it: '{describe(value)}'"
    return ""


def _type(error: Any) -> str:
    kinds = error.validator_value
    names = [kinds] if isinstance(kinds, str) else list(kinds)
    hint = _hint(names, error.instance)
    return f"expected {' or '.join(names)}, found {found(error.instance)}{hint}"


_OPS = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}


def _bound(error: Any) -> str:
    bound = f"{_OPS[error.validator]} {error.validator_value}"
    return f"expected a number {bound}, found {found(error.instance)}"


def _size(error: Any) -> str:
    what = "characters" if error.validator.endswith("Length") else "items"
    bound = "at least" if error.validator.startswith("min") else "at most"
    return f"expected {bound} {error.validator_value} {what}, found {len(error.instance)}"


def _enum(error: Any) -> str:
    options = list(error.validator_value)
    hint = ""
    if isinstance(error.instance, str):
        hint = did_you_mean(error.instance, [v for v in options if isinstance(v, str)])
    listed = ", ".join(describe(v) for v in options)
    return f"expected one of: {listed}; found {found(error.instance)}{hint}"


_FORMATS = {"regex": "regular expression", "json-schema": "JSON Schema", "json-path": "JSONPath"}


def _format(error: Any) -> str:
    what = _FORMATS.get(str(error.validator_value), str(error.validator_value))
    cause = error.cause
    # jsonschema's SchemaError carries a long report; its ``message`` is the first line.
    detail = getattr(cause, "message", None) or (str(cause) if cause is not None else "")
    if error.validator_value == "json-path":
        return detail  # already says what is supported
    return f"not a valid {what}: {detail}" if detail else f"not a valid {what}"


_MESSAGES: dict[str, Callable[[Any], str]] = {
    "type": _type,
    "enum": _enum,
    "const": lambda e: f"expected {describe(e.validator_value)}, found {found(e.instance)}",
    "minimum": _bound,
    "maximum": _bound,
    "exclusiveMinimum": _bound,
    "exclusiveMaximum": _bound,
    "minLength": _size,
    "maxLength": _size,
    "minItems": _size,
    "maxItems": _size,
    "pattern": lambda e: f"expected a match for /{e.validator_value}/, found {found(e.instance)}",
    "format": _format,
}


def _unknown_keys(error: Any) -> list[Problem]:
    schema = error.schema
    known = list(schema.get("properties", {}))
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    out: list[Problem] = []
    for key in error.instance:
        if key in known or any(p.search(str(key)) for p in patterns):
            continue
        hint = did_you_mean(str(key), known) or (
            f"; expected one of: {', '.join(known)}" if known else ""
        )
        out.append(((*error.absolute_path, key), f"unknown key '{key}'{hint}", True))
    return out


def _score(branch: Any, value: Any) -> int:
    """How well ``value`` fits one alternative: its ``const`` properties matched count most,
    then its required keys present, then its type."""
    if not isinstance(branch, dict):
        return 0
    props = branch.get("properties", {})
    score = 0
    if isinstance(value, dict):
        for name, sub in props.items():
            if isinstance(sub, dict) and "const" in sub and value.get(name) == sub["const"]:
                score += 4
        score += sum(1 for key in branch.get("required", []) if key in value)
    kind = branch.get("type")
    if kind is not None and _fits(kind, value):
        score += 2
    return score + sum(_score(part, value) for part in branch.get("allOf", []))


def _fits(kind: Any, value: Any) -> bool:
    checks = {"object": dict, "array": list, "string": str}
    names = [kind] if isinstance(kind, str) else list(kind)
    return any(isinstance(value, checks[n]) for n in names if n in checks)


def _tag(branches: list[Any], value: Any) -> str | None:
    """When every alternative is told apart by the same ``const`` property and none
    matches: "role: expected one of 'user', 'assistant'"."""
    names = [
        {n for n, s in b.get("properties", {}).items() if isinstance(s, dict) and "const" in s}
        for b in branches
        if isinstance(b, dict)
    ]
    shared = set.intersection(*names) if names and len(names) == len(branches) else set()
    if not isinstance(value, dict) or len(shared) != 1:
        return None
    (name,) = shared
    consts = [b["properties"][name]["const"] for b in branches]
    if len(set(map(repr, consts))) != len(consts) or name not in value or value[name] in consts:
        return None
    listed = ", ".join(describe(c) for c in consts)
    return f"{name}: expected one of: {listed}; found {found(value.get(name))}"


def _alternatives(error: Any) -> list[Problem]:
    """Explain an anyOf/oneOf failure by the alternative the value was meant to be."""
    branches = list(error.validator_value)
    where = tuple(error.absolute_path)
    tag = _tag(branches, error.instance)
    if tag is not None:
        name = tag.split(":", 1)[0]
        return [((*where, name), tag.split(": ", 1)[1], False)]
    best = max(range(len(branches)), key=lambda i: _score(branches[i], error.instance))
    mine = [e for e in error.context if e.relative_schema_path[0] == best]
    # A part of the wrong kind fails its kind's const and everything after; say the first.
    mine = [e for e in mine if e.validator == "const"] or mine
    out: list[Problem] = []
    for sub in mine:
        for problem in _problems(sub):
            if problem not in out:
                out.append(problem)
    return out or [(where, str(error.message), False)]


# Failures more precise than a schema's own errorMessage (which covers the rest: a missing
# choice, a wrong alternative).
_SPECIFIC = frozenset({"type", "required", "additionalProperties"})


def _problems(error: Any) -> list[Problem]:
    custom = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
    if isinstance(custom, str) and error.validator not in _SPECIFIC:
        return [(tuple(error.absolute_path), custom, False)]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        return _unknown_keys(error)
    if error.validator == "required" and isinstance(error.instance, dict):
        where = tuple(error.absolute_path)
        missing = [k for k in error.validator_value if k not in error.instance]
        return [(where, f"missing required key '{k}'", False) for k in missing]
    if error.validator in ("anyOf", "oneOf") and error.context:
        return _alternatives(error)
    make = _MESSAGES.get(str(error.validator))
    text = make(error) if make is not None else str(error.message)
    return [(tuple(error.absolute_path), text, False)]


def _regex(value: object) -> bool:
    if isinstance(value, str):
        re.compile(value)
    return True


def _json_schema(value: object) -> bool:
    import jsonschema  # type: ignore[import-untyped,unused-ignore]

    if isinstance(value, dict):
        jsonschema.validators.validator_for(value).check_schema(value)
    return True


def _json_path(value: object) -> bool:
    if isinstance(value, str):
        parse_json_path(value)
    return True


@functools.cache
def _format_checker() -> Any:
    """Checks for the ``format`` values promptops defines; the failure is the cause."""
    import jsonschema  # type: ignore[import-untyped,unused-ignore]

    checker = jsonschema.FormatChecker(formats=())
    checker.checks("regex", raises=re.error)(_regex)
    checker.checks("json-schema", raises=jsonschema.SchemaError)(_json_schema)
    checker.checks("json-path", raises=JsonPathError)(_json_path)
    return checker


# Validators by schema: eval sets check every assertion against one of a few fixed schemas,
# and most prompts' inputs share a handful of shapes; making a validator costs more than
# using it.
_VALIDATORS: dict[tuple[str, bool], Any] = {}
_VALIDATORS_MAX = 4_096


def _validator(schema: Any, formats: bool) -> Any:
    import jsonschema  # type: ignore[import-untyped,unused-ignore]

    try:
        key = (json.dumps(schema, sort_keys=True), formats)
    except (TypeError, ValueError):  # not JSON (a YAML date...): not worth keeping
        key = None
    found = _VALIDATORS.get(key) if key is not None else None
    if found is None:
        cls = jsonschema.Draft202012Validator
        found = cls(schema, format_checker=_format_checker() if formats else None)
        if key is not None:
            if len(_VALIDATORS) >= _VALIDATORS_MAX:
                _VALIDATORS.clear()
            _VALIDATORS[key] = found
    return found


def schema_problems(schema: Any, value: Any, *, formats: bool = False) -> list[Problem]:
    """Every way ``value`` fails ``schema`` (draft 2020-12), located below ``value``.

    ``formats`` checks the ``format`` values promptops defines (``regex``, ``json-schema``,
    ``json-path``); otherwise ``format`` is an annotation, as at run time.
    """
    validator = _validator(schema, formats)
    out: list[Problem] = []
    general: list[Problem] = []  # a schema's own errorMessage: said only if nothing else is
    for error in sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.path))):
        custom = isinstance(error.schema, dict) and isinstance(
            error.schema.get("errorMessage"), str
        )
        for problem in _problems(error):
            bucket = general if custom and error.validator not in _SPECIFIC else out
            if problem not in bucket:
                bucket.append(problem)
    for problem in general:
        where = problem[0]
        if not any(other[0][: len(where)] == where for other in out):
            out.append(problem)
    return out
