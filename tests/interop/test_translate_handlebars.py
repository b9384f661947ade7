"""Handlebars (Dotprompt) -> Jinja: one row per construct.

Each row says what Dotprompt's Handlebars renders; the test checks our Handlebars
renderer, the Jinja translation (rendered in promptops' sandbox) and, where node and npm
are available, handlebars.js itself against it.
"""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from promptops.interop.schema_infer import schema_of_value
from promptops.interop.translate import (
    parse_handlebars,
    render_handlebars,
    translate_handlebars,
)
from promptops.interop.translate.dotprompt_messages import dotprompt_messages
from tests.interop.conftest import Render

ENV = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)

# (id, template, data, partials, what Dotprompt renders)
ROWS: list[tuple[str, str, dict[str, Any], dict[str, str], str]] = [
    ("variable", "Hello {{name}}!", {"name": "Ada"}, {}, "Hello Ada!"),
    ("spaces", "Hello {{ name }}!", {"name": "Ada"}, {}, "Hello Ada!"),
    ("no-escape", "{{name}}", {"name": "<b>&</b>"}, {}, "<b>&</b>"),
    ("triple-stash", "{{{name}}}", {"name": "<i>"}, {}, "<i>"),
    ("path", "{{user.address.city}}", {"user": {"address": {"city": "Oslo"}}}, {}, "Oslo"),
    ("boolean", "{{flag}}/{{off}}", {"flag": True, "off": False}, {}, "true/false"),
    ("integer", "{{n}} items", {"n": 3}, {}, "3 items"),
    ("escape", "\\{{name}} is {{name}}", {"name": "x"}, {}, "{{name}} is x"),
    ("comment", "a{{! note }}b{{!-- {{x}} --}}c", {}, {}, "abc"),
    ("if-true", "{{#if ok}}yes{{/if}}", {"ok": True}, {}, "yes"),
    ("if-false-else", "{{#if ok}}yes{{else}}no{{/if}}", {"ok": False}, {}, "no"),
    ("if-empty-list", "{{#if xs}}some{{else}}none{{/if}}", {"xs": []}, {}, "none"),
    ("if-zero", "{{#if n}}some{{else}}none{{/if}}", {"n": 0}, {}, "none"),
    ("else-if", "{{#if a}}A{{else if b}}B{{else}}C{{/if}}", {"a": False, "b": True}, {}, "B"),
    ("unless", "{{#unless done}}todo{{/unless}}", {"done": False}, {}, "todo"),
    ("each", "{{#each xs}}[{{this}}]{{/each}}", {"xs": ["a", "b"]}, {}, "[a][b]"),
    (
        "each-data",
        "{{#each xs}}{{@index}}{{#if @first}}^{{/if}}{{#if @last}}${{/if}}{{/each}}",
        {"xs": ["a", "b", "c"]},
        {},
        "0^12$",
    ),
    ("each-else", "{{#each xs}}x{{else}}empty{{/each}}", {"xs": []}, {}, "empty"),
    (
        "each-unless-last-newline",
        "{{#each xs}}{{this}}{{#unless @last}}, {{/unless}}{{/each}}\n",
        {"xs": ["a", "b"]},
        {},
        "a, b\n",
    ),
    (
        "each-objects",
        "{{#each people}}{{name}} ({{age}}); {{/each}}",
        {"people": [{"name": "A", "age": 3}, {"name": "B", "age": 4}]},
        {},
        "A (3); B (4); ",
    ),
    (
        "each-block-params",
        "{{#each xs as |x i|}}{{i}}={{x}} {{/each}}",
        {"xs": ["p", "q"]},
        {},
        "0=p 1=q ",
    ),
    (
        "each-object-key",
        "{{#each prices}}{{@key}}:{{this}} {{/each}}",
        {"prices": {"a": 1, "b": 2}},
        {},
        "a:1 b:2 ",
    ),
    (
        "parent",
        "{{#each xs}}{{../sep}}{{this}}{{/each}}",
        {"xs": ["a", "b"], "sep": "-"},
        {},
        "-a-b",
    ),
    ("root", "{{#each xs}}{{@root.sep}}{{this}}{{/each}}", {"xs": ["a"], "sep": "+"}, {}, "+a"),
    (
        "with",
        "{{#with user}}{{name}} of {{../team}}{{/with}}",
        {"user": {"name": "Ada"}, "team": "T"},
        {},
        "Ada of T",
    ),
    ("length", "{{xs.length}} items", {"xs": [1, 2, 3]}, {}, "3 items"),
    (
        "ifEquals",
        "{{#ifEquals a b}}same{{else}}diff{{/ifEquals}}",
        {"a": "x", "b": "x"},
        {},
        "same",
    ),
    ("unlessEquals", "{{#unlessEquals a b}}diff{{/unlessEquals}}", {"a": 1, "b": 2}, {}, "diff"),
    ("tilde", "Hello   {{~name~}}   !", {"name": "Ada"}, {}, "HelloAda!"),
    (
        "standalone-block",
        "Start\n{{#if ok}}\nMiddle\n{{/if}}\nEnd\n",
        {"ok": True},
        {},
        "Start\nMiddle\nEnd\n",
    ),
    (
        "standalone-indented",
        "List:\n  {{#each xs}}\n  - {{this}}\n  {{/each}}\nDone",
        {"xs": ["a", "b"]},
        {},
        "List:\n  - a\n  - b\nDone",
    ),
    ("standalone-comment", "a\n{{! gone }}\nb", {}, {}, "a\nb"),
    (
        "partial",
        "{{> greeting}} there",
        {"name": "Ada"},
        {"greeting": "Hi {{name}}"},
        "Hi Ada there",
    ),
    (
        "partial-hash",
        "{{> greeting name=user}}",
        {"user": "Bo"},
        {"greeting": "Hi {{name}}"},
        "Hi Bo",
    ),
    (
        "partial-in-loop",
        "{{#each xs}}{{> item}};{{/each}}",
        {"xs": [{"t": "a"}, {"t": "b"}]},
        {"item": "<{{t}}>"},
        "<a>;<b>;",
    ),
    (
        "lookup",
        "{{lookup tiers plan}}",
        {"tiers": {"pro": "Pro tier"}, "plan": "pro"},
        {},
        "Pro tier",
    ),
]


def _schemas(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: schema_of_value(v) for k, v in data.items()}


def _jinja(template: str, data: dict[str, Any], partials: dict[str, str]) -> str:
    trees = {k: parse_handlebars(v) for k, v in partials.items()}
    tr = translate_handlebars(parse_handlebars(template), _schemas(data), trees, {})
    assert [p for p in tr.problems if p.level == "error"] == []
    assert len(tr.segments) == 1
    return ENV.from_string(tr.segments[0].jinja).render(**data)


@pytest.mark.parametrize(
    ("template", "data", "partials", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_renderer_matches_handlebars(
    template: str, data: dict[str, Any], partials: dict[str, str], expected: str
) -> None:
    trees = {k: parse_handlebars(v) for k, v in partials.items()}
    assert render_handlebars(parse_handlebars(template), data, trees) == expected


@pytest.mark.parametrize(
    ("template", "data", "partials", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_translation_renders_the_same(
    template: str, data: dict[str, Any], partials: dict[str, str], expected: str
) -> None:
    assert _jinja(template, data, partials) == expected


def test_rows_agree_with_handlebars_js(node_reference: Render) -> None:
    jobs = [
        {"engine": "handlebars", "template": t, "data": d, "partials": p} for _, t, d, p, _ in ROWS
    ]
    results = node_reference(jobs)
    mismatches = [
        (r[0], got.get("output", got.get("error")), r[4])
        for r, got in zip(ROWS, results, strict=True)
        if got.get("output") != r[4]
    ]
    assert mismatches == []


def test_role_markers_cut_messages_as_dotprompt_does() -> None:
    template = '{{role "system"}}You help {{who}}.\n{{role "user"}}{{question}}\n'
    data = {"who": "Ada", "question": "Why?"}
    original = dotprompt_messages(render_handlebars(parse_handlebars(template), data))
    tr = translate_handlebars(parse_handlebars(template), _schemas(data))
    ours = [(s.role, ENV.from_string(s.jinja).render(**data)) for s in tr.segments if s.jinja]
    assert original == [("system", "You help Ada.\n"), ("user", "Why?\n")]
    assert ours == [("system", "You help Ada.\n"), ("user", "Why?\n")]


@pytest.mark.parametrize(
    ("template", "code"),
    [
        ('{{#if a}}{{role "user"}}{{/if}}', "template-role"),
        ("{{#if a}}{{history}}{{/if}}", "template-history"),
        ("{{#if a}}{{media url=u}}{{/if}}", "template-media"),
        ('{{media url="https://example.com/a.png"}}', "template-media"),
        ('{{role "model"}}{{media url=u contentType="image/png"}}', "template-media"),
        ("{{media url=u}}", "media-type"),
        ('{{role "user" purpose="preamble"}}Hi', "template-role-metadata"),
        ('{{section "s"}}', "template-section"),
        ("{{json data}}", "template-json"),
        ("{{shout name}}", "template-helper"),
        ("{{#loop xs}}{{/loop}}", "template-helper"),
        ("{{> missing}}", "template-partial"),
        ("{{this}}", "template-this"),
    ],
)
def test_constructs_without_an_exact_equivalent_are_reported(template: str, code: str) -> None:
    tr = translate_handlebars(parse_handlebars(template), {})
    assert code in [p.code for p in tr.problems]


def test_loop_variables_never_shadow_names_the_template_uses() -> None:
    template = "{{#each items}}{{../item}}{{this}}{{/each}}"
    tr = translate_handlebars(parse_handlebars(template), {})
    out = ENV.from_string(tr.segments[0].jinja).render(items=["a", "b"], item="-")
    assert out == render_handlebars(parse_handlebars(template), {"items": ["a", "b"], "item": "-"})
    assert out == "-a-b"


def test_history_and_media_become_a_history_segment_and_content_parts() -> None:
    template = (
        '{{role "system"}}Be brief.\n{{history}}{{role "user"}}Look: '
        '{{media url=photo contentType="image/png"}} and {{media url=doc.url '
        'contentType="application/pdf"}}'
    )
    tr = translate_handlebars(parse_handlebars(template), {})
    assert [(s.role, s.history, s.parts) for s in tr.segments if s.history or s.parts] == [
        (None, True, None),
        (
            "user",
            False,
            (("text", "Look: "), ("image", "photo"), ("text", " and "), ("file", "doc")),
        ),
    ]
    assert tr.media == {"photo": "string", "doc": "object"}
    assert [p.code for p in tr.problems] == []
