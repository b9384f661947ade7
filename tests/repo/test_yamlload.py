"""The fast YAML loader: same values as PyYAML's safe loader, caps enforced, never expanded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from promptops.repo.config import Limits
from promptops.repo.yamlload import YamlProblem, parse_yaml

LIMITS = Limits()


def problem(data: bytes, limits: Limits = LIMITS) -> tuple[str, int, int, str]:
    with pytest.raises(YamlProblem) as info:
        parse_yaml(data, limits)
    p = info.value
    return p.code, p.line, p.col, p.message


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.dates(),
    st.datetimes(timezones=st.just(dt.UTC)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=80, deadline=None)
@given(values, st.sampled_from([None, True, False]))
def test_same_values_as_pyyaml(value: Any, flow: bool | None) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    assert parse_yaml(text.encode(), LIMITS).data == yaml.safe_load(text)


def test_small_aliases_are_fine() -> None:
    data = parse_yaml(b"base: &b {a: 1}\nx: *b\ny: *b\n", LIMITS).data
    assert data == {"base": {"a": 1}, "x": {"a": 1}, "y": {"a": 1}}


def test_billion_laughs_is_refused_without_expanding() -> None:
    doc = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    assert problem(doc.encode()) == (
        "too-many-aliases",
        5,
        4,
        "document expands to more than 100000 nodes through aliases (a 'billion laughs' "
        "document?); it was not expanded",
    )


def test_alias_count_cap() -> None:
    doc = "a: &a 1\nb: [" + ", ".join(["*a"] * 5) + "]\nc: &c [1]\nd: [*c, *c, *c]\n"
    assert problem(doc.encode(), Limits(max_aliases=2))[0] == "too-many-aliases"


def test_deep_nesting_is_refused_before_composing() -> None:
    # 200,000 levels would overflow libyaml's recursive composer: refused from events.
    assert problem(b"[" * 200_000 + b"]" * 200_000)[:3] == ("too-deep", 1, 65)


def test_deep_block_nesting() -> None:
    doc = "".join(" " * i + "k:\n" for i in range(80)) + " " * 80 + "v\n"
    assert problem(doc.encode())[0] == "too-deep"


BREAKS = pytest.mark.parametrize("br", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
# Short documents are refused while building values, long ones by the event walk, and the
# longest by libyaml itself (PyYAML >= 6.0.4 caps flow nesting at 1,000): same diagnostic.
LEVELS = pytest.mark.parametrize("levels", [70, 1_500, 200_000])


@BREAKS
@LEVELS
def test_too_deep_flow_is_placed_on_the_first_offending_bracket(br: str, levels: int) -> None:
    # Three mapping levels, then brackets: the bracket at depth 65 is the 62nd, on line 3.
    doc = f"a:{br}  b:{br}    c: " + "[" * levels + "]" * levels + br
    assert problem(doc.encode()) == (
        "too-deep",
        3,
        8 + 61,
        "nesting deeper than 64 levels; flatten the document",
    )


@BREAKS
@pytest.mark.parametrize("levels", [70, 900])
def test_too_deep_block_is_placed_on_the_first_offending_indentation(br: str, levels: int) -> None:
    doc = "".join(" " * i + "k:" + br for i in range(levels)) + " " * levels + "v" + br
    assert problem(doc.encode())[:3] == ("too-deep", 65, 65)


@BREAKS
def test_too_deep_block_sequence(br: str) -> None:
    doc = "x:" + br + "".join(" " * i + "-" + br for i in range(1, 1_200)) + " " * 1_200 + "v" + br
    assert problem(doc.encode())[:3] == ("too-deep", 65, 65)


@BREAKS
@pytest.mark.parametrize("levels", [1_500, 200_000])
def test_too_deep_flow_mapping_unclosed(br: str, levels: int) -> None:
    # A truncated document: refused for depth, not for the missing closers.
    doc = f"k:{br}  " + "{a: " * levels
    assert problem(doc.encode())[:3] == ("too-deep", 2, 3 + 4 * 63)


def test_depth_cap_above_libyaml_cap_is_refused() -> None:
    with pytest.raises(ValueError, match="max_depth must be between 1 and 1000, got 1001"):
        Limits(max_depth=1_001)


@BREAKS
def test_syntax_errors_are_placed_on_the_line_an_editor_shows(br: str) -> None:
    doc = f"a: 1{br}b: 2{br}c: [x{br}d: \x85"
    assert problem(doc.encode("utf-8"))[:2] == ("yaml-syntax", 4)


@BREAKS
def test_invalid_utf8_is_placed_on_its_line(br: str) -> None:
    assert problem(f"a: 1{br}b: xy".encode() + b"\xff\n")[:3] == ("encoding", 2, 6)


def test_size_cap() -> None:
    assert problem(b"a: 1\n" * 10, Limits(max_file_bytes=20)) == (
        "too-large",
        1,
        1,
        "file is larger than the limit of 20 bytes; split it into smaller files",
    )


def test_bom_is_accepted() -> None:
    assert parse_yaml(b"\xef\xbb\xbfa: 1\n", LIMITS).data == {"a": 1}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"a: 1\nb: 2\na: 3\n",
            (
                "duplicate-key",
                3,
                1,
                "duplicate key 'a' (first defined at line 1); remove one of them",
            ),
        ),
        (
            b"x: {a: 1, a: 2}\n",
            (
                "duplicate-key",
                1,
                11,
                "duplicate key 'a' (first defined at line 1); remove one of them",
            ),
        ),
        (b"x: !custom 1\n", ("yaml-syntax", 1, 4, "unsupported tag '!custom'")),
        (
            b"<<: {a: 1}\n",
            ("yaml-syntax", 1, 1, "merge keys ('<<') are not supported; write the keys out"),
        ),
        (b"? [a]\n: 1\n", ("yaml-syntax", 1, 3, "mapping keys must be plain scalars")),
        (
            b"a: 1\n--- \nb: 2\n",
            (
                "yaml-syntax",
                2,
                1,
                "invalid YAML: but found another document (expected a single "
                "document in the stream)",
            ),
        ),
        (b"a: \x07\n", ("yaml-syntax", 1, 4, "invalid YAML: character #x0007 is not allowed")),
        # Indentation slips a newcomer makes: each says what to line up.
        (
            b"messages:\n  - role: user\n   content: x\n",
            (
                "yaml-syntax",
                3,
                4,
                "invalid YAML: did not find expected '-' indicator (while parsing a block "
                "collection); indent this line like the items of the list above it: each item "
                "starts with '- ' at the same column, its keys line up",
            ),
        ),
        (
            b"inputs:\n  a: 1\n b: 2\n",
            (
                "yaml-syntax",
                3,
                2,
                "invalid YAML: did not find expected key (while parsing a block mapping); "
                "indent this line like the keys of the mapping above it, or quote a value "
                "that starts with a special character",
            ),
        ),
        (
            b"description: Note: read this\n",
            (
                "yaml-syntax",
                1,
                18,
                "invalid YAML: mapping values are not allowed in this context; quote a value "
                "that contains ': ', or indent this key like the keys above it",
            ),
        ),
    ],
)
def test_problems(data: bytes, expected: tuple[str, int, int, str]) -> None:
    assert problem(data) == expected
