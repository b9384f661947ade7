"""Generate a realistic prompt repository (default 10,000 prompts) as a one-commit git repo.

    python bench/gen_repo.py OUT --prompts 10000

Other benches import ``generate(path, n_prompts)`` and ``change(path, n=50)``.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
from pathlib import Path

__all__ = ["change", "generate"]

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
TEAMS = ["support", "billing", "search", "legal", "growth", "ops", "docs", "sales"]
TASKS = ["answer", "summarise", "extract", "classify", "translate", "triage", "rewrite", "plan"]
MODELS = """\
models:
  support-default:
    provider: openai
    model: gpt-4o-2024-08-06
    params: {temperature: 0.3, max_tokens: 800}
    pricing: {input_per_mtok: 2.5, output_per_mtok: 10.0}
    context_window: 128000
  support-next:
    provider: anthropic
    model: claude-3-5-sonnet-20241022
    params: {temperature: 0.2, max_tokens: 1024}
    pricing: {input_per_mtok: 3.0, output_per_mtok: 15.0}
  fast:
    provider: openai
    model: gpt-4o-mini-2024-07-18
    params: {temperature: 0.0}
  legacy:
    provider: openai
    model: gpt-4-0613
    lifecycle: {deprecated: 2030-01-01, retires: 2031-01-01, replacement: support-next}
  local:
    provider: echo
    model: echo-2024-01-01
"""
RULES = """\
rules:
  require_owner: true
  require_dated_model: true
  max_template_chars: 20000
  forbidden_patterns:
    - {pattern: "(?i)internal use only", message: "internal marker left in a prompt"}
  eval_coverage: {tags: [critical], min_cases: 1}
"""
TOOL = """\
  {name}:
    description: {desc}
    risk: {risk}
    parameters:
      type: object
      properties:
        query: {{type: string, maxLength: 200}}
        limit: {{type: integer, minimum: 1, maximum: 50}}
      required: [query]
"""
BODIES = [
    "      {{{{ {a} }}}}\n",
    "      Question: {{{{ {a} }}}}\n      Context:\n      {{% for item in {b} %}}- {{{{ item }}}}\n"
    "      {{% endfor %}}\n",
    "      {{% if {b} %}}Use these notes: {{{{ {b} | join(', ') }}}}{{% endif %}}\n"
    "      Task: {{{{ {a} | trim }}}}\n",
    '      {{{{ {a} }}}}\n      {{% include "partials/p{p}" %}}\n',
]


def _prompt(rng: random.Random, i: int, n_instr: int, n_partials: int) -> str:
    team, task = rng.choice(TEAMS), rng.choice(TASKS)
    a, b = f"{task}_text", "notes"
    body = rng.choice(BODIES).format(a=a, b=b, p=rng.randrange(n_partials))
    uses_b = b in body
    inputs = f"  {a}: {{type: string, maxLength: 4000}}\n"
    if uses_b:
        inputs += f"  {b}: {{type: array, items: {{type: string}}, default: []}}\n"
    if "partials/" in body:
        inputs += "  customer: {type: string, default: there}\n"
    system = ", ".join(f"instructions/i{rng.randrange(n_instr)}" for _ in range(rng.randint(0, 2)))
    tools = ", ".join(sorted({f"tool_{rng.randrange(20)}" for _ in range(rng.randint(0, 3))}))
    tags = "[critical]" if i % 10 == 0 else f"[{team}, {task}]"
    model = rng.choice(["support-default", "support-next", "fast", "local"])
    return (
        f"# yaml-language-server: $schema=../../schemas/prompt.json\n"
        f"kind: prompt\n"
        f"description: {task.capitalize()} for the {team} team, variant {i}.\n"
        f"owner: {team}-team\n"
        f"model: {model}\n"
        f"params: {{temperature: {rng.choice(['0.0', '0.2', '0.5'])}}}\n"
        f"system: [{system}]\n"
        f"inputs:\n{inputs}"
        f"messages:\n"
        f"  - role: system\n"
        f"    content: You help the {team} team {task} requests. Be precise; cite sources.\n"
        f"  - role: user\n"
        f"    content: |\n      Request {i} for {team}/{task}.\n{body}"
        f"tools: [{tools}]\n"
        f"tags: {tags}\n"
    )


# promptops' default cap on files read (repo.config.Limits.max_files).
DEFAULT_MAX_FILES = 50_000


def generate(path: Path | str, n_prompts: int = 10_000, seed: int = 1) -> Path:
    """Write a repository with ``n_prompts`` prompts (plus instructions, partials, tools,
    evals) into ``path`` and commit it. Returns the path.

    A repository of more files than promptops reads by default raises the cap in its
    policies/rules.yaml (``limits: {max_files: N}``), the documented setting for 50,000
    prompts."""
    root = Path(path)
    rng = random.Random(seed)
    n_instr, n_partials = max(2, n_prompts // 200), max(1, n_prompts // 500)
    n_files = 3 + n_instr + n_partials + n_prompts + (n_prompts + 4) // 5
    rules = RULES
    if n_files > DEFAULT_MAX_FILES:
        rules += f"limits: {{max_files: {2 * n_files}}}\n"
    files: dict[str, str] = {"models.yaml": MODELS, "policies/rules.yaml": rules}
    risks = ["low", "medium", "high"]
    files["policies/tools.yaml"] = "tools:\n" + "".join(
        TOOL.format(name=f"tool_{t}", desc=f"Tool number {t}.", risk=risks[t % 3])
        for t in range(20)
    )
    for i in range(n_instr):
        files[f"prompts/instructions/i{i}.yaml"] = (
            f"kind: instruction\ndescription: Instruction {i}.\nowner: platform\n"
            f"text: |\n  Answer in a {rng.choice(['calm', 'brief', 'formal'])} tone.\n"
            f"  Never invent facts; say when you do not know.\n"
        )
    for i in range(n_partials):
        files[f"prompts/partials/p{i}.yaml"] = (
            f"kind: partial\ndescription: Sign-off {i}.\nowner: platform\n"
            f'template: "Thanks, {{{{ customer }}}}. Reference {i}."\n'
        )
    for i in range(n_prompts):
        pid = f"{TEAMS[i % len(TEAMS)]}/{TASKS[(i // 8) % len(TASKS)]}-{i}"
        text = _prompt(rng, i, n_instr, n_partials)
        files[f"prompts/{pid}.yaml"] = text
        if i % 5 == 0:
            var = next(
                ln.split(":")[0].strip()
                for ln in text.splitlines()
                if ln.endswith("maxLength: 4000}")
            )
            files[f"evals/{pid}.yaml"] = (
                f"prompt: {pid}\ncases:\n  - name: basic\n    inputs: {{{var}: hello}}\n"
                f"    assert:\n      - contains: hello\n      - max_chars: 2000\n"
            )
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"generated {n_prompts} prompts")
    return root


def change(path: Path | str, n: int = 50, note: str = "and kind") -> list[str]:
    """Edit the first ``n`` prompt files in place (still valid); returns their repository paths.

    The edit writes ``note`` into each file's instructions. Calling again with the same note
    leaves files that already carry it alone; a new note changes them again, into content no
    cache has seen.
    """
    root = Path(path)
    changed: list[str] = []
    for file in sorted((root / "prompts").rglob("*-*.yaml"))[:n]:
        text = file.read_text(encoding="utf-8")
        if f"Be precise {note}" not in text:
            text = text.replace("Be precise", f"Be precise {note}", 1)
            file.write_text(text, encoding="utf-8")
        changed.append(file.relative_to(root).as_posix())
    return changed


def rename_prompts(path: Path | str, every: int = 8, commit: bool = True) -> list[str]:
    """Rename every ``every``-th prompt file (``x`` -> ``x-renamed``) and leave the eval sets
    that test them pointing at the old ids: the broken repository of issue 16's error path
    (one ``unknown-prompt`` error with a suggestion per such eval set). Returns the old ids
    that an eval set still names."""
    root = Path(path)
    files = sorted((root / "prompts").rglob("*-*.yaml"))
    broken: list[str] = []
    for file in files[::every]:
        pid = file.relative_to(root / "prompts").as_posix()[: -len(".yaml")]
        file.rename(file.with_name(f"{file.stem}-renamed.yaml"))
        if (root / "evals" / f"{pid}.yaml").exists():
            broken.append(pid)
    if commit:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"rename every {every}th prompt")
    return broken


def git(root: Path | str, *args: str) -> str:
    """Run git in ``root`` with the fixed identity; returns its standard output."""
    proc = subprocess.run(
        ["git", *args], cwd=root, env={**os.environ, **GIT_ENV}, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    return proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--prompts", type=int, default=10_000)
    args = parser.parse_args()
    generate(args.out, args.prompts)
    print(f"wrote {args.prompts} prompts to {args.out}")


if __name__ == "__main__":
    main()
