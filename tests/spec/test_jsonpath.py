from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptops.spec.jsonpath import MISSING, parse_json_path, resolve_json_path

DOC = {"a": {"b": [10, {"c": "x"}]}, "key with space": 1, "q'uote": 2}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$", DOC),
        ("$.a.b[0]", 10),
        ("$.a.b[-1].c", "x"),
        ("$['key with space']", 1),
        ('$["key with space"]', 1),
        ("$['q\\'uote']", 2),
        ("$.a.b[2]", MISSING),
        ("$.a.z", MISSING),
        ("$.a.b.c", MISSING),
        ("$.a[0]", MISSING),
    ],
)
def test_resolve(path: str, value: Any) -> None:
    assert resolve_json_path(DOC, parse_json_path(path)) == value


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.integers(-5, 5), st.text(min_size=1, max_size=8)), max_size=5))
def test_bracket_paths_round_trip(steps: list[str | int]) -> None:
    def fmt(step: str | int) -> str:
        if isinstance(step, int):
            return f"[{step}]"
        return "['" + step.replace("\\", "\\\\").replace("'", "\\'") + "']"

    assert parse_json_path("$" + "".join(fmt(s) for s in steps)) == tuple(steps)
