"""Nunjucks (promptfoo) -> Jinja: one row per construct, checked against our Nunjucks
renderer, the Jinja translation in promptops' sandbox, and nunjucks itself."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from promptops.interop.schema_infer import schema_of_value
from promptops.interop.translate import parse_nunjucks, render_nunjucks, translate_nunjucks
from tests.interop.conftest import Render

ENV = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)

# (id, template, data, what nunjucks renders with autoescape off, as promptfoo runs it)
ROWS: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "variable",
        "Translate to {{language}}: {{input}}",
        {"language": "French", "input": "Hi"},
        "Translate to French: Hi",
    ),
    ("trailing-newline", "line\n", {}, "line\n"),
    ("boolean", "{{ ok }}", {"ok": True}, "true"),
    ("literal-true", "{{ true }}", {}, "true"),
    ("float-literal", "{{ 2.0 }}", {}, "2"),
    ("attribute", "{{ user.name }}", {"user": {"name": "Ada"}}, "Ada"),
    ("index", "{{ xs[1] }}", {"xs": ["a", "b"]}, "b"),
    ("if-else", "{% if n > 2 %}big{% else %}small{% endif %}", {"n": 3}, "big"),
    ("elseif", "{% if a %}A{% elseif b %}B{% else %}C{% endif %}", {"a": 0, "b": 1}, "B"),
    ("empty-list-is-true", "{% if xs %}T{% else %}F{% endif %}", {"xs": []}, "T"),
    ("empty-string-is-false", "{% if s %}T{% else %}F{% endif %}", {"s": ""}, "F"),
    ("not", "{% if not s %}none{% endif %}", {"s": ""}, "none"),
    ("and-or", "{{ a and b }}|{{ c or 'x' }}", {"a": "1", "b": "2", "c": ""}, "2|x"),
    (
        "for",
        "{% for x in xs %}{{ loop.index }}.{{ x }} {% endfor %}",
        {"xs": ["a", "b"]},
        "1.a 2.b ",
    ),
    (
        "for-first-last",
        "{% for x in xs %}{{ loop.first }}{{ loop.last }} {% endfor %}",
        {"xs": [1, 2]},
        "truefalse falsetrue ",
    ),
    ("for-else", "{% for x in xs %}{{ x }}{% else %}none{% endfor %}", {"xs": []}, "none"),
    (
        "for-object",
        "{% for k, v in o %}{{ k }}={{ v }};{% endfor %}",
        {"o": {"a": 1, "b": 2}},
        "a=1;b=2;",
    ),
    ("concat", "{{ a ~ b }}", {"a": "x", "b": 1}, "x1"),
    ("plus-text", '{{ "n=" + n }}', {"n": 4}, "n=4"),
    (
        "filters",
        "{{ s | upper }} {{ s | lower }} {{ s | length }} {{ s | trim }}",
        {"s": " Ab "},
        " AB   ab  4 Ab",
    ),
    ("join", '{{ xs | join(", ") }}', {"xs": ["a", "b"]}, "a, b"),
    ("default", '{{ missing | default("d") }}', {"missing": None}, ""),
    (
        "capitalize-replace",
        '{{ s | capitalize }} {{ s | replace("o", "0") }}',
        {"s": "hello world"},
        "Hello world hell0 w0rld",
    ),
    ("cond-expr", "{{ 'yes' if ok else 'no' }}", {"ok": False}, "no"),
    ("cond-no-else", "[{{ 'yes' if ok }}]", {"ok": False}, "[]"),
    ("set", "{% set greeting = 'Hi ' ~ name %}{{ greeting }}", {"name": "Bo"}, "Hi Bo"),
    ("whitespace-control", "a\n  {%- if x -%}\n  b  \n  {%- endif %}\nc", {"x": True}, "ab\nc"),
    ("comment", "a{# gone #}b", {}, "ab"),
    ("in", '{% if "b" in xs %}found{% endif %}', {"xs": ["a", "b"]}, "found"),
    ("literal-braces", '{{ "{{" }} not a tag', {}, "{{ not a tag"),
]


def _jinja(template: str, data: dict[str, Any]) -> str:
    tr = translate_nunjucks(
        parse_nunjucks(template), template, {k: schema_of_value(v) for k, v in data.items()}
    )
    assert [p for p in tr.problems if p.level == "error"] == []
    return ENV.from_string(tr.segments[0].jinja).render(**data)


@pytest.mark.parametrize(
    ("template", "data", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_renderer_matches_nunjucks(template: str, data: dict[str, Any], expected: str) -> None:
    assert render_nunjucks(parse_nunjucks(template), data) == expected


# A null through default() prints nothing in Nunjucks and "None" in Jinja: a known
# difference the import's render check reports (no filter fixes it without type knowledge).
TRANSLATED = [r for r in ROWS if r[0] != "default"]


@pytest.mark.parametrize(
    ("template", "data", "expected"), [r[1:] for r in TRANSLATED], ids=[r[0] for r in TRANSLATED]
)
def test_translation_renders_the_same(template: str, data: dict[str, Any], expected: str) -> None:
    assert _jinja(template, data) == expected


def test_a_null_through_default_is_the_known_difference() -> None:
    assert _jinja('{{ missing | default("d") }}', {"missing": None}) == "None"


def test_rows_agree_with_nunjucks(node_reference: Render) -> None:
    results = node_reference(
        [{"engine": "nunjucks", "template": t, "data": d} for _, t, d, _ in ROWS]
    )
    mismatches = [
        (r[0], got.get("output", got.get("error")), r[3])
        for r, got in zip(ROWS, results, strict=True)
        if got.get("output") != r[3]
    ]
    assert mismatches == []


@pytest.mark.parametrize(
    ("template", "code", "level"),
    [
        ("{{ body | allcaps }}", "template-filter", "warning"),
        ("{{ x | dump }}", "template-filter", "warning"),
        ("{{ x | round }}", "template-filter", "warning"),
        ("{% macro m() %}x{% endmacro %}", "template-construct", "error"),
        ("{% include 'other.njk' %}", "template-construct", "error"),
    ],
)
def test_constructs_without_an_exact_equivalent_are_reported(
    template: str, code: str, level: str
) -> None:
    tr = translate_nunjucks(parse_nunjucks(template), template, {})
    assert (code, level) in [(p.code, p.level) for p in tr.problems]


def test_a_custom_filter_is_removed_and_the_value_printed() -> None:
    template = "Rephrase: {{ body | allcaps }}"
    tr = translate_nunjucks(parse_nunjucks(template), template, {})
    assert tr.segments[0].jinja == "Rephrase: {{ body }}"
