from __future__ import annotations

import jinja2
import jinja2.meta
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptops.compile.engine import SUBSTITUTE_PATTERN, analyse, strip_template


@pytest.mark.parametrize(
    ("template", "engine"),
    [
        ("", "text"),
        ("Plain text, no syntax.", "text"),
        ("Braces { } and }} alone are text", "text"),
        ("line one\nline two\n", "text"),
        ("Hello {{ name }}.", "substitute"),
        ("{{name}}", "substitute"),
        ("{{ a }} and {{ b }}\n{{\n  c\n}}", "substitute"),
        ("{{ _private1 }}", "substitute"),
        ("{{ name|upper }}", "jinja"),
        ("{{ user.name }}", "jinja"),
        ("{{ items[0] }}", "jinja"),
        ("{{ name ~ '!' }}", "jinja"),
        ("{{ 'literal' }}", "jinja"),
        ("{{ true }}", "jinja"),
        ("{{ None }}", "jinja"),
        ("a {{- name }}", "jinja"),
        ("{{ name -}} b", "jinja"),
        ("{{+ name }}", "jinja"),
        ("{# a comment #}", "jinja"),
        ("{% raw %}{{ x }}{% endraw %}", "jinja"),
        ("{% if x %}y{% endif %}", "jinja"),
        ("{% for a in xs %}{{ a }}{% endfor %}", "jinja"),
        ('{% include "partials/footer" %}', "jinja"),
        ("{{\tname\t}}", "substitute"),
        ("{{ a }}{{ b }}", "substitute"),
        ("a{ {{ b }}", "substitute"),
        ("{{ x }}}", "substitute"),
        ("{{\fname}}", "jinja"),
        ("windows\r\nnewline", "jinja"),
        ("{{ name }}\r\n", "jinja"),
    ],
)
def test_engine_classification(template: str, engine: str) -> None:
    assert analyse(template).engine == engine


def test_text_and_substitute_render_like_jinja() -> None:
    # The runtime renders these without Jinja; the compiler promises the results agree.
    env = jinja2.Environment(keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    template = "Hi {{ name }}, {{name}}!\n{{\n n }}} {x}\n"
    assert analyse(template).engine == "substitute"
    values = {"name": "Ada", "n": 3}
    rendered = env.from_string(template).render(values)
    from promptops.compile.engine import SUBSTITUTE_PATTERN

    assert SUBSTITUTE_PATTERN.sub(lambda m: str(values[m.group(1)]), template) == rendered


@pytest.mark.parametrize(
    ("template", "refs", "dynamic"),
    [
        ("no refs {{ x }}", set(), False),
        ('{% include "partials/a" %}', {"partials/a"}, False),
        ('{% include ["partials/a", "partials/b"] %}', {"partials/a", "partials/b"}, False),
        ('{% import "partials/m" as m %}{{ m.f() }}', {"partials/m"}, False),
        ('{% from "partials/m" import f %}', {"partials/m"}, False),
        ('{% extends "partials/base" %}', {"partials/base"}, False),
        ("{% include which %}", set(), True),
    ],
)
def test_referenced_templates(template: str, refs: set[str], dynamic: bool) -> None:
    info = analyse(template)
    assert info.refs == refs
    assert info.dynamic_refs is dynamic


@pytest.mark.parametrize("template", ["{% if %}", "{{{ x }}}", "{{ not }}", "{{ x }"])
def test_syntax_errors_are_left_to_the_validator(template: str) -> None:
    # Never classified as a simple engine; only Jinja would render (and reject) it.
    assert analyse(template).engine == "jinja"


def test_syntax_error_in_a_template_that_may_include_is_raised() -> None:
    with pytest.raises(jinja2.TemplateSyntaxError):
        analyse('{% include "partials/a" %}{% if %}')


@pytest.mark.parametrize(
    ("raw", "stripped"),
    [("a\n", "a"), ("a\n\n", "a\n"), ("a", "a"), ("", ""), ("\n", "")],
)
def test_strip_template_removes_one_trailing_newline(raw: str, stripped: str) -> None:
    assert strip_template(raw) == stripped


def _parser_says_substitute(template: str) -> bool | None:
    """Jinja's own view: None if it does not parse, else whether the parsed template is
    only literal text and plain name outputs that render like the runtime's split."""
    env = jinja2.Environment(keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    try:
        ast = env.parse(template)
    except jinja2.TemplateSyntaxError:
        return None
    names = sorted({n.name for n in ast.find_all(jinja2.nodes.Name)})
    only_outputs = all(
        isinstance(node, jinja2.nodes.Output)
        and all(isinstance(c, jinja2.nodes.TemplateData | jinja2.nodes.Name) for c in node.nodes)
        for node in ast.body
    )
    if not only_outputs:
        return False
    values = {n: f"<{n}>" for n in names}
    return env.from_string(template).render(values) == SUBSTITUTE_PATTERN.sub(
        lambda m: values.get(m.group(1), "?"), template
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="{}%#-+ \nxy_1", max_size=24))
def test_fast_classification_agrees_with_jinja(template: str) -> None:
    parser = _parser_says_substitute(template)
    info = analyse(template)
    if parser is None:
        assert info.engine == "jinja", "a template Jinja rejects must not look simple"
    elif info.engine == "text":
        assert jinja2.Environment(keep_trailing_newline=True).from_string(template).render() == (
            template
        )
    elif info.engine == "substitute":
        assert parser is True


FRAGMENTS = [
    '{% include "partials/a" %}',
    "{%- include 'partials/b' -%}",
    '{% include "partials/c" ignore missing %}',
    "{{ x }}",
    "{{ x|e }}",
    "{",
    "}",
    "%",
    "#",
    "-",
    " ",
    "\n",
    "text",
    "{% if x %}",
    "{% endif %}",
    "{# note #}",
    "{% raw %}",
    "{% endraw %}",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join))
def test_include_shortcut_agrees_with_jinja(template: str) -> None:
    env = jinja2.Environment(keep_trailing_newline=True)
    try:
        expected = frozenset(jinja2.meta.find_referenced_templates(env.parse(template)))
    except jinja2.TemplateSyntaxError:
        expected = None
    if not any(w in template for w in ("include", "import", "extends")):
        return
    if expected is None:
        with pytest.raises(jinja2.TemplateSyntaxError):
            analyse(template)
        return
    info = analyse(template)
    assert info.refs == {r for r in expected if r is not None}
    assert info.dynamic_refs is (None in expected)
