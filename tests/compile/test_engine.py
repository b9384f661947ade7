from __future__ import annotations

import jinja2
import pytest

from promptops.compile.engine import analyse, strip_template


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


def test_syntax_error_is_raised() -> None:
    with pytest.raises(jinja2.TemplateSyntaxError):
        analyse("{% if %}")


@pytest.mark.parametrize(
    ("raw", "stripped"),
    [("a\n", "a"), ("a\n\n", "a\n"), ("a", "a"), ("", ""), ("\n", "")],
)
def test_strip_template_removes_one_trailing_newline(raw: str, stripped: str) -> None:
    assert strip_template(raw) == stripped
