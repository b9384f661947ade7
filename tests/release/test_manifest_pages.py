"""The page table a release/v2 manifest signs is cut from the bundle the compiler writes
(ADR 0019): byte for byte the layout the runtime reads. The compiler streams bundle.json
(ADR 0017); this holds the two together, at several pages and with ids of every shape the
repository allows."""

from __future__ import annotations

import json

from promptops.compile import compile_repository
from promptops.runtime.bundle import Bundle
from promptops.runtime.pages import PAGE_ENTRIES, check_pages, cut_pages
from tests.compile.memrepo import mem_repo
from tests.helpers import MINIMAL_REPO

_SHAPES = ["a", "a.b", "a-b", "a_b", "a/b", "a/b.c/d-e", "z9/0", "0"]


def _files(n: int) -> dict[str, str]:
    files = dict(MINIMAL_REPO)
    for i in range(n):
        shape = _SHAPES[i % len(_SHAPES)]
        files[f"prompts/{shape}{i:04d}.yaml"] = (
            "kind: prompt\nmodel: default\ninputs: {name: {type: string}}\n"
            f"messages: [{{role: user, content: 'Hi {{{{ name }}}} number {i}'}}]\n"
        )
    return files


def test_the_compiled_bundle_is_cut_into_pages_the_runtime_serves_from() -> None:
    n = 2 * PAGE_ENTRIES + 37
    built = compile_repository(mem_repo(_files(n)), cache=False)
    data = built.data
    table = cut_pages(data)
    index = json.loads(data)["index"]
    assert table.prompt_count == len(index) == len(built.prompts) > n
    assert len(table.firsts) == 3 and list(table.firsts) == sorted(table.firsts)
    assert check_pages(table, data) == data.index(b',"prompts":') + len(b',"prompts":')
    bundle = Bundle.parse(data, max_prompts=n + 10, signed=table)
    assert bundle.ids == tuple(sorted(index))
    for pid in index:
        assert bundle.digest(pid) == index[pid][2]
        assert bundle.load(pid, max_bytes=1 << 20) == json.loads(data)["prompts"][pid]
