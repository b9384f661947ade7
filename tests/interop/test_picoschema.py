"""Picoschema against Dotprompt's own specification table, and back."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from promptops.interop.picoschema import PicoschemaError, picoschema, to_picoschema
from tests.interop.conftest import CORPUS

_FRONT = re.compile(r"^---\n([\s\S]*?)\n---", re.M)
NAMED = {"named_schema_override_description", "nested_named_schema"}  # schemas registered in code


def _cases() -> list[Any]:
    out = []
    for suite in yaml.safe_load((CORPUS / "dotprompt/spec/picoschema.yaml").read_text()):
        front = _FRONT.match(suite["template"].replace("\r\n", "\n"))
        assert front is not None
        data = yaml.safe_load(front.group(1))
        for test in suite["tests"]:
            for key in ("input", "output"):
                if key in test["expect"]:
                    out.append(
                        pytest.param(
                            suite["name"],
                            data[key]["schema"],
                            test["expect"][key]["schema"],
                            id=f"{suite['name']}-{key}",
                        )
                    )
    return out


@pytest.mark.parametrize(("name", "pico", "expected"), _cases())
def test_matches_the_specification(name: str, pico: Any, expected: dict[str, Any]) -> None:
    if name in NAMED:
        with pytest.raises(PicoschemaError, match="registered in your Genkit code"):
            picoschema(pico)
        return
    assert picoschema(pico) == expected


@pytest.mark.parametrize(("name", "pico", "expected"), _cases())
def test_writing_back_reads_the_same(name: str, pico: Any, expected: dict[str, Any]) -> None:
    written = to_picoschema(expected)
    if written is not None:
        assert picoschema(written) == expected
