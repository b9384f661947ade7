"""`make demo`: the whole promptops flow on the example repository, offline.

Copies the example repository (prompts/, models.yaml, policies/, evals/) into a temporary
git repository so the demo never touches this checkout, then: validate, show a diagnostic on a
deliberately broken copy, generate a signing key, release (build + sign + tag), publish, verify,
load with the runtime and render, and diff two commits structurally and behaviourally.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROMPTOPS = str(BIN / "promptops")
EXAMPLE = ("models.yaml", "prompts", "policies", "evals")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Demo",
    "GIT_AUTHOR_EMAIL": "demo@example.com",
    "GIT_COMMITTER_NAME": "Demo",
    "GIT_COMMITTER_EMAIL": "demo@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
ENV = {**os.environ, **GIT_ENV}


def step(title: str) -> None:
    print(f"\n\033[1m== {title}\033[0m", flush=True)


def run(
    *args: str,
    cwd: Path,
    ok: tuple[int, ...] = (0,),
    env: dict[str, str] | None = None,
    show: bool = True,
) -> str:
    shown = " ".join(a if " " not in a else repr(a) for a in args)
    print(f"$ {shown}", flush=True)
    proc = subprocess.run(args, cwd=cwd, env=env or ENV, capture_output=True, text=True)
    out = (proc.stdout + proc.stderr).rstrip()
    if out and show:
        print(textwrap.indent(out, "  "), flush=True)
    if proc.returncode not in ok:
        print(f"demo: step failed with exit code {proc.returncode}", file=sys.stderr)
        sys.exit(1)
    return proc.stdout


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=ENV, check=True, capture_output=True, text=True
    ).stdout.strip()


def copy_example(dest: Path) -> None:
    dest.mkdir(parents=True)
    for name in EXAMPLE:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="promptops-demo-"))
    repo = work / "prompts-repo"
    copy_example(repo)
    git(repo, "init", "-q", "-b", "main")
    (repo / ".gitignore").write_text("dist/\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Example prompt repository")

    step("1. Validate the example repository")
    run(PROMPTOPS, "validate", ".", cwd=repo)

    step("2. A deliberately broken copy: precise diagnostics, exit 1")
    broken = work / "broken"
    copy_example(broken)
    answer = broken / "prompts" / "support" / "answer.yaml"
    text = answer.read_text(encoding="utf-8")
    answer.write_text(text.replace("model: support-", "model: suport-", 1), encoding="utf-8")
    run(PROMPTOPS, "validate", str(broken), cwd=work, ok=(1,))

    step("3. A release signing key (throw-away, outside the repository)")
    keys = work / "keys"
    entry = run(PROMPTOPS, "keygen", "--name", "demo", "--out", str(keys / "demo.pem"), cwd=repo)
    trust_signers(repo / "policies" / "signers.yaml", entry)
    git(repo, "commit", "-q", "-am", "Trust the demo release key")
    print("  added the printed entry to policies/signers.yaml and committed it")

    step("4. Release v1: build, sign, tag")
    key = str(keys / "demo.pem")
    dist = work / "dist"
    run(PROMPTOPS, "release", "v1", "--key", key, "--out", str(dist), cwd=repo)
    print(textwrap.indent(git(repo, "tag", "-n9", "v1"), "  tag "))

    step("5. Publish a static tree with a signed 'production' channel pointer")
    site = work / "site"
    run(
        PROMPTOPS,
        "publish",
        str(site),
        "--from",
        str(dist),
        "--channel",
        "production",
        "--key",
        key,
        cwd=repo,
    )

    step("6. Verify the published release offline")
    run(PROMPTOPS, "verify", str(site), "--channel", "production", cwd=repo)

    step("7. A tampered copy is refused")
    tampered = work / "tampered"
    shutil.copytree(site, tampered)
    with open(tampered / "releases" / "v1" / "bundle.json", "ab") as f:
        f.write(b"x")
    run(PROMPTOPS, "verify", str(tampered), "--channel", "production", cwd=repo, ok=(1,))

    step("8. Render through the runtime, from the verified release")
    run(
        PROMPTOPS,
        "render",
        "support/refund-reply",
        "--var",
        "customer_name=Ada",
        "--var",
        "order_id=EU-123456",
        "--var-json",
        "amount=42.5",
        "--var",
        "reason=Arrived broken",
        "--release",
        str(site),
        "--channel",
        "production",
        cwd=repo,
    )
    runtime_snippet(repo, site, work)

    step("9. Evals against the recorded answers (replay provider, offline)")
    run(PROMPTOPS, "eval", "--provider", "replay", cwd=repo)

    report = work / "eval-report.html"
    report.write_text(
        run_quiet(PROMPTOPS, "eval", "--provider", "replay", "--format", "html", cwd=repo),
        encoding="utf-8",
    )
    print(f"  the same run as one self-contained HTML page: {report}")

    step("10. Moving a pin: the same cases side by side, then the change on a branch")
    migrate = (PROMPTOPS, "migrate", "extract-mini", "--to", "support-default")
    run(*migrate, "--provider", "replay", cwd=repo)
    print(
        "\n(replay holds answers for extract-mini only: the candidate's requests are new, so"
        "\n they have no verdict, errors, not failures; record them with a live key.)"
    )
    run(*migrate, "--provider", "echo", "--apply", cwd=repo, show=False)
    branch = "promptops/migrate-extract-mini-to-support-default"
    print(textwrap.indent(git(repo, "diff", "main", branch, "--", "models.yaml"), "  "))
    git(repo, "branch", "-D", branch)

    step("11. A change under review: structural and behaviour diff of two commits")
    refund = repo / "prompts" / "support" / "refund-reply.yaml"
    replace(refund, "within 5 to 10 business days", "within a few business days")
    replace(repo / "policies" / "tools.yaml", "risk: medium", "risk: high")
    git(repo, "commit", "-q", "-am", "Shorter refund promise; stricter tool risk")
    behaviour_diff = (PROMPTOPS, "diff", "HEAD~1", "HEAD", "--behaviour", "--provider", "echo")
    run(*behaviour_diff, "--fail-on", "never", cwd=repo)
    print(
        "\n(echo answers with the rendered prompt itself: the tool-calling cases fail on both"
        "\n sides alike; what the gate reads is the flip, pass on base and fail on head.)"
    )
    print("\nThe same diff as a pull-request comment (Markdown), first lines:")
    markdown = run_quiet(*behaviour_diff, "--format", "markdown", "--fail-on", "never", cwd=repo)
    print(textwrap.indent("\n".join(markdown.splitlines()[:12]), "  "))
    print("\nAs a CI gate (--fail-on high-risk) the same change fails the check:")
    run(
        PROMPTOPS,
        "diff",
        "HEAD~1",
        "HEAD",
        "--fail-on",
        "high-risk",
        "--format",
        "json",
        cwd=repo,
        ok=(1,),
        show=False,
    )
    print("  exit code 1")

    print(f"\nDemo finished. Workspace (repository, keys, dist, site): {work}")


def trust_signers(path: Path, entry: str) -> None:
    """Replace the placeholder `signers: []` with the entry keygen printed."""
    text = path.read_text(encoding="utf-8")
    lines = [line for line in entry.splitlines() if line.strip()]
    block = "signers:\n" + "".join(f"  {line}\n" for line in lines)
    path.write_text(text.replace("signers: []\n", block, 1), encoding="utf-8")


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        sys.exit(f"demo: {path} no longer contains {old!r}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run_quiet(*args: str, cwd: Path) -> str:
    proc = subprocess.run(args, cwd=cwd, env=ENV, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stdout + proc.stderr, file=sys.stderr)
        sys.exit(f"demo: {' '.join(args[:2])} failed with exit code {proc.returncode}")
    return proc.stdout


RUNTIME_SNIPPET = """\
import json, sys
from promptops.runtime import Registry

site, trust, cache = sys.argv[1:4]
reg = Registry.open(site, trust=trust, channel="production", cache_dir=cache)
req = reg.prompt("support/refund-reply").render(
    customer_name="Ada", order_id="EU-123456", amount=42.5, reason="Arrived broken"
)
print("model:", req.model, "| params:", json.dumps(dict(req.params), sort_keys=True))
p = req.provenance
print("provenance: release", p.release, "serial", p.serial, "commit", p.commit[:12])
print("bundle", p.bundle_sha256[:19] + "...", "prompt", p.prompt_digest[:19] + "...")
print("openai request keys:", sorted(req.to_openai_chat()))
args = {"order_id": "EU-123456", "amount": 42.5, "reason": "damaged"}
decision = reg.check_tool_call("agents/order-assistant", "issue_refund", args)
print("tool check issue_refund:", decision.verdict, "-", decision.reason)
"""


def runtime_snippet(repo: Path, site: Path, work: Path) -> None:
    """The same release loaded in application code, with the trust file as JSON."""
    import yaml

    signers = yaml.safe_load((repo / "policies" / "signers.yaml").read_text(encoding="utf-8"))
    trust = work / "signers.json"
    trust.write_text(json.dumps(signers, default=str), encoding="utf-8")
    script = work / "app.py"
    script.write_text(RUNTIME_SNIPPET, encoding="utf-8")
    print("\nThe same release from application code (" + str(script) + "):")
    print(textwrap.indent(RUNTIME_SNIPPET, "  | "))
    run(sys.executable, str(script), str(site), str(trust), str(work / "cache"), cwd=work)


if __name__ == "__main__":
    main()
