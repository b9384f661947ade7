"""Dotprompt variant files (``name.VARIANT.prompt``) import as variants of their prompt
(ADR 0013, "Dotprompt variants"): only what a variant changes is written, the imported
repository validates and serves each variant as Genkit would, a variant a promptops
variant cannot express stays its own prompt with a warning naming the field, an orphan
says its base is missing, and export writes the variant files back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from promptops.compile import compile_repository
from promptops.interop import dotprompt, plan_import
from promptops.interop.assemble import assemble
from promptops.interop.dotprompt_meta import GEMINI_OPENAI_URL
from promptops.interop.export import export_prompts
from promptops.interop.pins import read_pin_map
from promptops.interop.proof import prove
from promptops.interop.target import open_target
from promptops.interop.types import ImportResult, PromptDraft
from promptops.repo import load_repository
from promptops.runtime.preview import unverified_prompt
from tests.helpers import commit_all, git, run_cli, write_files
from tests.interop.conftest import CORPUS, ROOT, apply

FRONT = """\
---
description: A bedtime story.
model: {model}
config:
{config}
input:
  schema:
    hero: string
    place?: string
---
"""
BODY = """\
{{{{role "system"}}}}
You tell short bedtime stories.
{{{{role "user"}}}}
Tell a {kind}story about {{{{hero}}}}{{{{#if place}}}} in {{{{place}}}}{{{{/if}}}}.
"""
GPT = "openai/gpt-4o-2024-08-06"
CLAUDE = "anthropic/claude-3-5-sonnet-20241022"


def story(*, model: str = GPT, config: str = "  temperature: 0.7", kind: str = "") -> str:
    """A Dotprompt story prompt; the variants below change one thing each."""
    return FRONT.format(model=model, config=config) + BODY.format(kind=kind)


SOURCES = {
    "story.prompt": story(),
    # The template alone differs (and the description, which says what the variant is).
    "story.rhyming.prompt": story(kind="rhyming ").replace(
        "A bedtime story.", "A bedtime story that rhymes."
    ),
    # The model and its config differ.
    "story.claude.prompt": story(model=CLAUDE, config="  temperature: 0.3\n  maxOutputTokens: 400"),
}


def _import(src: Path, repo: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code, out, err = run_cli(["import", "dotprompt", str(src), "--into", str(repo)], capsys)
    assert code == 0, out + err
    return out + err


def test_base_and_two_variants_become_one_prompt_with_its_variants(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, repo = tmp_path / "src", tmp_path / "repo"
    write_files(src, SOURCES)
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    out = _import(src, repo, capsys)
    assert "ok: 1 prompt(s) and 2 variant(s) from 3 file(s)" in out
    assert "[import-variant]" not in out
    data = yaml.safe_load((repo / "prompts/story.yaml").read_text(encoding="utf-8"))
    assert data["model"] == "gpt-4o-2024-08-06"
    assert data["params"] == {"temperature": 0.7}
    assert data["variants"] == {
        "claude": {
            "model": "claude-3-5-sonnet-20241022",
            "params": {"temperature": 0.3, "max_tokens": 400},
        },
        "rhyming": {
            "description": "A bedtime story that rhymes.",
            "messages": [
                {"role": "system", "content": "\nYou tell short bedtime stories.\n\n"},
                {
                    "role": "user",
                    "content": "\nTell a rhyming story about {{ hero }}{% if place %} in "
                    '{{ "" if place is none else place }}{% endif %}.\n',
                },
            ],
        },
    }
    assert not (repo / "prompts/story.rhyming.yaml").exists()
    assert (repo / "prompts/story.yaml").read_text(encoding="utf-8").startswith("# Imported from ")
    assert "(variants: story.claude.prompt, story.rhyming.prompt)" in (
        repo / "prompts/story.yaml"
    ).read_text(encoding="utf-8")
    commit_all(repo, "import")
    code, out, err = run_cli(["validate", str(repo), "--ref", "HEAD"], capsys)
    assert code == 0, out + err
    # Each variant sends what its Genkit file sends.
    bundle = compile_repository(load_repository(repo, cache=False), cache=False)
    claude = unverified_prompt(bundle.data, "story", variant="claude").render(hero="Ada")
    assert (claude.model, claude.provider) == ("claude-3-5-sonnet-20241022", "anthropic")
    assert dict(claude.params) == {"temperature": 0.3, "max_tokens": 400}
    rhyming = unverified_prompt(bundle.data, "story", variant="rhyming").render(
        hero="Ada", place="Paris"
    )
    assert rhyming.messages[-1]["content"] == "\nTell a rhyming story about Ada in Paris."
    assert rhyming.model == "gpt-4o-2024-08-06"


def _read(src: Path) -> ImportResult:
    result = ImportResult()
    for path in sorted(src.iterdir()):
        result.extend(dotprompt.read(path, root=src, base=src))
    dotprompt.combine(result)
    return result


def test_the_proof_renders_each_variant_against_its_own_file(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_files(src, SOURCES)
    result = _read(src)
    (draft,) = [d for d in result.documents if isinstance(d, PromptDraft)]
    assert sorted(draft.variants) == ["claude", "rhyming"]
    assert [s.variant for s in draft.samples] == [None, "claude", "rhyming"]
    target = open_target(tmp_path / "repo")
    # As read, every variant renders what Handlebars renders for its own file (had the
    # base been rendered for the rhyming sample, the texts would differ).
    assert [d for d in prove(assemble(result.documents, target, {}), target)] == []
    rhyming = next(s for s in draft.samples if s.variant == "rhyming")
    assert rhyming.expected is not None
    rhyming.expected = [(role, "not what the file says") for role, _ in rhyming.expected]
    found = [d.message for d in prove(assemble(result.documents, target, {}), target)]
    assert len(found) == 1
    assert found[0].startswith("synthetic of 'story@rhyming' renders differently: message 1")


# A variant file that differs in what promptops variants cannot override, and the field the
# warning names.
APART = [
    pytest.param(
        story(kind="moody ").replace(
            "    place?: string\n", "    place?: string\n    mood: string\n"
        ),
        "input.schema / input.default (mood)",
        id="input-schema",
    ),
    pytest.param(
        story().replace("    place?: string\n", "    place?: string\n  default:\n    hero: Ada\n"),
        "input.schema / input.default (hero)",
        id="input-default",
    ),
    pytest.param(story().replace("input:\n", "tools: [find_place]\ninput:\n"), "tools", id="tools"),
    pytest.param(
        story().replace("input:\n", "output:\n  schema:\n    text: string\ninput:\n"),
        "output.schema",
        id="output-schema",
    ),
    pytest.param(
        story(config="  topK: 3"),
        "config.temperature (set by the base only; a variant cannot unset it)",
        id="config-dropped",
    ),
]


@pytest.mark.parametrize(("text", "field"), APART)
def test_a_variant_promptops_cannot_express_stays_its_own_prompt(
    tmp_path: Path, text: str, field: str
) -> None:
    src = tmp_path / "src"
    write_files(src, {"story.prompt": SOURCES["story.prompt"], "story.other.prompt": text})
    plan = plan_import("dotprompt", [src], into=tmp_path / "repo", base=src)
    assert plan.errors == []
    assert plan.prompts == ["story", "story.other"]
    assert plan.variants == []
    found = [(d.path, d.line, d.message) for d in plan.diagnostics if d.code == "import-variant"]
    assert found == [
        (
            "story.other.prompt",
            1,
            f"'story.other.prompt' is variant 'other' of 'story', but it differs from "
            f"story.prompt in {field}, which a promptops variant cannot override (a variant "
            "changes messages, model and params; inputs, tools and output are the prompt's): "
            "imported as its own prompt 'story.other'",
        )
    ]


def test_a_variant_with_its_own_output_format_keeps_it_in_its_params(tmp_path: Path) -> None:
    # output.format: json alone is a request param (response_format), which a variant holds.
    src = tmp_path / "src"
    text = story().replace("input:\n", "output:\n  format: json\ninput:\n")
    write_files(src, {"story.prompt": SOURCES["story.prompt"], "story.json.prompt": text})
    plan = plan_import("dotprompt", [src], into=tmp_path / "repo", base=src)
    assert [d for d in plan.diagnostics if d.code == "import-variant"] == []
    new = next(c.new for c in plan.changes if c.path == "prompts/story.yaml")
    assert yaml.safe_load(new)["variants"] == {
        "json": {"params": {"response_format": {"type": "json_object"}}}
    }


@pytest.mark.parametrize(
    ("files", "given", "expected"),
    [
        pytest.param(
            {"fable.short.prompt": story()},
            "dir",
            "'fable.short.prompt' is variant 'short' of 'fable', but its base file "
            "fable.prompt is missing (no such file next to it): imported as its own prompt "
            "'fable.short' (import it with its base to make it a variant)",
            id="orphan",
        ),
        pytest.param(
            {"story.prompt": story(), "story.short.prompt": story(kind="short ")},
            "story.short.prompt",
            "'story.short.prompt' is variant 'short' of 'story', but its base file "
            "story.prompt is not in this import: imported as its own prompt 'story.short' "
            "(import it with its base to make it a variant)",
            id="base-left-out",
        ),
        pytest.param(
            {"story.prompt": story(), "story.base.prompt": story(kind="short ")},
            "dir",
            "the variant name 'base' is promptops' name for the prompt as written: imported "
            "as its own prompt 'story.base' (rename the file to import it as a variant)",
            id="reserved-name",
        ),
        pytest.param(
            {"story.prompt": story(), "story.~short.prompt": story(kind="short ")},
            "dir",
            "'~short' cannot name a promptops variant (letters, digits, '_', '.' and '-', "
            "starting with a letter or digit): imported as its own prompt 'story.-short'",
            id="bad-name",
        ),
        pytest.param(
            {"story.prompt": story(), "story.v2.short.prompt": story(kind="short ")},
            "dir",
            "Genkit reads 'story.v2.short.prompt' as variant 'v2' of 'story' and ignores the "
            "rest of its name: imported as its own prompt 'story.v2.short' (rename it "
            "'story.v2.prompt' to import it as that variant)",
            id="two-dots",
        ),
    ],
)
def test_variant_files_that_stay_prompts_of_their_own_say_why(
    tmp_path: Path, files: dict[str, str], given: str, expected: str
) -> None:
    src = tmp_path / "src"
    write_files(src, files)
    path = src if given == "dir" else src / given
    plan = plan_import("dotprompt", [path], into=tmp_path / "repo", base=src)
    assert plan.errors == []
    assert [d.message for d in plan.diagnostics if d.code == "import-variant"] == [expected]
    assert plan.variants == []


def test_shared_system_text_becomes_instructions_only_when_every_variant_opens_with_it(
    tmp_path: Path,
) -> None:
    src = tmp_path / "src"
    # Another prompt opening with the same system text.
    write_files(src, {**SOURCES, "tale.prompt": story().replace("a story", "a tale")})
    plan = plan_import("dotprompt", [src], into=tmp_path / "repo", base=src)
    assert plan.errors == []
    data = {c.path: yaml.safe_load(c.new) for c in plan.changes if c.path.endswith(".yaml")}
    # Both prompts open with the same system text: one instruction, and the rhyming
    # variant's messages start after it, as the prompt's do.
    assert data["prompts/story.yaml"]["system"] == data["prompts/tale.yaml"]["system"]
    assert [m["role"] for m in data["prompts/story.yaml"]["variants"]["rhyming"]["messages"]] == [
        "user"
    ]
    # A variant that opens otherwise keeps the prompt's system message in its messages.
    write_files(src, {"story.terse.prompt": story().replace("short bedtime", "terse bedtime")})
    plan = plan_import("dotprompt", [src], into=tmp_path / "repo", base=src)
    assert plan.errors == []
    story_file = yaml.safe_load(next(c.new for c in plan.changes if c.path == "prompts/story.yaml"))
    assert "system" not in story_file
    assert story_file["messages"][0] == {
        "role": "system",
        "content": "\nYou tell short bedtime stories.\n\n",
    }
    assert [m["role"] for m in story_file["variants"]["terse"]["messages"]] == ["system", "user"]


def test_export_writes_variant_files_and_import_gives_the_same_digests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, repo, out_dir, again = (tmp_path / n for n in ("src", "repo", "out", "again"))
    write_files(src, SOURCES)
    _import(src, repo, capsys)
    result = export_prompts("dotprompt", repo)
    assert sorted(result.files) == ["story.claude.prompt", "story.prompt", "story.rhyming.prompt"]
    assert result.same == {"story": True}
    assert result.lost == {}
    for rel, text in result.files.items():
        write_files(out_dir, {rel: text})
    _import(out_dir, again, capsys)
    first = compile_repository(load_repository(repo, cache=False), cache=False)
    second = compile_repository(load_repository(again, cache=False), cache=False)
    assert first.prompt("story") == second.prompt("story")


def test_export_of_a_hand_written_variant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A variant written in promptops (params over the prompt's) exports as a whole file.
    src, repo = tmp_path / "src", tmp_path / "repo"
    write_files(src, {"story.prompt": SOURCES["story.prompt"]})
    _import(src, repo, capsys)
    path = repo / "prompts/story.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "variants:\n  calm:\n    params: {temperature: 0.1}\n",
        encoding="utf-8",
    )
    result = export_prompts("dotprompt", repo)
    assert result.same == {"story": True}
    front = yaml.safe_load(result.files["story.calm.prompt"].split("---\n")[1])
    assert front["config"] == {"temperature": 0.1}
    assert front["model"] == GPT


def test_a_variant_name_genkit_cannot_read_is_not_exported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, repo = tmp_path / "src", tmp_path / "repo"
    write_files(src, {"story.prompt": SOURCES["story.prompt"]})
    _import(src, repo, capsys)
    path = repo / "prompts/story.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "variants:\n  v1.2:\n    params: {temperature: 0.1}\n",
        encoding="utf-8",
    )
    result = export_prompts("dotprompt", repo)
    assert result.skipped == {
        "story": "variant 'v1.2' (Genkit reads a variant's name from its file name, up to "
        "the next '.')"
    }


def test_genkits_own_variant_files_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Genkit's joke.prompt with a template variant (pirate) and a model variant (ultra),
    # their models mapped to Gemini pins so that export can name them again.
    repo = tmp_path / "repo"
    pins = "".join(
        f"  {m}:\n    provider: openai-compatible\n    model: {m}\n"
        f"    base_url: {GEMINI_OPENAI_URL}\n"
        for m in ("gemini-pro", "gemini-ultra")
    )
    write_files(
        repo,
        {
            "models.yaml": "models:\n" + pins,
            # The samples name no dated snapshot.
            "policies/rules.yaml": "rules:\n  require_dated_model: false\n",
        },
    )
    pin_map = tmp_path / "pins.txt"
    pin_map.write_text(
        "google-ai/gemini-pro=gemini-pro\ngoogle-ai/gemini-ultra=gemini-ultra\n", encoding="utf-8"
    )
    plan = plan_import(
        "dotprompt",
        [CORPUS / "dotprompt/genkit-variants"],
        into=repo,
        base=ROOT,
        pin_map=read_pin_map(pin_map),
    )
    apply(plan)
    assert plan.errors == []
    assert (plan.prompts, plan.variants) == (["joke"], ["joke@pirate", "joke@ultra"])
    variants = yaml.safe_load((repo / "prompts/joke.yaml").read_text(encoding="utf-8"))["variants"]
    assert variants["ultra"] == {"model": "gemini-ultra"}
    assert list(variants["pirate"]) == ["messages"]
    result = export_prompts("dotprompt", repo)
    assert sorted(result.files) == ["joke.pirate.prompt", "joke.prompt", "joke.ultra.prompt"]
    assert result.same == {"joke": True}
    assert "model: googleai/gemini-ultra\n" in result.files["joke.ultra.prompt"]


# A variant file: its model, a word of its template, and its config (temperature None:
# left out, so the file stays a prompt of its own).
_VARIANT = st.tuples(
    st.sampled_from([GPT, CLAUDE]),
    st.sampled_from(["", "brave ", "rhyming "]),
    st.sampled_from([0.7, 0.2, None]),
    st.one_of(st.none(), st.integers(1, 4000)),
)


@settings(max_examples=12, deadline=None)
@given(
    variants=st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9_-]{0,6}", fullmatch=True).filter(lambda n: n != "base"),
        _VARIANT,
        max_size=3,
    )
)
def test_import_export_import_gives_the_same_bundle_entries(
    tmp_path_factory: pytest.TempPathFactory,
    variants: dict[str, tuple[str, str, float | None, int | None]],
) -> None:
    src, repo, out_dir, again = (tmp_path_factory.mktemp(n) for n in ("src", "r", "out", "a"))
    files = {"story.prompt": story()}
    for name, (model, kind, temperature, tokens) in variants.items():
        config = "".join(
            f"  {key}: {value}\n"
            for key, value in (("temperature", temperature), ("maxOutputTokens", tokens))
            if value is not None
        )
        files[f"story.{name}.prompt"] = story(
            model=model, config=config.rstrip("\n") or " {}", kind=kind
        )
    write_files(src, files)
    apply(first := plan_import("dotprompt", [src], into=repo, base=src))
    assert first.errors == []
    joined = {v.split("@")[1] for v in first.variants}
    assert joined == {n for n, v in variants.items() if v[2] is not None}
    result = export_prompts("dotprompt", repo)
    assert all(result.same.values()) and result.lost == {}
    for rel, text in result.files.items():
        write_files(out_dir, {rel: text})
    apply(second := plan_import("dotprompt", [out_dir], into=again, base=out_dir))
    assert (second.prompts, second.variants) == (first.prompts, first.variants)
    one = compile_repository(load_repository(repo, cache=False), cache=False)
    two = compile_repository(load_repository(again, cache=False), cache=False)
    assert {p: one.prompt(p) for p in one.prompts} == {p: two.prompt(p) for p in two.prompts}


def test_the_proof_reads_the_bundle_once_however_many_variants(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each variant is rendered from the bundle parsed for the prompts (parsing it again
    # per variant made an import of N prompts with a variant each cost N bundle parses).
    from promptops.runtime.bundle import Bundle

    parse = Bundle.parse
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Bundle:
        calls.append(1)
        return parse(*args, **kwargs)

    monkeypatch.setattr(Bundle, "parse", counted)
    src = tmp_path / "src"
    for n in range(6):
        text = story().replace("a story", f"story {n}")
        write_files(src, {f"s{n}.prompt": text, f"s{n}.v{n}.prompt": story(kind=f"v{n} ")})
    plan = plan_import("dotprompt", [src], into=tmp_path / "repo", base=src)
    assert plan.errors == []
    assert len(plan.variants) == 6
    assert len(calls) == 1


def test_a_base_file_with_an_error_is_the_only_thing_reported(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_files(src, {"story.prompt": "---\nmodel: [\n", "story.short.prompt": story()})
    plan = plan_import("dotprompt", [src], into=tmp_path / "repo", base=src)
    assert [d.path for d in plan.errors] == ["story.prompt"]
    assert [d for d in plan.diagnostics if d.code == "import-variant"] == []
