"""The compiled input check agrees with ``jsonschema`` on every value Hypothesis generates
for the schemas real repositories use: every prompt input schema and tool argument schema
of the example repository and of ``promptops init``, whole and property by property.

The reference is ``jsonschema`` with ``pattern`` read as ECMA-262 (what JSON Schema
specifies; the runtime's own fallback does the same), so a trailing newline never slips
past ``^...$``. Values lean on each schema (matches of its patterns with a newline added,
numbers at its bounds as ints, floats, NaN, Decimals and Fractions, enum members and near
misses) as well as arbitrary JSON.
"""

from __future__ import annotations

import decimal
import fractions
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptops.compile import build
from promptops.runtime.ecma_regex import compile_ecma
from promptops.runtime.schema_fast import Invalid, compile_check, is_supported, jsonschema_validator
from promptops.scaffold import scaffold_files

ROOT = Path(__file__).resolve().parents[2]


def _schemas_of(root: Path) -> list[dict[str, Any]]:
    bundle = build(root, ref=None)
    found: list[dict[str, Any]] = []
    for prompt_id in bundle.prompts:
        prompt = bundle.prompt(prompt_id)
        found.append(prompt["input_schema"])
        found.extend(tool["parameters"] for tool in prompt["tools"])
    subschemas = [s for schema in found for s in (schema.get("properties") or {}).values()]
    unique = {repr(s): s for s in [*found, *subschemas]}
    return list(unique.values())


def _init_repo(tmp: Path) -> Path:
    for rel, data in scaffold_files().items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return tmp


_EXAMPLE = _schemas_of(ROOT)


@pytest.fixture(scope="module")
def init_schemas(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return _schemas_of(_init_repo(tmp_path_factory.mktemp("init")))


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _numbers(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    bounds = [schema[k] for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
              if isinstance(schema.get(k), int | float)]  # fmt: skip
    near = [b + d for b in bounds for d in (-1, -0.5, 0, 0.5, 1)]
    return st.one_of(
        st.sampled_from(near or [0]),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(near or [0]).map(lambda x: decimal.Decimal(str(x))),
        st.decimals(allow_nan=False),
        st.sampled_from(near or [0]).map(lambda x: fractions.Fraction(x).limit_denominator()),
        st.just(decimal.Decimal("1e9")),
    )


def _strings(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    top = (schema.get("maxLength") or 8) + 2
    options = [st.text(max_size=top), st.text(alphabet="aZ09 -_\n\r\u2028٣", max_size=top)]
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        matches = st.from_regex(compile_ecma(pattern))
        options += [matches, matches.map(lambda s: s + "\n"), matches.map(lambda s: "\n" + s)]
    return st.one_of(*options)


def _values(schema: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    if not isinstance(schema, dict) or depth > 3:
        return _JSON
    options: list[st.SearchStrategy[Any]] = [_JSON, _numbers(schema), _strings(schema)]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        options.append(st.sampled_from(schema["enum"]))
    if "items" in schema:
        options.append(st.lists(_values(schema["items"], depth + 1), max_size=4))
    props = schema.get("properties")
    if isinstance(props, dict):
        fields = {k: _values(s, depth + 1) for k, s in props.items()}
        options.append(
            st.fixed_dictionaries({}, optional=fields).flatmap(
                lambda d: st.dictionaries(
                    st.sampled_from(["extra", *fields]), _JSON, max_size=1
                ).map(lambda more: {**d, **more})
            )
        )
    return st.one_of(*options)


def _fast(schema: Any, value: Any) -> bool:
    try:
        compile_check(schema)(value, "$")
    except Invalid:
        return False
    return True


def _agree(schema: dict[str, Any], value: Any) -> None:
    reference = jsonschema_validator(schema).is_valid(value)
    assert _fast(schema, value) == reference, (schema, value)


@pytest.mark.parametrize("index", range(len(_EXAMPLE)))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_agrees_on_the_example_repositorys_schemas(index: int, data: st.DataObject) -> None:
    schema = _EXAMPLE[index]
    assert is_supported(schema), schema  # these take the compiled path
    _agree(schema, data.draw(_values(schema)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_agrees_on_the_init_templates_schemas(
    init_schemas: list[dict[str, Any]], data: st.DataObject
) -> None:
    schema = data.draw(st.sampled_from(init_schemas))
    _agree(schema, data.draw(_values(schema)))


@pytest.mark.parametrize(
    ("schema", "value", "valid"),
    [
        ({"type": "string", "pattern": "^[a-z]+$"}, "abc\n", False),
        ({"type": "string", "pattern": "^[a-z]+$"}, "abc", True),
        ({"type": "string", "pattern": "^\\d+$"}, "٣", False),
        ({"type": "string", "pattern": "^.$"}, "\r", False),
        ({"type": "string", "pattern": "^\\s$"}, "\u00a0", True),
        ({"type": "string", "pattern": "^(?<y>[0-9]{4})-\\k<y>$"}, "2026-2026", True),
        ({"type": "number", "maximum": 500}, decimal.Decimal("1e9"), False),
        ({"type": "number", "maximum": 500}, fractions.Fraction(1001, 2), False),
        ({"type": "number", "maximum": 500}, float("nan"), True),  # as jsonschema decides
        ({"type": "integer"}, decimal.Decimal("5"), False),
    ],
)
def test_edge_cases(schema: dict[str, Any], value: Any, valid: bool) -> None:
    assert _fast(schema, value) is valid
    assert jsonschema_validator(schema).is_valid(value) is valid


def test_other_dialects_go_to_jsonschema() -> None:
    draft4 = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "number",
        "maximum": 5,
        "exclusiveMaximum": True,  # draft-04: a flag on maximum, not a bound of its own
    }
    assert not is_supported(draft4)
    assert (_fast(draft4, 5), _fast(draft4, 4)) == (False, True)
    assert is_supported({**draft4, "$schema": "https://json-schema.org/draft/2020-12/schema",
                         "exclusiveMaximum": 5})  # fmt: skip
