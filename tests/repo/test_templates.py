"""Template analysis: the regex subset agrees with Jinja2, and refused constructs are errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptops.repo.jinja_walk import analyse_jinja
from promptops.repo.template_facts import TemplateFacts
from promptops.repo.template_subset import read_subset
from promptops.repo.templates import analyse_template


def jinja(text: str) -> TemplateFacts:
    facts = TemplateFacts()
    analyse_jinja(text, facts)
    return facts


IN_SUBSET = [
    "Hello {{ name }}.",
    "{{ a.b | trim | join(', ') }}\n{% for x in items %}{{ x.y }}{% else %}none{% endfor %}",
    '{% if a %}x{% elif not b %}y{% else %}{{ c }}{% endif %}\n{% include "partials/p" %}',
    "{{- x -}} {%- if y -%}{%- endif %}",
    "{% include 'p/x' %}{{ q|default(3) }}",
    "{% for a in b %}\n{% for c in a %}{{ c }}{{ d }}{% endfor %}\n{% endfor %}",
]
NOT_IN_SUBSET = [
    "{% for a in b %}{% endif %}",
    "{{ x.__class__ }}",
    "{{ loop }}",
    "{% if a %}{% else %}{% elif b %}{% endif %}",
    "{{ a }",
    "{{ x.format(1) }}",
    "{# comment #}{{ a }}",
    "{% set x = 1 %}{{ x }}",
    "{{ a + b }}",
    "{% raw %}{{ a }}{% endraw %}",
]


@pytest.mark.parametrize("text", IN_SUBSET)
def test_subset_agrees_with_jinja(text: str) -> None:
    assert read_subset(text) == jinja(text)


@pytest.mark.parametrize("text", NOT_IN_SUBSET)
def test_outside_subset_falls_back(text: str) -> None:
    assert read_subset(text) is None
    assert analyse_template(text) == jinja(text)


pieces = st.sampled_from(
    [
        "{{ a }}",
        "{{ b.c | upper }}",
        "{% for x in xs %}",
        "{% endfor %}",
        "{% if a %}",
        "{% elif not b %}",
        "{% else %}",
        "{% endif %}",
        "{% include 'p/q' %}",
        "{{ x }}",
        "text\n",
        "{{",
        "%}",
        "{{ a + 1 }}",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=10))
def test_subset_never_disagrees(parts: list[str]) -> None:
    text = "".join(parts)
    fast = read_subset(text)
    if fast is not None:
        assert fast == jinja(text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "{{ x.__class__ }}",
            (
                1,
                "unsafe-template",
                "access to '__class__' is refused by the "
                "sandbox; names starting with '_' are private",
            ),
        ),
        (
            "{{ x['__globals__'] }}",
            (
                1,
                "unsafe-template",
                "access to '__globals__' is refused "
                "by the sandbox; names starting with '_' are private",
            ),
        ),
        (
            "{{ x|attr('_secret') }}",
            (
                1,
                "unsafe-template",
                "access to '_secret' is refused by "
                "the sandbox; names starting with '_' are private",
            ),
        ),
        (
            "\n{{ '{}'.format(x) }}",
            (
                2,
                "unsafe-template",
                "calling '.format' is refused by the sandbox; use the 'format' filter instead",
            ),
        ),
        ("{{ x.mro() }}", (1, "unsafe-template", "attribute '.mro' is refused by the sandbox")),
        (
            "{% extends 'x' %}",
            (
                1,
                "unsafe-template",
                "only {% include %} of partials is supported; extends and import are not",
            ),
        ),
        (
            "{% include name %}",
            (
                1,
                "template-syntax",
                'include needs a literal partial id, e.g. {% include "partials/footer" %}',
            ),
        ),
    ],
)
def test_refused_constructs(text: str, problem: tuple[int, str, str]) -> None:
    assert analyse_template(text).problems == [problem]


def test_loop_and_set_names_are_not_inputs() -> None:
    facts = analyse_template(
        "{% set y = 1 %}{% for a in items %}{{ a }}{{ loop.index }}"
        "{% endfor %}{{ y }}{{ range(3) }}"
    )
    assert facts.variables == {"items": 1}


def test_deeply_nested_expression_is_a_diagnostic() -> None:
    text = "{{ " + "(" * 3000 + "x" + ")" * 3000 + " }}"
    assert analyse_template(text).problems == [
        (1, "template-syntax", "template syntax error: expressions nest too deeply")
    ]
