from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import StrictUndefined, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from promptops.runtime.engines import substitute_format

JINJA = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True)


@pytest.mark.parametrize(
    ("template", "fmt"),
    [
        ("Hello {{ name }}.", "Hello {name!s}."),
        ("{{name}}{{ other }}", "{name!s}{other!s}"),
        ("braces { } and {x}", "braces {{ }} and {{x}}"),
        ("line\r\nbreak\r", "line\nbreak\n"),
        ("", ""),
    ],
)
def test_substitute_format_strings(template: str, fmt: str) -> None:
    assert substitute_format(template) == fmt


@pytest.mark.parametrize(
    "template",
    [
        "{% if x %}y{% endif %}",
        "{{ x | upper }}",
        "{{ a.b }}",
        "{{- x }}",
        "{# c #}",
        "{{ true }}",
        "{{ none }}",
        "a {{ x }} {%",
        "{{{x}}",
        "{{{{x}}}}",
    ],
)
def test_anything_beyond_plain_outputs_is_left_to_jinja(template: str) -> None:
    assert substitute_format(template) is None


_names = st.sampled_from(["a", "name", "x_1", "Topic"])
_literal = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12).filter(
    lambda s: "{" not in s and "}" not in s
)
_pieces = st.lists(
    st.one_of(
        _literal, _names.map(lambda n: "{{ " + n + " }}"), _names.map(lambda n: "{{" + n + "}}")
    ),
    max_size=8,
)
_values = st.one_of(
    st.text(max_size=10),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
)


@settings(max_examples=150, deadline=None)
@given(
    pieces=_pieces,
    values=st.fixed_dictionaries({n: _values for n in ["a", "name", "x_1", "Topic"]}),
)
def test_substitute_engine_renders_exactly_what_jinja_renders(
    pieces: list[str], values: dict[str, Any]
) -> None:
    template = "".join(pieces)
    fmt = substitute_format(template)
    assert fmt is not None
    assert fmt.format_map(values) == JINJA.from_string(template).render(values)


def _outcome(render: Any) -> str:
    try:
        return "ok: " + str(render())
    except (KeyError, UndefinedError):
        return "undefined"


@settings(max_examples=200, deadline=None)
@given(braces=st.text(alphabet="{}%# xy", max_size=12))
def test_brace_soup_is_either_jinja_or_identical(braces: str) -> None:
    fmt = substitute_format(braces)
    if fmt is None:
        return
    assert _outcome(lambda: fmt.format_map({"x": 1})) == _outcome(
        lambda: JINJA.from_string(braces).render(x=1)
    )
