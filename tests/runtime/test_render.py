from __future__ import annotations

from typing import Any

import pytest

from promptops.errors import BundleError, RenderError
from promptops.runtime.render import Prompt
from promptops.runtime.request import Provenance
from tests.runtime.fixtures import GREET, LOOP, compiled

PROV = Provenance("p", "d" * 64, "v1", 1, "b" * 64, "a" * 40)


def prompt(obj: dict[str, Any], validate: bool = True) -> Prompt:
    return Prompt(obj, PROV._replace(prompt_id=obj["id"]), validate=validate)


def test_request_carries_model_params_tools_and_provenance() -> None:
    req = prompt(GREET).render(name="Ada")
    assert (req.model, req.provider, req.model_name) == ("gpt-4o-2024-08-06", "openai", "default")
    assert dict(req.params) == {"temperature": 0.2, "max_tokens": 300}
    assert [t["name"] for t in req.tools] == ["lookup", "refund"]
    assert req.output_schema is None
    assert req.provenance.prompt_id == "greet"
    assert req.to_dict()["messages"][1] == {"role": "user", "content": "Say hello to Ada."}


def test_request_is_immutable() -> None:
    req = prompt(GREET).render(name="Ada")
    with pytest.raises(AttributeError, match="Request is immutable; cannot set 'messages'"):
        req.messages = []  # type: ignore[misc]
    with pytest.raises(TypeError):
        req.params["temperature"] = 1  # type: ignore[index]


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({}, "prompt 'greet': missing required input 'name'"),
        ({"name": 5}, "prompt 'greet': input 'name': expected string, found 5 (int)"),
        (
            {"name": "x" * 101},
            "prompt 'greet': input 'name': expected at most 100 characters, found 101",
        ),
        (
            {"name": "A", "nme": "B"},
            "prompt 'greet': unknown input 'nme' (declared: name); did you mean 'name'?",
        ),
    ],
)
def test_bad_inputs_name_the_input(inputs: dict[str, Any], message: str) -> None:
    with pytest.raises(RenderError) as info:
        prompt(GREET).render(**inputs)
    assert str(info.value) == message


def test_nested_input_errors_name_the_path() -> None:
    with pytest.raises(RenderError) as info:
        prompt(LOOP).render(name="A", articles=["ok", 3])
    assert (
        str(info.value)
        == "prompt 'support/loop': input 'articles[1]': expected string, found 3 (int)"
    )


def test_defaults_apply_and_are_not_shared_between_renders() -> None:
    mutating = compiled(
        "m",
        [("user", "{% set _ = items.append(1) %}{{ items | length }}", "jinja")],
        properties={"items": {"type": "array", "default": []}},
    )
    p = prompt(mutating)
    assert p.render().messages[0]["content"] == "1"
    assert p.render().messages[0]["content"] == "1"
    assert prompt(LOOP).render(name="B").messages[0]["content"] == "Thanks, B."


def test_jinja_partials_loops_and_strict_undefined() -> None:
    req = prompt(LOOP).render(name="A", articles=["x", "y"])
    assert req.messages[0]["content"] == "- x\n- y\nThanks, A."
    broken = compiled("b", [("user", "{{ missing }}", "jinja")])
    with pytest.raises(
        RenderError,
        match=r"^prompt 'b': template failed: UndefinedError: "
        r"'missing' is undefined$",
    ):
        prompt(broken, validate=False).render()


def test_sandbox_refuses_unsafe_attribute_access() -> None:
    evil = compiled(
        "e",
        [("user", "{{ name.__class__.__mro__ }}", "jinja")],
        properties={"name": {"type": "string"}},
    )
    with pytest.raises(
        RenderError,
        match=r"^prompt 'e': template failed: SecurityError: access to attribute '__class__' of "
        r"'str' object is unsafe\.$",
    ):
        prompt(evil).render(name="x")


def test_trailing_newline_is_kept_by_every_engine() -> None:
    obj = compiled(
        "n",
        [
            ("user", "a {{ x }}\n", "substitute"),
            ("user", "{{ x }}\n", "jinja"),
            ("user", "t\n", "text"),
        ],
        properties={"x": {"type": "string"}},
    )
    assert [m["content"] for m in prompt(obj).render(x="1").messages] == ["a 1\n", "1\n", "t\n"]


def test_substitute_renders_str_of_values() -> None:
    obj = compiled(
        "s",
        [("user", "{{ a }}|{{ b }}|{{ c }}", "substitute")],
        properties={"a": {}, "b": {}, "c": {}},
    )
    assert prompt(obj).render(a=None, b=True, c=[1]).messages[0]["content"] == "None|True|[1]"


def test_validation_off_still_applies_defaults() -> None:
    p = prompt(LOOP, validate=False)
    assert p.render(name=5).messages[0]["content"] == "Thanks, 5."


def test_schemas_outside_the_subset_are_validated_by_jsonschema() -> None:
    obj = compiled(
        "o",
        [("user", "{{ x }}", "substitute")],
        properties={"x": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
    )
    assert prompt(obj).render(x=3).messages[0]["content"] == "3"
    with pytest.raises(RenderError, match=r"^prompt 'o': input 'x': None is not valid under any"):
        prompt(obj).render(x=None)


def test_unknown_engine_and_malformed_object_are_refused() -> None:
    with pytest.raises(
        RenderError, match=r"^prompt 'u' message 0: unknown template engine 'mustache'"
    ):
        prompt(compiled("u", [("user", "x", "mustache")]))
    obj = compiled("k", [("user", "x", "text")])
    del obj["model"]
    with pytest.raises(
        BundleError, match=r"^bundle: prompt 'k' is malformed \(KeyError\('model'\)\)$"
    ):
        prompt(obj)
