"""``promptops explain``: from a digest on a captured span back to the reviewed change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from opentelemetry import trace

from promptops.compile import build
from promptops.errors import UsageError
from promptops.release import create_release, explain, publish
from promptops.runtime import Registry, RuntimeConfig
from tests.helpers import commit_all, git, run_cli
from tests.otel_capture import memory_exporter
from tests.release.conftest import DAYS_90, NOW, Signed

OTHER = """\
kind: prompt
description: Another prompt, so a release can change without touching greet.
owner: team-a
model: default
messages:
  - role: user
    content: Ping.
"""


def _release(s: Signed, name: str) -> None:
    create_release(s.root, name, [s.key], now=NOW, expires_in=DAYS_90, out=s.dist)


def _history(s: Signed) -> None:
    """v1; a pull request changing greet merged with a merge commit, released as v2; an
    unrelated prompt added and released as v3 (greet's digest unchanged)."""
    _release(s, "v1")
    git(s.root, "checkout", "-q", "-b", "say-hi")
    greet = s.root / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("Say hello to", "Say hi to"))
    commit_all(s.root, "greet: say hi\n\nShorter greeting, agreed with support.")
    git(s.root, "checkout", "-q", "main")
    (s.root / "README").write_text("unrelated")
    commit_all(s.root, "docs")
    git(s.root, "merge", "-q", "--no-ff", "say-hi", "-m",
        "Merge pull request #12 from acme/say-hi")  # fmt: skip
    _release(s, "v2")
    (s.root / "prompts" / "other.yaml").write_text(OTHER)
    commit_all(s.root, "add other")
    _release(s, "v3")


def _digest_from_a_span(s: Signed, tmp_path: Path) -> str:
    site = tmp_path / "site"
    publish(s.dist, site, channel="production", keys=[s.key], now=NOW, expires_in=DAYS_90,
            trust=s.trust)  # fmt: skip
    config = RuntimeConfig(clock=lambda: NOW, otel=True)
    reg = Registry.open(site, trust=s.trust, channel="production", config=config)
    exporter = memory_exporter()
    with trace.get_tracer("app").start_as_current_span("handler"):
        reg.prompt("greet").render(name="Ada")
    (span,) = exporter.get_finished_spans()
    attrs = span.attributes or {}
    assert attrs["gen_ai.prompt.version"] == "v3"
    return f"sha256:{attrs['promptops.prompt.sha256']}"


def test_a_prompt_digest_from_a_span_leads_to_the_pull_request(
    signed: Signed, tmp_path: Path
) -> None:
    _history(signed)
    digest = _digest_from_a_span(signed, tmp_path)
    e = explain(signed.root, digest)
    assert (e.kind, e.prompt_id, e.digest) == ("prompt", "greet", digest[len("sha256:") :])
    assert [name for name, _, _ in e.releases] == ["v2", "v3"]
    assert e.commit.subject == "greet: say hi"
    assert e.commit.body == "Shorter greeting, agreed with support."
    assert e.commit.author == "Test Author <author@example.com>"
    assert e.merge is not None and e.merge.subject == "Merge pull request #12 from acme/say-hi"
    assert e.pull_request == "#12"
    files = {f.path: f.text for f in e.files}
    assert list(files) == [
        "prompts/greet.yaml",
        "prompts/instructions/tone.yaml",
        "models.yaml",
        "policies/tools.yaml",
    ]
    assert "Say hi to {{ name }}." in (files["prompts/greet.yaml"] or "")
    assert files["models.yaml"] is None  # shared files are named, not printed


def test_a_squash_merged_change_names_its_pull_request(signed: Signed) -> None:
    _release(signed, "v1")
    greet = signed.root / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("Say hello to", "Greet"))
    commit_all(signed.root, "greet: one word (#34)")
    _release(signed, "v2")
    v1 = explain(signed.root, "v1")
    (digest,) = _digests_of(signed, "v2")
    e = explain(signed.root, "sha256:" + digest)
    assert (e.merge, e.pull_request, e.commit.subject) == (None, "#34", "greet: one word (#34)")
    assert v1.kind == "release" and v1.pull_request is None


def _digests_of(s: Signed, release: str) -> list[str]:
    commit = git(s.root, "rev-list", "-n1", release)
    return list(build(s.root, ref=commit).prompts.values())


def test_a_bundle_digest_and_a_release_name(signed: Signed) -> None:
    _history(signed)
    tag = git(signed.root, "tag", "-l", "--format=%(contents)", "v2")
    bundle = tag.split("promptops-bundle: ")[1].split()[0]
    e = explain(signed.root, bundle)
    assert (e.kind, e.releases[0][0], e.commit.subject) == (
        "bundle",
        "v2",
        "Merge pull request #12 from acme/say-hi",
    )
    assert e.pull_request == "#12"
    assert explain(signed.root, "v3").files[0].path == "prompts/other.yaml"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sha256:" + "0" * 64, "no release, and none of the last 200 commits, has a prompt or "
                               "bundle with digest sha256:" + "0" * 64),
        ("v9", "'v9' is neither sha256:<64 hex digits> nor a release (latest: v1)"),
    ],
)  # fmt: skip
def test_an_unknown_query_says_what_was_searched(signed: Signed, query: str, message: str) -> None:
    _release(signed, "v1")
    with pytest.raises(UsageError) as info:
        explain(signed.root, query)
    assert str(info.value) == message


def test_the_cli_prints_the_change_and_the_files(
    signed: Signed, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _history(signed)
    digest = _digest_from_a_span(signed, tmp_path)
    code, out, err = run_cli(["explain", digest, "--repo", str(signed.root)], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"prompt greet  {digest}"
    assert lines[1].startswith("released in  v2 (serial 2, commit ")
    assert "    greet: say hi" in lines
    assert "pull request  #12" in lines
    assert "  | messages:" in lines
    code, out, _ = run_cli(["explain", digest, "--repo", str(signed.root), "--format", "json"],
                           capsys)  # fmt: skip
    assert json.loads(out)["pull_request"] == "#12"
