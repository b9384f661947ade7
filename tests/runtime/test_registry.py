from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from promptops.errors import (
    BundleError,
    ExpiredError,
    FetchError,
    RollbackError,
    SignatureError,
    UsageError,
)
from promptops.runtime import Registry, RuntimeConfig
from tests.runtime.conftest import Served
from tests.runtime.fixtures import (
    CONFIG,
    EXPIRES,
    GREET,
    KEY,
    NOW,
    OTHER_KEY,
    TRUST,
    cache_files,
    compiled,
    publish,
)


def at(when: dt.datetime, **changes: object) -> RuntimeConfig:
    return CONFIG._replace(clock=lambda: when, **changes)  # type: ignore[arg-type]


def test_open_a_channel_renders_with_provenance(tmp_path: Path) -> None:
    digest = publish(tmp_path / "pub")
    reg = Registry.open(tmp_path / "pub", trust=TRUST, channel="production", config=CONFIG)
    req = reg.prompt("greet").render(name="Ada")
    assert req.messages == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Say hello to Ada."},
    ]
    p = req.provenance
    assert (p.release, p.serial, p.bundle_sha256, p.commit) == ("v1", 1, digest, "a" * 40)
    assert p.prompt_id == "greet" and len(p.prompt_digest) == 64
    assert (p.from_cache, p.stale) == (False, False)
    assert reg.ids == ("greet", "support/loop")


def test_open_by_file_url_and_release_directory(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    by_url = Registry.open(
        (tmp_path / "pub").as_uri(), trust=TRUST, channel="production", config=CONFIG
    )
    direct = Registry.open(tmp_path / "pub" / "releases" / "v1", trust=TRUST, config=CONFIG)
    assert by_url.status.release == direct.status.release == "v1"
    assert direct.status.mode == "release directory v1"


def test_pin_loads_exactly_that_bundle_even_when_expired(tmp_path: Path) -> None:
    old = publish(tmp_path / "pub", release="v1", serial=1)
    publish(tmp_path / "pub", {"greet": GREET}, release="v2", serial=2, commit="b" * 40)
    later = EXPIRES + dt.timedelta(days=30)
    reg = Registry.open(tmp_path / "pub", trust=TRUST, pin=f"sha256:{old}", config=at(later))
    assert reg.status.bundle_sha256 == old and reg.status.release == "v1"


def test_pin_whose_digest_file_names_another_release_is_refused(tmp_path: Path) -> None:
    old = publish(tmp_path / "pub", release="v1", serial=1)
    publish(tmp_path / "pub", {"greet": GREET}, release="v2", serial=2, commit="b" * 40)
    (tmp_path / "pub" / "digests" / old).write_text("v2\n")
    with pytest.raises(BundleError, match=rf"but sha256:{old} was pinned: digests/{old} names"):
        Registry.open(tmp_path / "pub", trust=TRUST, pin=f"sha256:{old}", config=CONFIG)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, r"is not a release directory \(no release.dsse.json\); pass channel= or pin="),
        ({"channel": "a", "pin": "sha256:" + "0" * 64}, r"^give channel= or pin=, not both$"),
        (
            {"pin": "md5:abc"},
            r"^pin must look like sha256:<64 lowercase hex digits>, not 'md5:abc'$",
        ),
        ({"channel": "../x"}, r"^channel name '\.\./x' must match"),
    ],
)
def test_contradictory_arguments_are_usage_errors(
    tmp_path: Path, kwargs: dict[str, str], message: str
) -> None:
    publish(tmp_path / "pub")
    with pytest.raises(UsageError, match=message):
        Registry.open(tmp_path / "pub", trust=TRUST, config=CONFIG, **kwargs)  # type: ignore[arg-type]


def test_channel_given_for_a_release_directory_is_a_usage_error(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    with pytest.raises(UsageError, match="is a release directory; open the layout root"):
        Registry.open(
            tmp_path / "pub/releases/v1", trust=TRUST, channel="production", config=CONFIG
        )


def test_untrusted_signer_is_refused_and_nothing_is_cached(tmp_path: Path) -> None:
    publish(tmp_path / "pub", keys=(OTHER_KEY,))
    with pytest.raises(SignatureError, match="0 of 1 required signatures of the channel role"):
        Registry.open(
            tmp_path / "pub",
            trust=TRUST,
            channel="production",
            cache_dir=tmp_path / "c",
            config=CONFIG,
        )
    assert cache_files(tmp_path / "c") == set()


def test_rollback_to_a_lower_serial_is_refused_across_processes_via_the_cache(
    tmp_path: Path,
) -> None:
    publish(tmp_path / "pub", release="v2", serial=2, commit="b" * 40)
    Registry.open(
        tmp_path / "pub", trust=TRUST, channel="production", cache_dir=tmp_path / "c", config=CONFIG
    )
    publish(tmp_path / "pub", release="v1", serial=1)  # an attacker re-points the channel
    with pytest.raises(
        RollbackError,
        match=r"^channel 'production': serial 1 is lower than "
        r"serial 2 already seen; refusing a rollback",
    ):
        Registry.open(
            tmp_path / "pub",
            trust=TRUST,
            channel="production",
            cache_dir=tmp_path / "c",
            config=CONFIG,
        )


def test_rollback_is_refused_on_refresh_without_a_cache(tmp_path: Path) -> None:
    publish(tmp_path / "pub", release="v2", serial=2, commit="b" * 40)
    reg = Registry.open(tmp_path / "pub", trust=TRUST, channel="production", config=CONFIG)
    publish(tmp_path / "pub", release="v1", serial=1)
    with pytest.raises(RollbackError, match="serial 1 is lower than serial 2"):
        reg.refresh()
    assert reg.status.release == "v2" and reg.status.stale
    assert reg.prompt("greet").render(name="x").provenance.stale


def test_expired_pointer_is_refused_after_the_grace(tmp_path: Path) -> None:
    publish(tmp_path / "pub", pointer_expires=NOW - dt.timedelta(hours=2))
    with pytest.raises(
        RollbackError,
        match=r"^channel 'production' pointer \(release v1, serial "
        r"1\) expired at 2026-06-01T10:00:00Z; re-sign it with promptops publish --refresh "
        r"\(a scheduled CI job\) \(grace of 1:00:00 already applied\)$",
    ):
        Registry.open(
            tmp_path / "pub",
            trust=TRUST,
            channel="production",
            config=at(NOW, expiry_grace=dt.timedelta(hours=1)),
        )
    reg = Registry.open(
        tmp_path / "pub",
        trust=TRUST,
        channel="production",
        config=at(NOW, expiry_grace=dt.timedelta(hours=3)),
    )
    assert reg.status.release == "v1"


def test_expired_manifest_is_refused(tmp_path: Path) -> None:
    publish(tmp_path / "pub", expires=NOW - dt.timedelta(seconds=1))
    with pytest.raises(
        RollbackError,
        match=r"^release v1 \(serial 1\) expired at "
        r"2026-06-01T11:59:59Z; publish a new release$",
    ):
        Registry.open(tmp_path / "pub/releases/v1", trust=TRUST, config=CONFIG)


def test_pointer_served_under_another_channel_name_is_refused(tmp_path: Path) -> None:
    publish(tmp_path / "pub", channel="staging")
    shutil.copy(tmp_path / "pub/channels/staging.json", tmp_path / "pub/channels/production.json")
    with pytest.raises(
        BundleError,
        match=r"^channel pointer: signed for channel 'staging', but "
        r"it was served as channel 'production'",
    ):
        Registry.open(tmp_path / "pub", trust=TRUST, channel="production", config=CONFIG)


def test_bundle_over_the_size_cap_is_refused_before_download(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    with pytest.raises(BundleError, match=r"exceeds the limit of 100 bytes \(max_bundle_bytes\)$"):
        Registry.open(
            tmp_path / "pub",
            trust=TRUST,
            channel="production",
            config=at(NOW, max_bundle_bytes=100),
        )


def test_too_many_prompts_is_refused(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    with pytest.raises(BundleError, match=r"^bundle: 2 prompts exceeds the limit of 1"):
        Registry.open(
            tmp_path / "pub", trust=TRUST, channel="production", config=at(NOW, max_prompts=1)
        )


@pytest.mark.parametrize(
    ("root", "channel", "message"),
    [
        ("pub", "staging", "{root}/channels/staging.json: not found; channels published here: "
         "canary, production"),
        ("nowhere", "production", "{root}/channels/production.json: not found ({root} is not "
         "a directory)"),
    ],
)  # fmt: skip
def test_a_missing_channel_or_root_says_what_is_there(
    tmp_path: Path, root: str, channel: str, message: str
) -> None:
    publish(tmp_path / "pub")
    publish(tmp_path / "pub", channel="canary")
    where = tmp_path / root
    with pytest.raises(FetchError) as caught:
        Registry.open(where, trust=TRUST, channel=channel, config=CONFIG)
    assert str(caught.value) == (
        message.format(root=where) + "; and no last-known-good release (no cache_dir given)"
    )


def test_source_down_serves_last_known_good_and_says_so(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    Registry.open(
        tmp_path / "pub", trust=TRUST, channel="production", cache_dir=tmp_path / "c", config=CONFIG
    )
    shutil.rmtree(tmp_path / "pub" / "channels")
    reg = Registry.open(
        tmp_path / "pub", trust=TRUST, channel="production", cache_dir=tmp_path / "c", config=CONFIG
    )
    st = reg.status
    assert (st.release, st.from_cache, st.stale) == ("v1", True, True)
    assert st.error is not None and st.error.endswith(
        "channels/production.json: not found; no channel is published here "
        "(promptops publish DIR --channel NAME)"
    )
    prov = reg.prompt("greet").render(name="Ada").provenance
    assert (prov.from_cache, prov.stale) == (True, True)


def test_source_down_without_cache_fails_and_says_why(tmp_path: Path) -> None:
    with pytest.raises(
        FetchError,
        match=r"nothing/channels/production\.json: not found \(.*nothing is not a directory\); "
        r"and no last-known-good release in ",
    ):
        Registry.open(
            tmp_path / "nothing",
            trust=TRUST,
            channel="production",
            cache_dir=tmp_path / "c",
            config=CONFIG,
        )


def test_strict_expiry_refuses_an_expired_last_known_good(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    Registry.open(
        tmp_path / "pub", trust=TRUST, channel="production", cache_dir=tmp_path / "c", config=CONFIG
    )
    shutil.rmtree(tmp_path / "pub")
    with pytest.raises(
        ExpiredError,
        match=r"expired at 2026-08-01T00:00:00Z; .* \(expiry='strict': an expired release is "
        r"never served\)$",
    ):
        Registry.open(
            tmp_path / "pub",
            trust=TRUST,
            channel="production",
            cache_dir=tmp_path / "c",
            config=at(EXPIRES + dt.timedelta(days=1), expiry="strict"),
        )


def test_corrupt_cache_entry_is_refetched_never_served(tmp_path: Path) -> None:
    digest = publish(tmp_path / "pub")
    Registry.open(
        tmp_path / "pub", trust=TRUST, channel="production", cache_dir=tmp_path / "c", config=CONFIG
    )
    blob = tmp_path / "c" / "blobs" / digest
    blob.write_bytes(blob.read_bytes().replace(b"Say hello", b"Say HELLO"))
    reg = Registry.open(
        tmp_path / "pub", trust=TRUST, channel="production", cache_dir=tmp_path / "c", config=CONFIG
    )
    assert reg.prompt("greet").render(name="A").messages[1]["content"] == "Say hello to A."
    assert b"Say hello" in blob.read_bytes()  # replaced by the verified bytes


def test_corrupt_cache_with_source_down_is_never_served(tmp_path: Path) -> None:
    digest = publish(tmp_path / "pub")
    Registry.open(
        tmp_path / "pub", trust=TRUST, channel="production", cache_dir=tmp_path / "c", config=CONFIG
    )
    blob = tmp_path / "c" / "blobs" / digest
    blob.write_bytes(blob.read_bytes().replace(b"Say hello", b"Say HELLO"))
    shutil.rmtree(tmp_path / "pub")
    # Opened from the cache: the bundle is not hashed whole at open (ADR 0019), only its
    # size is checked; the damaged prompt is caught when served, and never served.
    reg = Registry.open(
        tmp_path / "pub", trust=TRUST, channel="production", cache_dir=tmp_path / "c", config=CONFIG
    )
    assert reg.status.from_cache and reg.status.stale
    with pytest.raises(
        BundleError,
        match=r"^bundle: prompt 'greet' hashes to [0-9a-f]{64}, but the index says [0-9a-f]{64} "
        r"\(the cached copy of the bundle is damaged; fetching it again failed: "
        r".*/pub/releases/v1/bundle\.json: not found \(.*/pub is not a directory\)\)$",
    ):
        reg.prompt("greet")
    assert not blob.exists()


def test_a_cached_bundle_of_the_wrong_size_with_source_down_fails_at_open(tmp_path: Path) -> None:
    digest = publish(tmp_path / "pub")
    Registry.open(
        tmp_path / "pub", trust=TRUST, channel="production", cache_dir=tmp_path / "c", config=CONFIG
    )
    blob = tmp_path / "c" / "blobs" / digest
    blob.write_bytes(blob.read_bytes()[:-1])
    shutil.rmtree(tmp_path / "pub")
    with pytest.raises(FetchError, match="and no last-known-good release"):
        Registry.open(
            tmp_path / "pub",
            trust=TRUST,
            channel="production",
            cache_dir=tmp_path / "c",
            config=CONFIG,
        )
    assert not blob.exists()


def test_offline_serves_the_cache_without_touching_the_source(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    Registry.open(
        tmp_path / "pub", trust=TRUST, channel="production", cache_dir=tmp_path / "c", config=CONFIG
    )
    publish(tmp_path / "pub", release="v2", serial=2, commit="b" * 40)
    reg = Registry.open(
        tmp_path / "pub",
        trust=TRUST,
        channel="production",
        cache_dir=tmp_path / "c",
        config=at(NOW, offline=True),
    )
    assert (reg.status.release, reg.status.from_cache, reg.status.stale) == ("v1", True, False)


def test_refresh_swaps_in_a_newer_release_atomically(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    reg = Registry.open(tmp_path / "pub", trust=TRUST, channel="production", config=CONFIG)
    held = reg.prompt("greet")
    new = compiled(
        "greet", [("user", "Hi {{ name }}!", "substitute")], properties={"name": {"type": "string"}}
    )
    publish(tmp_path / "pub", {"greet": new}, release="v2", serial=2, commit="b" * 40)
    status = reg.refresh()
    assert (status.release, status.serial, status.stale) == ("v2", 2, False)
    assert reg.prompt("greet").render(name="A").messages == [{"role": "user", "content": "Hi A!"}]
    # A prompt taken before the swap keeps rendering its own release, whole.
    old = held.render(name="A")
    assert old.provenance.release == "v1" and old.messages[1]["content"] == "Say hello to A."


def test_refresh_with_source_down_keeps_serving_and_marks_stale(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    reg = Registry.open(tmp_path / "pub", trust=TRUST, channel="production", config=CONFIG)
    shutil.rmtree(tmp_path / "pub")
    status = reg.refresh()
    assert (status.release, status.stale) == ("v1", True)
    publish(tmp_path / "pub")
    assert reg.refresh().stale is False


def test_background_refresh_picks_up_a_new_release_and_close_stops_it(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    with Registry.open(
        tmp_path / "pub", trust=TRUST, channel="production", config=at(NOW, refresh_interval=0.01)
    ) as reg:
        publish(tmp_path / "pub", release="v2", serial=2, commit="b" * 40)
        for _ in range(100_000):
            if reg.status.release == "v2":
                break
            reg._stop.wait(0.01)
        assert reg.status.release == "v2"
    assert reg._thread is not None and not reg._thread.is_alive()


def test_unknown_prompt_suggests_the_nearest(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    reg = Registry.open(tmp_path / "pub", trust=TRUST, channel="production", config=CONFIG)
    with pytest.raises(
        UsageError, match=r"^release v1 has no prompt 'gret'; did you mean 'greet'\?$"
    ):
        reg.prompt("gret")


def test_trust_as_dict_json_file_and_key_list(tmp_path: Path) -> None:
    import base64

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    publish(tmp_path / "pub")
    raw = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    b64 = base64.b64encode(raw).decode()
    signers = {"threshold": 1, "signers": [{"name": "ci", "public_key": b64}]}
    (tmp_path / "trust.json").write_text(json.dumps(signers))
    for trust in (signers, tmp_path / "trust.json", str(tmp_path / "trust.json"), [b64]):
        reg = Registry.open(tmp_path / "pub", trust=trust, channel="production", config=CONFIG)
        assert reg.status.release == "v1"


def test_trust_file_in_yaml_is_refused_with_a_fix(tmp_path: Path) -> None:
    (tmp_path / "signers.yaml").write_text("threshold: 1\n")
    with pytest.raises(
        UsageError, match=re.escape("signers.yaml: the runtime reads trust roots as JSON, not YAML")
    ):
        Registry.open(tmp_path, trust=tmp_path / "signers.yaml", channel="production")


def test_http_source_with_etags_and_last_known_good(tmp_path: Path, http_root: Served) -> None:
    publish(http_root.root)
    cache = tmp_path / "c"
    reg = Registry.open(
        http_root.url, trust=TRUST, channel="production", cache_dir=cache, config=CONFIG
    )
    assert reg.status.release == "v1"
    first = list(http_root.log)
    # The next trust version (none yet), the pointer, the manifest, the bundle.
    assert [s for _, s in first] == [404, 200, 200, 200]
    reg.refresh()
    # Pointer and manifest revalidate with If-None-Match; the bundle comes from the cache.
    assert http_root.log[len(first) :] == [
        ("/trust/2.json", 404),
        ("/channels/production.json", 304),
        ("/releases/v1/release.dsse.json", 304),
    ]
    http_root.stop()
    again = Registry.open(
        http_root.url,
        trust=TRUST,
        channel="production",
        cache_dir=cache,
        config=at(NOW, http_timeout=2.0),
    )
    st = again.status
    assert (st.release, st.from_cache, st.stale) == ("v1", True, True)
    assert st.error is not None and "cannot fetch" in st.error


def test_http_release_directory_url(http_root: Served) -> None:
    publish(http_root.root)
    reg = Registry.open(http_root.url + "releases/v1", trust=TRUST, config=CONFIG)
    assert reg.status.mode == "release directory v1"
    assert reg.prompt("greet").render(name="x").provenance.release == "v1"


def test_http_404_is_a_fetch_error(http_root: Served) -> None:
    with pytest.raises(
        FetchError,
        match=r"channels/production.json: HTTP 404 Not Found; and no "
        r"last-known-good release \(no cache_dir given\)$",
    ):
        Registry.open(http_root.url, trust=TRUST, channel="production", config=CONFIG)


def test_renders_during_refreshes_never_mix_two_releases(tmp_path: Path) -> None:
    import threading

    def release(serial: int) -> None:
        greet = compiled(
            "greet",
            [("system", f"v{serial}", "text"), ("user", f"v{serial} {{{{ name }}}}", "substitute")],
            properties={"name": {"type": "string"}},
        )
        publish(
            tmp_path / "pub",
            {"greet": greet},
            release=f"v{serial}",
            serial=serial,
            commit=f"{serial:040x}",
        )

    release(1)
    reg = Registry.open(tmp_path / "pub", trust=TRUST, channel="production", config=CONFIG)
    done = threading.Event()
    seen: list[str] = []
    torn: list[object] = []

    def render_loop() -> None:
        while not done.is_set():
            req = reg.prompt("greet").render(name="x")
            tag = f"v{req.provenance.serial}"
            if [m["content"] for m in req.messages] != [tag, f"{tag} x"]:
                torn.append(req.messages)
            seen.append(tag)

    worker = threading.Thread(target=render_loop)
    worker.start()
    for serial in range(2, 12):
        release(serial)
        assert reg.refresh().serial == serial
    done.set()
    worker.join()
    assert torn == []
    assert seen and seen == sorted(seen, key=lambda t: int(t[1:]))


def test_an_unwritable_cache_does_not_stop_serving_and_is_reported(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    (tmp_path / "not-a-dir").write_text("x")
    reg = Registry.open(
        tmp_path / "pub",
        trust=TRUST,
        channel="production",
        cache_dir=tmp_path / "not-a-dir",
        config=CONFIG,
    )
    assert reg.status.release == "v1"
    assert reg.status.error is not None
    assert reg.status.error.startswith(f"cache {tmp_path / 'not-a-dir'}: cannot write (")


def test_tool_check_for_an_unknown_prompt_is_a_usage_error(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    reg = Registry.open(tmp_path / "pub", trust=TRUST, channel="production", config=CONFIG)
    assert reg.check_tool_call("greet", "refund", {"order": 1}).needs_approval
    with pytest.raises(UsageError, match=r"^release v1 has no prompt 'nope'$"):
        reg.check_tool_call("nope", "refund", {})
