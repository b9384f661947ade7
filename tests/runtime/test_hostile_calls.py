"""Hostile input through the public API of a served release: prompt ids and variant names
an application passes on from its own callers, and compiled prompts that are signed but
malformed (a careless signer, a compiler bug). Each ends in a ``PromptopsError`` with a
clear message, never a traceback of another type, never a prompt made up from bad fields.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from promptops.errors import BundleError, UsageError
from promptops.runtime import Registry
from tests.runtime.fixtures import CONFIG, GREET, TRUST, publish


def _open(site: Path) -> Registry:
    return Registry.open(site, trust=TRUST, channel="production", config=CONFIG)


@pytest.fixture(scope="module")
def reg(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    site = tmp_path_factory.mktemp("hostile") / "site"
    publish(site, {"greet": GREET})
    return _open(site)


@pytest.mark.parametrize(
    ("prompt_id", "message"),
    [
        ("\ud800", r"^release v1 has no prompt '\\ud800'$"),
        ("gre\udcffet", r"^release v1 has no prompt 'gre\\udcffet'; did you mean 'greet'\?$"),
        (5, r"^a prompt id is a str, not int$"),
        (None, r"^a prompt id is a str, not NoneType$"),
        (b"greet", r"^a prompt id is a str, not bytes$"),
        (["greet"], r"^a prompt id is a str, not list$"),
    ],
)
def test_a_prompt_id_no_bundle_can_hold_is_a_usage_error(
    reg: Registry, prompt_id: Any, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        reg.prompt(prompt_id)
    with pytest.raises(UsageError, match=message):
        reg.prompt(prompt_id, variant="base")
    with pytest.raises(UsageError, match=message):
        reg.check_tool_call(prompt_id, "lookup", {"user": "ada"})


@pytest.mark.parametrize(
    ("variant", "message"),
    [
        (5, r"^a variant name is a str, not int$"),
        ("\ud800", r"^prompt 'greet' of release v1 has no variant '\\ud800' \(variants: base\)$"),
    ],
)
def test_a_variant_name_that_is_not_a_str_is_a_usage_error(
    reg: Registry, variant: Any, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        reg.prompt("greet", variant=variant)


def _greet(**fields: Any) -> dict[str, Any]:
    body = copy.deepcopy(GREET)
    body.update(fields)
    return body


def _experiment(*arms: tuple[str, str | None, int]) -> dict[str, Any]:
    return {
        "name": "e",
        "salt": "ab",
        "arms": [{"name": n, "variant": v, "weight": w} for n, v, w in arms],
    }


_TWO_ARMS = _experiment(("a", None, 1), ("b", "v", 9999))
_MALFORMED = r"^bundle: prompt 'greet' is malformed \(TypeError\(\"{}\"\)\)$"

# (compiled prompt, the message of prompt(id, key=...) and of check_tool_call; None:
# that call is not expected to read the malformed field)
SIGNED_BUT_MALFORMED: dict[str, tuple[dict[str, Any], str | None, str | None]] = {
    "tools_not_objects": (
        _greet(tools=["ab"]),
        _MALFORMED.format(r"'tools' must be a list of objects"),
        r"^bundle: prompt 'greet' has malformed tools \(TypeError\(\"'tools' must be a list "
        r"of objects\"\)\)$",
    ),
    "tools_not_a_list": (
        _greet(tools="ab"),
        _MALFORMED.format(r"'tools' must be a list of objects"),
        r"^bundle: prompt 'greet' has malformed tools \(TypeError\(\"'tools' must be a list "
        r"of objects\"\)\)$",
    ),
    "tool_without_a_name": (
        _greet(tools=[{"description": "x"}]),
        None,
        r"^bundle: prompt 'greet' has malformed tools \(KeyError\('name'\)\)$",
    ),
    # dict(["ab"]) would have made up params {"a": "b"} the signer never wrote.
    "params_pairs": (
        _greet(params=["ab"]),
        _MALFORMED.format(r"'params' must be an object"),
        None,
    ),
    "variant_tools_not_objects": (
        _greet(variants={"v": {"tools": ["ab"]}}, experiment=_TWO_ARMS),
        _MALFORMED.format(r"'tools' must be a list of objects"),
        None,
    ),
    "one_arm_experiment": (
        _greet(experiment=_experiment(("a", None, 10000))),
        r"^bundle: prompt 'greet' has a malformed experiment \(an experiment needs two or "
        r"more arms\)$",
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(SIGNED_BUT_MALFORMED))
def test_a_signed_but_malformed_prompt_is_a_bundle_error(tmp_path: Path, case: str) -> None:
    body, message, tool_message = SIGNED_BUT_MALFORMED[case]
    publish(tmp_path / "site", {"greet": body})
    reg = _open(tmp_path / "site")
    for key in ("user-1", "user-2", "user-3"):  # both arms of an experiment
        if message is not None:
            with pytest.raises(BundleError, match=message):
                reg.prompt("greet", key=key)
    if tool_message is not None:
        with pytest.raises(BundleError, match=tool_message):
            reg.check_tool_call("greet", "lookup", {"user": "ada"})
