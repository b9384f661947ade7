from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from promptops.errors import BundleError, FetchError, SignatureError, UsageError
from promptops.release import FetchConfig, create_release, publish, verify_target
from tests.release.conftest import DAYS_90, NOW, Signed


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site(signed: Signed, tmp_path: Path) -> Path:
    create_release(signed.root, "v1", [signed.key], now=NOW, expires_in=DAYS_90, out=signed.dist)
    out = tmp_path / "site"
    publish(
        signed.dist,
        out,
        channel="production",
        keys=[signed.key],
        now=NOW,
        expires_in=dt.timedelta(days=7),
    )
    return out


@pytest.fixture
def server(site: Path) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=site))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_verify_a_release_directory(signed: Signed, site: Path) -> None:
    report = verify_target(str(site / "releases" / "v1"), signed.trust, now=NOW)
    d = report.to_dict()
    assert (d["release"], d["serial"], d["signers"], d["channel"]) == ("v1", 1, ["alice"], None)
    assert d["expires"] == "2026-08-30T12:00:00Z"


def test_verify_a_channel_of_a_published_root(signed: Signed, site: Path) -> None:
    report = verify_target(str(site), signed.trust, now=NOW, channel="production")
    assert (report.manifest.release, report.channel) == ("v1", "production")


def test_a_root_without_channel_says_so(signed: Signed, site: Path) -> None:
    with pytest.raises(UsageError, match="not a release directory; it is a published root: pass"):
        verify_target(str(site), signed.trust, now=NOW)


def test_verify_over_http(signed: Signed, server: str) -> None:
    report = verify_target(server + "/releases/v1", signed.trust, now=NOW)
    assert report.manifest.serial == 1
    report = verify_target(server, signed.trust, now=NOW, channel="production")
    assert report.manifest.release == "v1"


def test_http_errors_and_caps(signed: Signed, server: str) -> None:
    with pytest.raises(FetchError, match=r"/releases/v9/release\.dsse\.json: HTTP 404"):
        verify_target(server + "/releases/v9", signed.trust, now=NOW)
    with pytest.raises(BundleError, match=r"exceeds the limit of 100 bytes \(max_bundle_bytes\)"):
        verify_target(
            server + "/releases/v1", signed.trust, now=NOW, config=FetchConfig(max_bundle_bytes=100)
        )


def test_tampered_published_bundle_is_refused(signed: Signed, site: Path) -> None:
    bundle = site / "releases" / "v1" / "bundle.json"
    bundle.write_bytes(bundle.read_bytes() + b" ")
    with pytest.raises(BundleError, match="1 unsigned bytes appended"):
        verify_target(str(site), signed.trust, now=NOW, channel="production")


def test_untrusted_signers_are_refused(site: Path, tmp_path: Path) -> None:
    from promptops.release import generate_key, load_trust

    entry = generate_key(tmp_path / "other.pem", "other")
    trust_file = tmp_path / "trust.yaml"
    trust_file.write_text("signers:\n" + entry.to_yaml())
    with pytest.raises(SignatureError, match="signature by untrusted key"):
        verify_target(str(site / "releases" / "v1"), load_trust(trust_file), now=NOW)


def test_verify_refuses_a_pointer_signed_for_another_channel(signed: Signed, site: Path) -> None:
    from promptops.release import promote

    promote(site, "v1", "staging", [signed.key], now=NOW, expires_in=dt.timedelta(days=1))
    (site / "channels" / "production.json").write_bytes(
        (site / "channels" / "staging.json").read_bytes()
    )
    with pytest.raises(
        BundleError,
        match=r"^channel pointer: signed for channel 'staging', but it was served as channel "
        r"'production': refusing a pointer moved between channels$",
    ):
        verify_target(str(site), signed.trust, now=NOW, channel="production")


def test_verify_binds_a_release_directory_to_its_name(signed: Signed, site: Path) -> None:
    import shutil

    shutil.copytree(site / "releases" / "v1", site / "releases" / "v9")
    with pytest.raises(BundleError, match=r"^releases/v9 holds the signed manifest of release v1"):
        verify_target(str(site / "releases" / "v9"), signed.trust, now=NOW)


def test_verify_applies_expiry_strictly(signed: Signed, site: Path) -> None:
    from promptops.errors import ExpiredError

    later = NOW + dt.timedelta(days=8)  # the pointer expires after 7 days
    with pytest.raises(ExpiredError, match=r"pointer \(release v1, serial 1\) expired at"):
        verify_target(str(site), signed.trust, now=later, channel="production")


def test_verify_exits_1_not_3_on_a_hostile_pointer(
    signed: Signed, site: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.helpers import run_cli

    (site / "channels" / "production.json").write_bytes(b"[" * 20000 + b"]" * 20000)
    trust = signed.root / "policies" / "signers.yaml"
    code, _, err = run_cli(["verify", str(site), "--channel", "production", "--trust", str(trust)],
                           capsys)  # fmt: skip
    assert (code, err) == (1, "error: envelope: JSON nested more than 128 levels deep\n")
