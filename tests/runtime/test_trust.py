from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from promptops.canonical import sha256_hex
from promptops.errors import BundleError, RollbackError
from promptops.release.manifest import PointerSpec, sign_pointer
from promptops.runtime.pages import cut_pages
from promptops.runtime.trust import (
    PREDICATE_TYPE_V1,
    check_not_rolled_back,
    check_pointer_matches,
    format_time,
    parse_time,
    verify_channel_pointer,
    verify_manifest,
    verify_release,
)
from tests.release.tamper_cases import EXPIRES, NOW, make_world, signed_statement


def test_verify_release_returns_every_predicate_field() -> None:
    w = make_world()
    m = verify_release(w.manifest([w.alice, w.bob]), w.bundle, w.trust(threshold=2), now=NOW)
    assert m.release == "v1" and m.serial == 1
    assert (m.commit, m.tree) == ("a" * 40, "c" * 40)
    assert m.bundle_sha256 == sha256_hex(w.bundle) and m.bundle_size == len(w.bundle)
    assert m.prompts == cut_pages(w.bundle) and m.prompt_count == len(w.spec.prompts) == 2
    assert dict(m.models) == {"default": "echo/echo-2024-01-01"}
    assert m.expires == EXPIRES and m.created < m.expires
    assert len(m.signers) == 2


def test_digest_pins_skip_expiry() -> None:
    w = make_world()
    late = EXPIRES + dt.timedelta(days=365)
    with pytest.raises(RollbackError, match="expired at"):
        verify_manifest(w.manifest(), w.trust(), now=late)
    assert verify_manifest(w.manifest(), w.trust(), now=late, check_expiry=False).serial == 1


def test_runtime_grace_is_a_shifted_clock() -> None:
    w = make_world()
    just_after = EXPIRES + dt.timedelta(hours=1)
    grace = dt.timedelta(days=1)
    assert verify_manifest(w.manifest(), w.trust(), now=just_after - grace).release == "v1"


def test_pointer_round_trip_and_match() -> None:
    w = make_world()
    pointer = verify_channel_pointer(w.pointer(), w.trust(), now=NOW)
    assert (pointer.channel, pointer.release, pointer.serial) == ("production", "v1", 1)
    check_pointer_matches(pointer, verify_manifest(w.manifest(), w.trust(), now=NOW))


@pytest.mark.parametrize(
    ("change", "what"),
    [({"serial": 7}, "serial 7"), ({"bundle_size": 3}, "bundle size 3")],
)
def test_pointer_field_mismatch_is_named(change: dict[str, int], what: str) -> None:
    w = make_world()
    pointer = verify_channel_pointer(w.pointer(**change), w.trust(), now=NOW)
    manifest = verify_manifest(w.manifest(), w.trust(), now=NOW)
    with pytest.raises(BundleError, match=f"names {what}, but the release manifest says"):
        check_pointer_matches(pointer, manifest)


def test_pointer_with_a_bad_digest_is_refused_before_matching() -> None:
    w = make_world()
    spec = PointerSpec("production", "v1", 1, "XYZ", 1, EXPIRES)
    with pytest.raises(BundleError, match="sha256 must be 64 lowercase hex digits, found 'XYZ'"):
        verify_channel_pointer(sign_pointer(spec, [w.alice]), w.trust(), now=NOW)


def test_equal_or_higher_serial_is_not_a_rollback() -> None:
    check_not_rolled_back("production", 3, None)
    check_not_rolled_back("production", 3, 3)
    check_not_rolled_back("production", 4, 3)
    with pytest.raises(RollbackError, match="serial 2 is lower than serial 3"):
        check_not_rolled_back("production", 2, 3)


def test_times_are_rfc3339_utc() -> None:
    t = dt.datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert format_time(t) == "2026-01-02T01:04:05Z"
    assert parse_time("2026-01-02T01:04:05Z", "x") == t.replace(microsecond=0)
    with pytest.raises(BundleError, match="x is not an RFC 3339 UTC time"):
        parse_time("2026-01-02T01:04:05", "x")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("predicate", "prompts"), {"greet": "x"}, "prompts 'count' must be a non-negative"),
        (("predicate", "prompts", "count"), -1, "prompts 'count' must be a non-negative"),
        (("predicate", "prompts", "count"), 0, "'pages' must be a list, empty only for 0"),
        (("predicate", "prompts", "pages"), [], "'pages' must be a list, empty only for 0"),
        (("predicate", "prompts", "pages"), [["a", 0, "0" * 64]], "a page must be [first id,"),
        (("predicate", "prompts", "pages"), [["a", 1, "x"]], "a page must be [first id,"),
        (
            ("predicate", "prompts", "pages"),
            [["b", 1, "0" * 64], ["a", 1, "0" * 64]],
            "pages must be in ascending order of their first id",
        ),
        (
            ("predicate", "prompts", "pages"),
            [["a", 1, "0" * 64], ["b", 1, "0" * 64], ["c", 1, "0" * 64]],
            "3 pages for 2 prompts",
        ),
        (("predicate", "serial"), 0, "serial must be an integer >= 1, found 0"),
        (("predicate", "serial"), True, "serial must be an integer >= 1, found True"),
        (("predicate", "release"), "../x", "release name must match"),
        (("predicate", "commit"), "HEAD", "'commit' must be a git object id or null"),
        (("predicate", "expires"), "tomorrow", "'expires' is not an RFC 3339 UTC time"),
        (("subject",), [], "expected exactly one subject, the bundle"),
    ],
)
def test_signed_but_malformed_predicates_are_refused(
    path: tuple[str, ...], value: object, message: str
) -> None:
    w = make_world()

    def edit(statement: dict[str, Any]) -> None:
        target = statement
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    artifacts = signed_statement(w, edit)
    with pytest.raises(BundleError, match=re.escape(message)):
        verify_manifest(artifacts.envelope, artifacts.trust, now=NOW)


def _v1(w: Any) -> Any:
    from dataclasses import replace

    return replace(w, spec=replace(w.spec, predicate_type=PREDICATE_TYPE_V1))


def test_a_release_v1_manifest_listing_every_digest_still_verifies() -> None:
    w = _v1(make_world())
    statement = w.spec.statement(w.bundle)
    assert b'"predicateType":"https://promptops.dev/release/v1"' in statement
    m = verify_release(w.manifest(), w.bundle, w.trust(), now=NOW)
    assert dict(m.prompts) == dict(w.spec.prompts) and m.prompt_count == 2


def test_a_release_v1_manifest_with_a_malformed_digest_map_is_refused() -> None:
    w = _v1(make_world())
    artifacts = signed_statement(w, lambda s: s["predicate"].update(prompts={"greet": 1}))
    with pytest.raises(BundleError, match="'prompts' must map strings to strings"):
        verify_manifest(artifacts.envelope, artifacts.trust, now=NOW)
