"""``promptops models check`` against local fakes of each feed (issue 14, item 4)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from promptops.errors import FetchError
from promptops.models.lifecycle import parse_openai
from tests.helpers import run_cli

MODELS = """\
models:
  default:
    provider: echo
    model: echo-2024-01-01
  chat:
    provider: openai
    model: gpt-4o-2024-05-13
    # Keep this comment: --update edits, it does not reformat.
    params: {temperature: 0.3}
  mini:
    provider: openai
    model: gpt-4o-mini-2024-07-18
"""

OPENAI = {"object": "list", "data": [
    {"id": "gpt-4o-2024-05-13", "object": "model", "shutdown_date": 1790812800},  # 2026-10-01
    {"id": "gpt-4o-mini-2024-07-18", "object": "model"},
]}  # fmt: skip
AZURE = {"data": [
    {"id": "gpt-4o-mini-2024-07-18", "lifecycle_status": "generally-available",
     "deprecation": {"fine_tune": 1767225600, "inference": 1798761600}},  # 2027-01-01
]}  # fmt: skip


class _Feeds(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, dict[str, str]]]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        if self.path == "/v1/models":
            body: Any = OPENAI
        elif self.path.startswith("/openai/models?api-version="):
            body = AZURE
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def feeds() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feeds)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Feeds.seen = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def models_repo(repo: Path) -> Path:
    (repo / "models.yaml").write_text(MODELS, encoding="utf-8")
    litellm = {"gpt-4o-mini-2024-07-18": {"deprecation_date": "2026-12-15", "mode": "chat"},
               "sample_spec": {"mode": "chat"}}  # fmt: skip
    (repo / "litellm.json").write_text(json.dumps(litellm), encoding="utf-8")
    return repo


def test_every_feed_merged_per_pin(
    models_repo: Path,
    feeds: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "az-test")
    argv = ["models", "check", str(models_repo), "--openai", f"{feeds}/v1", "--azure", feeds,
            "--litellm", str(models_repo / "litellm.json"), "--today", "2026-06-01"]  # fmt: skip
    code, out, _ = run_cli(argv, capsys)
    assert code == 0
    assert out.splitlines() == [
        f"chat     gpt-4o-2024-05-13: retires on 2026-10-01 (in 122 days) [openai ({feeds}/v1)]",
        "default  echo-2024-01-01: no retirement announced",
        "mini     gpt-4o-mini-2024-07-18: retires on 2026-12-15 (in 197 days) "
        f"[azure ({feeds}), litellm ({models_repo / 'litellm.json'})]",
    ]
    headers = dict((p.split("?")[0], h) for p, h in _Feeds.seen)
    assert headers["/v1/models"]["authorization"] == "Bearer sk-test"
    assert headers["/openai/models"]["api-key"] == "az-test"


def test_update_writes_lifecycle_and_validate_reads_it_offline(
    models_repo: Path, feeds: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["models", "check", str(models_repo), "--openai", f"{feeds}/v1", "--update",
            "--today", "2026-06-01"]  # fmt: skip
    code, _, err = run_cli(argv, capsys)
    assert (code, err) == (0, "updated lifecycle of chat in models.yaml\n")
    text = (models_repo / "models.yaml").read_text(encoding="utf-8")
    assert "    # Keep this comment: --update edits, it does not reformat.\n" in text
    assert "    lifecycle: {retires: 2026-10-01}\n" in text
    # validate needs no network: it reads what --update stored (a valid lifecycle entry).
    asked = len(_Feeds.seen)
    code, out, _ = run_cli(["validate", str(models_repo), "--no-cache"], capsys)
    assert code == 0 and len(_Feeds.seen) == asked
    code, out, _ = run_cli(["models", "check", str(models_repo), "--today", "2026-10-02"], capsys)
    assert code == 1
    assert "chat     gpt-4o-2024-05-13: RETIRED since 2026-10-01 [models.yaml]" in out


def test_a_repository_file_is_a_feed(models_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (models_repo / "lifecycle.yaml").write_text(
        "models:\n  gpt-4o-2024-05-13: {deprecated: 2026-03-01, retires: 2026-09-01, "
        "replacement: mini}\n",
        encoding="utf-8",
    )
    argv = ["models", "check", str(models_repo), "--file", str(models_repo / "lifecycle.yaml"),
            "--today", "2026-06-01"]  # fmt: skip
    code, out, _ = run_cli(argv, capsys)
    assert code == 0
    assert out.splitlines()[0] == (
        "chat     gpt-4o-2024-05-13: deprecated since 2026-03-01; retires on 2026-09-01 "
        f"(in 92 days); replacement mini [{models_repo / 'lifecycle.yaml'}]"
    )


def test_a_dead_feed_names_the_url(models_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(
        ["models", "check", str(models_repo), "--openai", "http://127.0.0.1:9/v1"], capsys
    )
    assert code == 1
    assert err.startswith("error: GET http://127.0.0.1:9/v1/models: [Errno 111] Connection refused")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html>", "openai: not JSON (Expecting value: line 1 column 1 (char 0))"),
        (b'{"data": [{"shutdown_date": 5}]}',
         "openai: unexpected shape ('id'); is this the right feed?"),
    ],
)  # fmt: skip
def test_a_feed_that_is_not_one_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(FetchError) as info:
        parse_openai(data)
    assert str(info.value) == message
