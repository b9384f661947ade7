"""Hostile input through the public API of a served release: prompt ids and variant names
an application passes on from its own callers, and compiled prompts that are signed but
malformed (a careless signer, a compiler bug). Each ends in a ``PromptopsError`` with a
clear message, never a traceback of another type, never a prompt made up from bad fields.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from promptops.errors import UsageError
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
