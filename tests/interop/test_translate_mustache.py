"""``{{var}}`` substitution as GitHub Models and Langfuse do it, and its translation."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from promptops.interop.schema_infer import schema_of_value
from promptops.interop.translate import render_mustache, translate_mustache
from promptops.interop.translate.mustache import Flavor, go_format, placeholders

ENV = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)


@pytest.mark.parametrize(
    ("flavor", "template", "data", "expected"),
    [
        ("github", "Hi {{name}}!", {"name": "Ada"}, "Hi Ada!"),
        ("github", "Hi {{ name }}!", {"name": "Ada"}, "Hi {{ name }}!"),  # not a gh placeholder
        ("github", "{{missing}} stays", {}, "{{missing}} stays"),
        ("github", "{{flag}} {{n}}", {"flag": True, "n": 3}, "true 3"),
        ("github", "{% raw %} {{x}}", {"x": "1"}, "{% raw %} 1"),
        ("langfuse", "Hi {{ name }}!", {"name": "Ada"}, "Hi Ada!"),
        ("langfuse", "{{missing}} stays", {}, "{{missing}} stays"),
        ("langfuse", "{{n}} {{none}}", {"n": 3, "none": None}, "3 "),
    ],
)
def test_source_semantics(
    flavor: Flavor, template: str, data: dict[str, Any], expected: str
) -> None:
    assert render_mustache(template, data, flavor) == expected


@pytest.mark.parametrize(
    ("flavor", "template", "data"),
    [
        ("github", "Hi {{name}}, {{ x }} {% if %} {# c #} {", {"name": "Ada"}),
        ("github", "{{flag}}", {"flag": False}),
        ("langfuse", "Dear {{ customer name }}: {{total}}", {"customer name": "Bo", "total": "9"}),
        ("langfuse", "{{a}}{{b}}", {"a": "{{b}}", "b": "x"}),
    ],
)
def test_translation_renders_the_same(flavor: Flavor, template: str, data: dict[str, Any]) -> None:
    names = {p.name for p in placeholders(template, flavor) if p.name in data}
    tr = translate_mustache(
        template, flavor, names, {k: schema_of_value(v) for k, v in data.items()}
    )
    inputs = {tr.renames.get(k, k): v for k, v in data.items()}
    assert ENV.from_string(tr.segments[0].jinja).render(**inputs) == render_mustache(
        template, data, flavor
    )


def test_a_placeholder_no_sample_fills_stays_text_and_is_reported() -> None:
    tr = translate_mustache("Hi {{ name }}", "github", set())
    assert ENV.from_string(tr.segments[0].jinja).render() == "Hi {{ name }}"
    assert [p.code for p in tr.problems] == ["literal-placeholder"]


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (1.0, "1"),
        (0.5, "0.5"),
        (1e6, "1e+06"),
        (123456.0, "123456"),
        (1e-5, "1e-05"),
        ([1, "a"], "[1 a]"),
        ({"b": 2, "a": 1}, "map[a:1 b:2]"),
        (None, "<nil>"),
    ],
)
def test_values_print_as_go_prints_them(value: Any, printed: str) -> None:
    assert go_format(value) == printed
