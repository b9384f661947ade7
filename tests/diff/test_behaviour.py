"""Behaviour diff: eval cases of changed prompts on both refs, with a counting echo provider."""

from __future__ import annotations

import threading
from pathlib import Path

from promptops.diff import DiffOptions, diff_refs
from promptops.evals import CallContext, EvalSession, Provider, Request, Response
from promptops.evals.providers import EchoProvider
from tests.diff.fixtures import BASE, edit, make_change
from tests.helpers import init_repo, write_files

GREET = BASE["prompts/greet.yaml"]
CLASSIFY_EVAL = """\
prompt: classify
cases:
  - name: labels-bugs
    inputs: {text: it crashes}
    assert:
      - is_json: true
"""
GREET_EVAL = """\
prompt: greet
cases:
  - name: says-hello
    inputs: {name: Ada}
    assert:
      - contains: Ada
  - name: greets-grace
    inputs: {name: Grace}
    assert:
      - contains: hello
"""
WITH_EVALS = {**BASE, "evals/greet.yaml": GREET_EVAL, "evals/classify.yaml": CLASSIFY_EVAL}


class CountingEcho:
    """The echo provider, counting the requests it is sent."""

    name = "echo"
    remote = False

    def __init__(self) -> None:
        self.sent: list[str] = []
        self._lock = threading.Lock()
        self._echo = EchoProvider()

    def complete(self, request: Request, context: CallContext) -> Response:
        with self._lock:
            self.sent.append(f"{context.prompt_id}/{context.case}")
        return self._echo.complete(request, context)

    def close(self) -> None:
        pass


class CountingSession(EvalSession):
    def __init__(self, provider: CountingEcho) -> None:
        super().__init__(provider="echo")
        self.counting = provider

    def provider(self, name: str) -> Provider:
        assert name == "echo"
        return self.counting


def _counting() -> tuple[CountingEcho, DiffOptions]:
    echo = CountingEcho()
    return echo, DiffOptions(behaviour=True, provider="echo", session=CountingSession(echo))


def test_broken_template_is_a_regression(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    base, head = make_change(
        root,
        {
            "prompts/greet.yaml": edit(
                GREET, "Say hello to {{ name }}.", "Say hello, {{ name[:1] }}."
            )
        },
        WITH_EVALS,
    )
    echo, options = _counting()
    result = diff_refs(root, base, head, options)
    assert result.behaviour is not None
    (greet,) = result.behaviour.prompts
    kinds = {c.case: c.kind for c in greet.cases}
    assert kinds == {"says-hello": "regression", "greets-grace": "pass"}
    flip = next(c for c in greet.cases if c.case == "says-hello")
    assert (flip.base_output, flip.head_output) == ("Say hello to Ada.", "Say hello, A.")
    assert flip.failure == "expected output to contain 'Ada'; found 'Say hello, A.'"
    assert result.behaviour.regressions == 1
    assert (greet.base.passed, greet.head.passed, greet.head.failed) == (2, 1, 1)
    assert greet.head.tokens < greet.base.tokens
    # Only the changed prompt's cases ran: classify's eval set did not.
    assert sorted(echo.sent) == sorted(["greet/says-hello", "greet/greets-grace"] * 2)


def test_identical_requests_are_sent_once(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    # A metadata change: the prompt changed, the rendered requests did not.
    base, head = make_change(
        root,
        {"prompts/greet.yaml": edit(GREET, "owner: team-a", "owner: team-z")},
        WITH_EVALS,
    )
    echo, options = _counting()
    result = diff_refs(root, base, head, options)
    assert result.behaviour is not None
    assert sorted(echo.sent) == ["greet/greets-grace", "greet/says-hello"]
    assert (result.behaviour.requests_sent, result.behaviour.requests_total) == (2, 4)
    assert result.behaviour.regressions == 0
    assert all(not c.output_changed for c in result.behaviour.prompts[0].cases)


def test_fixed_and_new_cases(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    broken = edit(GREET, "Say hello to {{ name }}.", "Say hi.")
    files = {**WITH_EVALS, "prompts/greet.yaml": broken}
    new_eval = (
        GREET_EVAL + "  - name: brand-new\n    inputs: {name: Bo}\n    assert: [{contains: Bo}]\n"
    )
    base, head = make_change(
        root, {"prompts/greet.yaml": GREET, "evals/greet.yaml": new_eval}, files
    )
    _, options = _counting()
    result = diff_refs(root, base, head, options)
    assert result.behaviour is not None
    kinds = {c.case: c.kind for c in result.behaviour.prompts[0].cases}
    assert kinds == {"says-hello": "fixed", "greets-grace": "fixed", "brand-new": "new"}
    assert result.behaviour.regressions == 0


def test_no_evals_for_changed_prompts_is_noted(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    files = {k: v for k, v in BASE.items() if not k.startswith("evals/")}
    base, head = make_change(
        root, {"prompts/greet.yaml": edit(GREET, "Say hello", "Say hi")}, files
    )
    echo, options = _counting()
    result = diff_refs(root, base, head, options)
    assert result.behaviour is not None and result.behaviour.prompts == ()
    assert echo.sent == []
    assert result.notes == ("no eval cases target the changed prompts; add some under evals/",)


def test_replay_reads_recordings_of_both_refs(tmp_path: Path) -> None:
    from tests.evals.fake_llm import record_live
    from tests.helpers import commit_all

    root = tmp_path / "repo"
    init_repo(root, WITH_EVALS)
    record_live(root)
    base = commit_all(root, "record base")
    broken = edit(GREET, "Say hello to {{ name }}.", "Say hello.")
    write_files(root, {"prompts/greet.yaml": broken})
    # Without head's recordings the new requests cannot be replayed: no verdict, an error.
    missing = diff_refs(root, base, None, DiffOptions(behaviour=True, provider="replay"))
    assert missing.behaviour is not None
    assert (missing.behaviour.errors, missing.behaviour.regressions) == (2, 0)
    flip = missing.behaviour.prompts[0].cases[0]
    assert (flip.kind, flip.base_error, flip.head_error) == ("error", False, True)
    assert flip.failure is not None and "case 'greets-grace'" in flip.failure, flip.failure
    record_live(root)
    head = commit_all(root, "record head")
    result = diff_refs(root, base, head, DiffOptions(behaviour=True, provider="replay"))
    assert result.behaviour is not None
    assert result.behaviour.provider == "replay"
    assert {c.case: c.kind for c in result.behaviour.prompts[0].cases} == {
        "says-hello": "regression",
        "greets-grace": "pass",
    }


def test_replay_misses_list_the_files_and_the_one_command(tmp_path: Path) -> None:
    """Issue 14, item 9: the Action runs with --provider replay; its comment must say which
    recordings a prompt change needs and how to record them."""
    from promptops.diff import render
    from tests.evals.fake_llm import record_live
    from tests.helpers import commit_all

    root = tmp_path / "repo"
    init_repo(root, WITH_EVALS)
    record_live(root)
    base = commit_all(root, "record base")
    write_files(
        root, {"prompts/greet.yaml": edit(GREET, "Say hello to {{ name }}.", "Hi {{ name }}!")}
    )
    result = diff_refs(root, base, None, DiffOptions(behaviour=True, provider="replay"))
    markdown = render(result, "markdown")
    section = markdown.split("### ⚠️ 2 recording(s) missing\n", 1)[1].split("\n\n<details>")[0]
    lines = section.splitlines()
    assert lines[3:6] == ["```sh", "promptops eval --record --prompt greet", "```"]
    rows = [ln for ln in lines if ln.startswith("| `evals/recordings/greet/")]
    assert len(rows) == 2
    assert sorted(r.split(" | ")[1].strip(" |") for r in rows) == [
        "evals/greet.yaml / greets-grace",
        "evals/greet.yaml / says-hello",
    ]
    for row in rows:
        path = row.split("`")[1]
        assert not (root / path).exists()  # exactly the files that are missing
