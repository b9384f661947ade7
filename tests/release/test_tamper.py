from __future__ import annotations

import re

import pytest

from tests.release.tamper_cases import CASES, TamperCase, make_world, verify_artifacts


def test_the_untampered_release_verifies() -> None:
    world = make_world()
    manifest = verify_artifacts(world.good())
    assert (manifest.release, manifest.serial, manifest.commit) == ("v1", 1, "a" * 40)


def test_the_table_is_large_and_every_message_is_its_own() -> None:
    assert len(CASES) >= 15
    assert len({c.name for c in CASES}) == len(CASES)
    # The one refusal worded alike for a manifest and a pointer: an envelope nested too deep.
    messages = [c.message for c in CASES if c.name != "pointer_nested_20000_deep"]
    assert len(set(messages)) == len(messages)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_tampered_release_is_refused(case: TamperCase) -> None:
    artifacts = case.mutate(make_world())
    with pytest.raises(case.error) as info:
        verify_artifacts(artifacts)
    assert type(info.value) is case.error
    assert re.search(case.message, str(info.value)), str(info.value)


def test_every_refusal_says_something_different() -> None:
    messages = []
    for case in CASES:
        with pytest.raises(case.error) as info:
            verify_artifacts(case.mutate(make_world()))
        messages.append(str(info.value))
    # The same deep-nesting refusal of a manifest's and of a pointer's envelope is the one
    # repeat.
    assert len(set(messages)) == len(messages) - 1
