"""The page table of a bundle's index: what a release/v2 manifest signs (ADR 0019)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptops.errors import BundleError
from promptops.runtime.pages import (
    PAGE_ENTRIES,
    check_pages,
    cut_pages,
    entry_key,
    find_entry,
    page_ids,
    parse_page_table,
)
from tests.release.tamper_cases import make_bundle

# Ids a bundle may carry: the repository's ids, and (the layout is general) any string,
# quotes, commas, brackets and non-ASCII included.
_ODD = ["a", 'q"uo,te', 'x":[1,2,"', "back\\slash", "ünï/cödé", "a,b", "z" * 40, "prompts"]
_ANY_ID = st.text(min_size=1, max_size=12)


def _bundle(ids: list[str] | set[str]) -> bytes:
    return make_bundle({i: {"id": i, "x": [1]} for i in ids}, "a" * 40)


def test_a_bundle_is_cut_into_pages_of_256_entries() -> None:
    ids = [f"p{i:04d}" for i in range(600)]
    table = cut_pages(_bundle(ids))
    assert table.prompt_count == 600 and table.firsts == ("p0000", "p0256", "p0512")
    assert PAGE_ENTRIES == 256 and table.page_of("p0255") == 0 and table.page_of("p0256") == 1
    assert table.page_of("a") is None and table.page_of("z") == 2
    assert parse_page_table(json.loads(json.dumps(table.document())), "m") == table


def test_an_empty_bundle_has_no_pages() -> None:
    data = _bundle([])
    table = cut_pages(data)
    assert (table.prompt_count, table.firsts, table.index_size) == (0, (), 2)
    assert check_pages(table, data) == data.index(b',"prompts":') + len(b',"prompts":')


@settings(max_examples=60, deadline=None)
@given(ids=st.sets(st.one_of(_ANY_ID, st.sampled_from(_ODD)), max_size=40),
       per_page=st.integers(min_value=1, max_value=7))  # fmt: skip
def test_every_id_is_found_in_its_page_and_no_other_id_is(ids: set[str], per_page: int) -> None:
    data = _bundle(ids)
    table = cut_pages(data, per_page)
    start = check_pages(table, data)
    index = json.loads(data)["index"]
    listed: list[str] = []
    for at in range(len(table.firsts)):
        page = data[40 + table.starts[at] : 40 + table.starts[at] + table.lengths[at]]
        listed += page_ids(page, "page")
    assert listed == sorted(ids)
    for pid in ids:
        at = table.page_of(pid)
        assert at is not None
        page = data[40 + table.starts[at] : 40 + table.starts[at] + table.lengths[at]]
        assert find_entry(page, pid) == tuple(index[pid])
        assert data[start + index[pid][0] :].startswith(b'{"id":')
    for other in _ODD:
        at = table.page_of(other)
        if other not in ids and at is not None:
            page = data[40 + table.starts[at] : 40 + table.starts[at] + table.lengths[at]]
            assert find_entry(page, other) is None


def _other_digest(data: bytes) -> bytes:
    at = data.index(b'"p0300":[') + 40  # inside the entry's digest
    return data[:at] + (b"0" if data[at : at + 1] != b"0" else b"1") + data[at + 1 :]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_other_digest, "index page 1 (from 'p0256') does not match the page the release signs"),
        (lambda d: d.replace(b"promptops.bundle/v1", b"promptops.bundle/v9"), "header"),
        (lambda d: d.replace(b'],"p0256":', b'] ,"p0256":'), "not the size the release signs"),
    ],
)
def test_a_page_table_that_does_not_describe_the_bundle_is_refused(
    edit: Callable[[bytes], bytes], message: str
) -> None:
    data = _bundle([f"p{i:04d}" for i in range(600)])
    table = cut_pages(data)
    with pytest.raises(BundleError, match=re.escape(message)):
        check_pages(table, edit(data))


def test_entry_keys_are_the_canonical_index_keys() -> None:
    for pid in _ODD:
        assert entry_key(pid) in _bundle([pid])
    assert entry_key('q"uo,te') == b'"q\\"uo,te":'
