from __future__ import annotations

from pathlib import Path

import pytest

from promptops.errors import UsageError
from promptops.release import create_release, prompt_log
from tests.helpers import MINIMAL_REPO, commit_all, git, write_files
from tests.release.conftest import DAYS_90, NOW, Signed


def test_log_of_one_prompt_names_the_releases_that_shipped_each_digest(signed: Signed) -> None:
    create_release(signed.root, "v1", [signed.key], now=NOW, expires_in=DAYS_90, out=signed.dist)
    greet = signed.root / "prompts" / "greet.yaml"
    greet.write_text(greet.read_text().replace("Say hello", "Say hi"))
    commit_all(signed.root, "say hi")
    (signed.root / "models.yaml").write_text(
        (signed.root / "models.yaml").read_text().replace("max_tokens: 200", "max_tokens: 300")
    )
    commit_all(signed.root, "more tokens")
    create_release(signed.root, "v2", [signed.key], now=NOW, expires_in=DAYS_90, out=signed.dist)

    entries = prompt_log(signed.root, "greet")
    assert [e.subject for e in entries] == ["more tokens", "say hi", "trust alice", "init"]
    assert [e.releases for e in entries] == [("v2",), (), ("v1",), ()]
    assert entries[-1].added == ("greet",)
    assert entries[0].changed == entries[1].changed == ("greet",)
    assert entries[2].changed == ()  # released, not changed: v1 shipped the init digest
    assert entries[2].digests["greet"] == entries[3].digests["greet"]
    assert (
        len({entries[0].digests["greet"], entries[1].digests["greet"], entries[3].digests["greet"]})
        == 3
    )


def test_log_of_everything_lists_changed_ids(signed: Signed) -> None:
    entries = prompt_log(signed.root)
    assert [(e.subject, e.added) for e in entries] == [("init", ("greet",))]


def test_unknown_prompt(signed: Signed) -> None:
    with pytest.raises(UsageError, match="prompt 'nope' does not appear in the last 200 commits"):
        prompt_log(signed.root, "nope")


def test_a_repository_without_a_commit_says_so(tmp_path: Path) -> None:
    # Right after promptops init: git's own error was its command line and "does not have
    # any commits yet".
    git(tmp_path, "init", "-q", "-b", "main")
    write_files(tmp_path, MINIMAL_REPO)
    with pytest.raises(UsageError) as caught:
        prompt_log(tmp_path)
    assert str(caught.value) == (
        f"no commit yet in {tmp_path}, so no history to show; commit first "
        "(git add -A && git commit)"
    )
