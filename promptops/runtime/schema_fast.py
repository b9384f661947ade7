"""Input validation in microseconds: the common subset of JSON Schema compiled to closures.

Importing ``jsonschema`` costs ~100 ms and validating with it ~400 us per document;
``jsonschema_rs`` and ``fastjsonschema`` import in ~30-40 ms. A render must cost a few
microseconds on a process that started a moment ago, so the keywords prompt inputs and tool
arguments actually use (below) compile to a tree of small Python closures, with the
semantics of Draft 2020-12 as ``jsonschema`` implements them (a property test compares the
two on the schemas real repositories use). A schema using anything else, or declaring
another dialect with ``$schema``, is validated by ``jsonschema`` itself, imported lazily on
first use (ADR 0008). Both sides read ``pattern`` as ECMA-262, as JSON Schema specifies
(``jsonschema`` alone would use Python's ``re``: ``$`` matching before a final newline).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from promptops.runtime.jsonvalue import TYPES, describe, is_number, json_equal

__all__ = ["DIALECT", "Check", "Invalid", "compile_check", "is_supported", "jsonschema_validator"]

# The dialect the compiled closures implement; a schema declaring any other is sent to
# jsonschema (draft-04's boolean exclusiveMaximum means something else entirely).
DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Annotations: no effect on validity (``format`` is an annotation by default in 2020-12).
_ANNOTATIONS = frozenset(
    {"title", "description", "default", "examples", "$comment", "format", "deprecated",
     "readOnly", "writeOnly", "$schema", "$id"}
)  # fmt: skip
_KEYWORDS = frozenset(
    {"type", "enum", "const", "minLength", "maxLength", "minimum", "maximum",
     "exclusiveMinimum", "exclusiveMaximum", "pattern", "items", "minItems", "maxItems",
     "properties", "required", "additionalProperties"}
) | _ANNOTATIONS  # fmt: skip


class Invalid(Exception):
    """A value failed a schema: ``where`` is a JSON-path-like location, ``what`` the reason."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}")
        self.where = where
        self.what = what


Check = Callable[[Any, str], None]


def is_supported(schema: Any) -> bool:
    """Whether every keyword in ``schema`` (recursively) is in the compiled subset."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict) or not _KEYWORDS.issuperset(schema):
        return False
    dialect = schema.get("$schema", DIALECT)
    if not isinstance(dialect, str) or dialect.rstrip("#") != DIALECT:
        return False
    if "pattern" in schema and not _compiles(schema["pattern"]):
        return False
    t = schema.get("type")
    types = [t] if isinstance(t, str) else t
    if t is not None and (
        not isinstance(types, list) or not all(isinstance(x, str) and x in TYPES for x in types)
    ):
        return False
    props = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    items = schema.get("items", True)
    return (
        isinstance(props, dict)
        and all(is_supported(s) for s in props.values())
        and is_supported(extra)
        and is_supported(items)
        and isinstance(schema.get("required", []), list)
        and isinstance(schema.get("enum", []), list)
    )


def compile_ecma(pattern: str) -> Any:
    """:func:`promptops.runtime.ecma_regex.compile_ecma`, imported on first use: most
    prompts declare no pattern, and a cold start pays for nothing it does not use."""
    from promptops.runtime.ecma_regex import compile_ecma as compile_

    return compile_(pattern)


def _compiles(pattern: Any) -> bool:
    import re

    try:
        compile_ecma(pattern)
    except (re.error, TypeError):
        return False  # jsonschema reports it (as it would a bad schema)
    return True


def compile_check(schema: Any) -> Check:
    """Compile ``schema`` to ``check(value, where)`` raising :class:`Invalid`.

    Schemas outside the subset (see :func:`is_supported`) get a check backed by
    ``jsonschema``, imported on first call.

    Raises:
        ValueError: if ``schema`` is not a JSON Schema object or boolean.
    """
    if not is_supported(schema):
        if not isinstance(schema, dict | bool):
            raise ValueError(f"not a JSON Schema: {schema!r}")
        return _fallback(schema)
    return _compile(schema)


def _compile(schema: Any) -> Check:
    if schema is True or schema == {}:
        return _accept
    if schema is False:
        return _reject
    if schema.get("type") == "string" and _ANNOTATIONS.union(
        {"type", "minLength", "maxLength"}
    ).issuperset(schema):
        return _string_check(schema.get("minLength", 0), schema.get("maxLength"))
    checks: list[Check] = []
    if "type" in schema:
        checks.append(_type_check(schema["type"]))
    if "enum" in schema:
        checks.append(_enum_check(schema["enum"]))
    if "const" in schema:
        checks.append(_const_check(schema["const"]))
    checks.extend(_string_checks(schema))
    checks.extend(_number_checks(schema))
    checks.extend(_array_checks(schema))
    checks.extend(_object_checks(schema))
    if len(checks) == 1:
        return checks[0]

    def check_all(v: Any, where: str) -> None:
        for c in checks:
            c(v, where)

    return check_all


def _accept(v: Any, where: str) -> None:
    return None


def _reject(v: Any, where: str) -> None:
    raise Invalid(where, "no value is allowed here (schema is false)")


def _type_check(t: str | list[str]) -> Check:
    names = [t] if isinstance(t, str) else list(t)
    tests = [TYPES[n] for n in names]
    expected = " or ".join(names)
    if names == ["string"]:

        def check_str(v: Any, where: str) -> None:
            if v.__class__ is not str and not isinstance(v, str):
                raise Invalid(where, f"expected {expected}, found {describe(v)}")

        return check_str

    def check_type(v: Any, where: str) -> None:
        for test in tests:
            if test(v):
                return
        raise Invalid(where, f"expected {expected}, found {describe(v)}")

    return check_type


def _string_check(lo: int, hi: int | None) -> Check:
    """``{"type": "string", "maxLength": n}``, the commonest input schema, in one call."""
    hi_n = float("inf") if hi is None else hi

    def check_string(v: Any, where: str) -> None:
        if v.__class__ is not str and not isinstance(v, str):
            raise Invalid(where, f"expected string, found {describe(v)}")
        if not lo <= len(v) <= hi_n:
            bound = f"at most {hi}" if len(v) > hi_n else f"at least {lo}"
            raise Invalid(where, f"expected {bound} characters, found {len(v)}")

    return check_string


def _enum_check(options: list[Any]) -> Check:
    def check_enum(v: Any, where: str) -> None:
        for o in options:
            if json_equal(v, o):
                return
        raise Invalid(where, f"expected one of {options!r}, found {describe(v)}")

    return check_enum


def _const_check(const: Any) -> Check:
    def check_const(v: Any, where: str) -> None:
        if not json_equal(v, const):
            raise Invalid(where, f"expected {const!r}, found {describe(v)}")

    return check_const


def _string_checks(schema: Mapping[str, Any]) -> list[Check]:
    out: list[Check] = []
    lo, hi, pattern = schema.get("minLength"), schema.get("maxLength"), schema.get("pattern")
    if lo is not None or hi is not None:
        lo_n = 0 if lo is None else lo
        hi_n = float("inf") if hi is None else hi

        def check_len(v: Any, where: str) -> None:
            if isinstance(v, str) and not lo_n <= len(v) <= hi_n:
                bound = f"at most {hi}" if len(v) > hi_n else f"at least {lo}"
                raise Invalid(where, f"expected {bound} characters, found {len(v)}")

        out.append(check_len)
    if pattern is not None:
        search = compile_ecma(pattern).search

        def check_pattern(v: Any, where: str) -> None:
            if isinstance(v, str) and search(v) is None:
                raise Invalid(where, f"expected a match for /{pattern}/, found {describe(v)}")

        out.append(check_pattern)
    return out


def _number_checks(schema: Mapping[str, Any]) -> list[Check]:
    # The failing comparison exactly as jsonschema writes it, so NaN and mixed numeric
    # types (Decimal against a float bound) decide the same way.
    bounds: list[tuple[str, Callable[[Any, Any], bool], str]] = [
        ("minimum", lambda v, b: not v < b, ">="),
        ("maximum", lambda v, b: not v > b, "<="),
        ("exclusiveMinimum", lambda v, b: not v <= b, ">"),
        ("exclusiveMaximum", lambda v, b: not v >= b, "<"),
    ]
    out: list[Check] = []
    for key, ok, op in bounds:
        if key in schema:
            out.append(_bound_check(schema[key], ok, op))
    return out


def _bound_check(bound: Any, ok: Callable[[Any, Any], bool], op: str) -> Check:
    def check_bound(v: Any, where: str) -> None:
        if is_number(v) and not ok(v, bound):
            raise Invalid(where, f"expected a number {op} {bound}, found {describe(v)}")

    return check_bound


def _array_checks(schema: Mapping[str, Any]) -> list[Check]:
    out: list[Check] = []
    lo, hi = schema.get("minItems"), schema.get("maxItems")
    if lo is not None or hi is not None:
        lo_n = 0 if lo is None else lo
        hi_n = float("inf") if hi is None else hi

        def check_count(v: Any, where: str) -> None:
            if isinstance(v, list) and not lo_n <= len(v) <= hi_n:
                bound = f"at most {hi}" if len(v) > hi_n else f"at least {lo}"
                raise Invalid(where, f"expected {bound} items, found {len(v)}")

        out.append(check_count)
    if "items" in schema and schema["items"] is not True:
        item = _compile(schema["items"])

        def check_items(v: Any, where: str) -> None:
            if isinstance(v, list):
                for i, x in enumerate(v):
                    item(x, f"{where}[{i}]")

        out.append(check_items)
    return out


def _object_checks(schema: Mapping[str, Any]) -> list[Check]:
    props = {k: _compile(s) for k, s in schema.get("properties", {}).items()}
    required = list(schema.get("required", []))
    extra_schema = schema.get("additionalProperties", True)
    if not props and not required and extra_schema is True:
        return []
    extra = None if extra_schema is True else _compile(extra_schema)
    allowed = sorted(props)

    def check_object(v: Any, where: str) -> None:
        if not isinstance(v, dict):
            return
        for name in required:
            if name not in v:
                raise Invalid(where, f"missing required property {name!r}")
        for key, value in v.items():
            sub = props.get(key)
            if sub is not None:
                sub(value, f"{where}.{key}")
            elif extra is not None:
                if extra_schema is False:
                    raise Invalid(
                        where,
                        f"unexpected property {key!r} (allowed: {', '.join(allowed) or 'none'})",
                    )
                extra(value, f"{where}.{key}")

    return [check_object]


def jsonschema_validator(schema: dict[str, Any] | bool) -> Any:
    """A ``jsonschema`` validator for ``schema``: its declared dialect (2020-12 if none),
    with ``pattern`` and ``patternProperties`` read as ECMA-262. Imports jsonschema."""
    import jsonschema  # type: ignore[import-untyped]  # lazy: ~100 ms, only off the subset

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return _ecma(cls)(schema)


_ECMA_CLASSES: dict[Any, Any] = {}


def _ecma(cls: Any) -> Any:
    if cls not in _ECMA_CLASSES:
        import jsonschema

        def pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Any:
            if not validator.is_type(instance, "string"):
                return
            if not _compiles(patrn):
                yield jsonschema.ValidationError(f"{patrn!r} is not an ECMA-262 pattern")
            elif not compile_ecma(patrn).search(instance):
                yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")

        def pattern_properties(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
            if not validator.is_type(instance, "object"):
                return
            for patrn, subschema in value.items():
                for k, v in instance.items():
                    if _compiles(patrn) and compile_ecma(patrn).search(k):
                        yield from validator.descend(v, subschema, path=k, schema_path=patrn)

        _ECMA_CLASSES[cls] = jsonschema.validators.extend(
            cls, {"pattern": pattern, "patternProperties": pattern_properties}
        )
    return _ECMA_CLASSES[cls]


def _fallback(schema: dict[str, Any] | bool) -> Check:
    validator: list[Any] = []

    def check_with_jsonschema(v: Any, where: str) -> None:
        if not validator:
            validator.append(jsonschema_validator(schema))
        error = next(iter(validator[0].iter_errors(v)), None)
        if error is not None:
            path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
            raise Invalid(where + path, error.message)

    return check_with_jsonschema
