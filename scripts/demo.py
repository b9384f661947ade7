"""`make demo`: the whole promptops flow on the example repository, offline.

Copies the example repository (prompts/, models.yaml, policies/, evals/) into a temporary
git repository so the demo never touches this checkout, then: validate, show a diagnostic on a
deliberately broken copy, generate signing keys with split roles, release (build + sign +
tag), publish from the tags as CI does, verify,
load with the runtime and render, rotate trust without redeploying the application, and
diff two commits structurally and behaviourally.
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
EXAMPLE = ("models.yaml", "prompts", "policies", "evals", "experiments")
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

    step("3. Keys and roles: an owner (root, release) and CI (channel); throw-away keys")
    keys = work / "keys"
    owner, ci = str(keys / "owner.pem"), str(keys / "ci.pem")
    owner_entry = run(PROMPTOPS, "keygen", "--name", "demo-owner", "--out", owner, cwd=repo)
    ci_entry = run(PROMPTOPS, "keygen", "--name", "demo-ci", "--out", ci, cwd=repo)
    trust_signers(
        repo / "policies" / "signers.yaml",
        owner_entry + ci_entry,
        {"root": ["demo-owner"], "release": ["demo-owner"], "channel": ["demo-ci"]},
    )
    git(repo, "commit", "-q", "-am", "Trust the demo keys")
    print("  added both entries to policies/signers.yaml, named them in roles, committed")
    # What the application ships with: today's policy, as JSON. It is never redeployed.
    trust = work / "signers.json"
    write_trust_json(repo, trust)

    step("4. Release v1: build, sign with the owner's key, tag (the tag carries the signature)")
    dist = work / "dist"
    run(PROMPTOPS, "release", "v1", "--key", owner, "--out", str(dist), cwd=repo)
    print(textwrap.indent(git(repo, "tag", "-n9", "v1"), "  tag "))

    step("5. CI publishes what people signed: a fresh clone, the channel key only")
    site = work / "site"
    ci_publish(repo, work, site, ci)

    step("6. Verify the published release offline")
    run(PROMPTOPS, "verify", str(site), "--channel", "production", "--trust", str(trust),
        cwd=repo)  # fmt: skip

    step("7. A tampered copy is refused")
    tampered = work / "tampered"
    shutil.copytree(site, tampered)
    with open(tampered / "releases" / "v1" / "bundle.json", "ab") as f:
        f.write(b"x")
    run(PROMPTOPS, "verify", str(tampered), "--channel", "production", "--trust", str(trust),
        cwd=repo, ok=(1,))  # fmt: skip

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
        "--trust",
        str(trust),
        cwd=repo,
    )
    runtime_snippet(site, trust, work)

    step("9. Rotate trust without redeploying the application")
    reviewer = str(keys / "reviewer.pem")
    entry = run(PROMPTOPS, "keygen", "--name", "demo-reviewer", "--out", reviewer, cwd=repo)
    trust_signers(repo / "policies" / "signers.yaml", owner_entry + ci_entry + entry,
                  {"root": ["demo-owner"], "release": ["demo-owner", "demo-reviewer"],
                   "channel": ["demo-ci"]})  # fmt: skip
    run(PROMPTOPS, "trust", "rotate", "--key", owner, cwd=repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Trust demo-reviewer to release")
    run(PROMPTOPS, "release", "v2", "--key", reviewer, "--out", str(dist), cwd=repo)
    ci_publish(repo, work, site, ci)
    status = work / "status.py"
    status.write_text(STATUS_SNIPPET, encoding="utf-8")
    print(
        "\nThe application, not redeployed, with the trust file it shipped (" + str(status) + "):"
    )
    run(sys.executable, str(status), str(site), str(trust), str(work / "cache"), cwd=work)
    print("\nA scheduled CI job keeps the short-lived channel pointers fresh:")
    run(PROMPTOPS, "publish", str(site), "--refresh", "--trust", str(trust), cwd=work,
        env={**ENV, "PROMPTOPS_SIGNING_KEY": ci})  # fmt: skip

    step("10. Evals against the recorded answers (replay provider, offline)")
    run(PROMPTOPS, "eval", "--provider", "replay", cwd=repo)

    report = work / "eval-report.html"
    report.write_text(
        run_quiet(PROMPTOPS, "eval", "--provider", "replay", "--format", "html", cwd=repo),
        encoding="utf-8",
    )
    print(f"  the same run as one self-contained HTML page: {report}")

    step("11. Moving a pin: the same cases side by side, then the change on a branch")
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

    step("12. A change under review: structural and behaviour diff of two commits")
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


def trust_signers(path: Path, entries: str, roles: dict[str, list[str]]) -> None:
    """Write the signers keygen printed and the roles naming them into signers.yaml,
    keeping its comments (and the version and chain lines trust rotate adds)."""
    text = path.read_text(encoding="utf-8")
    head = text[: text.index("\nsigners:") + 1]
    body = "".join(f"{line}\n" for line in entries.splitlines() if line.strip())
    lines = [f"  {name}: {{threshold: 1, signers: [{', '.join(who)}]}}\n"
             for name, who in roles.items()]  # fmt: skip
    path.write_text(f"{head}signers:\n{body}roles:\n{''.join(lines)}", encoding="utf-8")


def write_trust_json(repo: Path, out: Path) -> None:
    """The trust policy as JSON, the form applications load without a YAML parser."""
    import yaml

    policy = yaml.safe_load((repo / "policies" / "signers.yaml").read_text(encoding="utf-8"))
    out.write_text(json.dumps(policy, default=str), encoding="utf-8")


def ci_publish(repo: Path, work: Path, site: Path, ci_key: str) -> None:
    """What the publishing workflow does: a fresh clone, publish --from-tags."""
    clone = work / "ci-clone"
    shutil.rmtree(clone, ignore_errors=True)
    git(work, "clone", "-q", str(repo), str(clone))
    run(PROMPTOPS, "publish", str(site), "--from-tags", "--channel", "production", cwd=clone,
        env={**ENV, "PROMPTOPS_SIGNING_KEY": ci_key})  # fmt: skip


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
(backup,) = req.fallbacks  # models.yaml: support-default falls back to long-context
print("fallback:", backup.model_name, f"({backup.provider}/{backup.model})",
      "| its request keys:", sorted(backup.to_provider()))
args = {"order_id": "EU-123456", "amount": 42.5, "reason": "damaged"}
decision = reg.check_tool_call("agents/order-assistant", "issue_refund", args)
print("tool check issue_refund:", decision.verdict, "-", decision.reason)
for user in ("user-1", "user-2", "user-3"):  # experiments/answer-length.yaml: sticky by key
    a = reg.prompt("support/answer", key=user).render(customer_name="Ada", question="Hi?")
    print(f"{user}: arm {a.provenance.experiment_arm} (variant {a.provenance.variant}),"
          f" max_tokens {a.params['max_tokens']}")
"""


STATUS_SNIPPET = """\
import sys
from promptops.runtime import Registry
site, trust, cache = sys.argv[1:4]
st = Registry.open(site, trust=trust, channel="production", cache_dir=cache).status
print(f"release {st.release} (serial {st.serial}),"
      f" trust version {st.trust_version}, expires {st.expires:%Y-%m-%d %H:%M}Z")
"""


def runtime_snippet(site: Path, trust: Path, work: Path) -> None:
    """The same release loaded in application code, with the trust file as JSON."""
    script = work / "app.py"
    script.write_text(RUNTIME_SNIPPET, encoding="utf-8")
    print("\nThe same release from application code (" + str(script) + "):")
    print(textwrap.indent(RUNTIME_SNIPPET, "  | "))
    run(sys.executable, str(script), str(site), str(trust), str(work / "cache"), cwd=work)


if __name__ == "__main__":
    main()
