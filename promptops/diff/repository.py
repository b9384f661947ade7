"""Repository-level changes: models.yaml, policies/*.yaml, instructions, partials, evals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from promptops.diff.config import DiffConfig
from promptops.diff.prompt import SAMPLING_PARAMS, param_risk
from promptops.diff.textdiff import structured_changes, unified
from promptops.diff.tools import diff_tool
from promptops.diff.types import Change, Risk
from promptops.repo.types import Repository
from promptops.spec import Rules

__all__ = ["diff_repository"]

_PIN_IDENTITY = ("provider", "model", "base_url")
_SIGNER = "signer change: it decides who can sign releases that applications trust"


def _dump(model: Any) -> Any:
    return None if model is None else model.model_dump(mode="json", by_alias=True)


def _same(base: Repository, head: Repository, key: str) -> bool:
    """Equal content digests mean equal documents: skip without comparing objects."""
    b, h = base.digests.get(key), head.digests.get(key)
    return b is not None and b == h


def diff_repository(base: Repository, head: Repository, config: DiffConfig) -> list[Change]:
    """Changes to files shared by many prompts, each with its risk."""
    out: list[Change] = []
    if not _same(base, head, "models"):
        out += _models(_dump(base.models), _dump(head.models))
    if not _same(base, head, "tools"):
        out += _tools(_dump(base.tools)["tools"], _dump(head.tools)["tools"], config)
    if not _same(base, head, "rules"):
        out += _rules(base.rules.rules, head.rules.rules)
    if not _same(base, head, "signers"):
        out += _signers(_dump(base.signers), _dump(head.signers), config)
    out += _texts(base, head, "instructions", config)
    out += _texts(base, head, "partials", config)
    out += _evals(base, head)
    return out


def _models(base: dict[str, Any], head: dict[str, Any]) -> list[Change]:
    out: list[Change] = []
    a = "models.yaml"
    if base.get("minimum_promptops_version") != head.get("minimum_promptops_version"):
        out.append(
            Change(
                a,
                "minimum_promptops_version",
                "minimum promptops version changed",
                "low",
                "tooling requirement only",
                base.get("minimum_promptops_version"),
                head.get("minimum_promptops_version"),
            )
        )
    b_pins: dict[str, Any] = base.get("models", {})
    h_pins: dict[str, Any] = head.get("models", {})
    for name in sorted(b_pins.keys() | h_pins.keys()):
        b, h = b_pins.get(name), h_pins.get(name)
        path = f"models.{name}"
        if b == h:
            continue
        if b is None:
            out.append(
                Change(
                    a,
                    path,
                    f"model pin {name!r} added",
                    "low",
                    "no prompt uses it until one names it",
                    None,
                    h,
                )
            )
        elif h is None:
            out.append(
                Change(
                    a,
                    path,
                    f"model pin {name!r} removed",
                    "medium",
                    "prompts naming it no longer validate",
                    b,
                    None,
                )
            )
        elif any(b.get(k) != h.get(k) for k in _PIN_IDENTITY):
            out.append(
                Change(
                    a,
                    path,
                    f"model pin {name!r}: {b.get('provider')}/{b.get('model')} -> "
                    f"{h.get('provider')}/{h.get('model')}",
                    "high",
                    "model pin change: a different model snapshot behaves differently",
                    {k: b.get(k) for k in _PIN_IDENTITY},
                    {k: h.get(k) for k in _PIN_IDENTITY},
                )
            )
        details: tuple[tuple[str, Risk, str], ...] = (
            ("lifecycle", "low", "deprecation and retirement dates drive warnings"),
            ("pricing", "low", "cost reporting only"),
            ("context_window", "low", "limit metadata only"),
        )
        if b is not None and h is not None:
            out += _pin_params(name, b.get("params") or {}, h.get("params") or {})
            if b.get("fallback") != h.get("fallback"):
                before, after = b.get("fallback"), h.get("fallback")
                out.append(
                    Change(a, f"{path}.fallback",
                           f"model pin {name!r} fallback: {before or 'none'} -> {after or 'none'}",
                           "medium", "what is sent during a provider outage changes",
                           before, after)
                )  # fmt: skip
        for key, risk, reason in details:
            if b is not None and h is not None and b.get(key) != h.get(key):
                out.append(
                    Change(
                        a,
                        f"{path}.{key}",
                        f"model pin {name!r} {key} changed",
                        risk,
                        reason,
                        b.get(key),
                        h.get(key),
                    )
                )
    return out


def _pin_params(name: str, b: dict[str, Any], h: dict[str, Any]) -> list[Change]:
    out = []
    for key in sorted(b.keys() | h.keys()):
        if b.get(key) != h.get(key):
            sampling = key in SAMPLING_PARAMS
            out.append(
                Change(
                    "models.yaml",
                    f"models.{name}.params.{key}",
                    f"model pin {name!r} {key}: {b.get(key, 'unset')} -> {h.get(key, 'unset')}",
                    param_risk(key),
                    "sampling parameters: the same model, differently random"
                    if sampling
                    else "request parameters change what the model may return",
                    b.get(key),
                    h.get(key),
                )
            )
    return out


def _tools(base: dict[str, Any], head: dict[str, Any], config: DiffConfig) -> list[Change]:
    out: list[Change] = []
    a = "policies/tools.yaml"
    for name in sorted(head.keys() - base.keys()):
        out.append(
            Change(
                a,
                f"tools.{name}",
                f"tool {name!r} defined",
                "low",
                "no prompt may call it until one lists it",
                None,
                head[name],
            )
        )
    for name in sorted(base.keys() - head.keys()):
        out.append(
            Change(
                a,
                f"tools.{name}",
                f"tool {name!r} removed",
                "medium",
                "prompts listing it no longer validate",
                base[name],
                None,
            )
        )
    for name in sorted(base.keys() & head.keys()):
        if base[name] != head[name]:
            out += diff_tool(name, base[name], head[name], a, config)
    return out


def _rules(b: Rules, h: Rules) -> list[Change]:
    out: list[Change] = []
    a = "policies/rules.yaml"

    def add(path: str, summary: str, relaxed: bool, before: Any, after: Any) -> None:
        reason = (
            "rule relaxed: checks that guarded prompts are weaker"
            if relaxed
            else ("rule tightened")
        )
        out.append(Change(a, path, summary, "high" if relaxed else "low", reason, before, after))

    for flag in ("require_owner", "require_dated_model", "default_forbidden_patterns"):
        bv, hv = getattr(b, flag), getattr(h, flag)
        if bv != hv:
            add(f"rules.{flag}", f"{flag} turned {'on' if hv else 'off'}", bv and not hv, bv, hv)
    b_pat = {p.pattern: p for p in b.forbidden_patterns}
    h_pat = {p.pattern: p for p in h.forbidden_patterns}
    for pat in sorted(b_pat.keys() - h_pat.keys()):
        add("rules.forbidden_patterns", f"forbidden pattern {pat!r} removed", True, pat, None)
    for pat in sorted(h_pat.keys() - b_pat.keys()):
        add("rules.forbidden_patterns", f"forbidden pattern {pat!r} added", False, None, pat)
    bm, hm = b.max_template_chars, h.max_template_chars
    if bm != hm:
        relaxed = bm is not None and (hm is None or hm > bm)
        add("rules.max_template_chars", f"max_template_chars {bm} -> {hm}", relaxed, bm, hm)
    bc, hc = _dump(b.eval_coverage), _dump(h.eval_coverage)
    if bc != hc:
        relaxed = bc is not None and (
            hc is None
            or hc["min_cases"] < bc["min_cases"]
            or bool(set(bc["tags"]) - set(hc["tags"]))
        )
        add("rules.eval_coverage", "eval_coverage changed", relaxed, bc, hc)
    if not out and _dump(b) != _dump(h):
        out.append(
            Change(
                a,
                "rules",
                "rules changed",
                "medium",
                "unrecognised rule change",
                _dump(b),
                _dump(h),
            )
        )
    return out


def _signers(b: Any, h: Any, config: DiffConfig) -> list[Change]:
    a = "policies/signers.yaml"
    if b == h:
        return []
    if b is None or h is None:
        what = "added" if b is None else "removed"
        return [Change(a, "signers", f"signers.yaml {what}", "high", _SIGNER, b, h)]
    out: list[Change] = []
    b_roles, h_roles = b.get("roles") or {}, h.get("roles") or {}
    for role in sorted(b_roles.keys() | h_roles.keys()):
        br, hr = b_roles.get(role), h_roles.get(role)
        if br != hr:
            detail = "; ".join(structured_changes(br, hr, config.max_structured_items))
            out.append(
                Change(
                    a, f"roles.{role}", f"role {role!r} changed: {detail}", "high", _SIGNER, br, hr
                )
            )
    if b.get("threshold") != h.get("threshold"):
        out.append(
            Change(
                a,
                "threshold",
                f"threshold {b.get('threshold')} -> {h.get('threshold')}",
                "high",
                _SIGNER,
                b.get("threshold"),
                h.get("threshold"),
            )
        )
    b_keys = {s["keyid"]: s for s in b["signers"]}
    h_keys = {s["keyid"]: s for s in h["signers"]}
    for kid in sorted(b_keys.keys() | h_keys.keys()):
        bs, hs = b_keys.get(kid), h_keys.get(kid)
        if bs == hs:
            continue
        name = (hs or bs or {}).get("name", "?")
        what = "added" if bs is None else "removed" if hs is None else "changed"
        detail = (
            ""
            if what != "changed"
            else ": " + "; ".join(structured_changes(bs, hs, config.max_structured_items))
        )
        out.append(
            Change(
                a, f"signers.{kid[:12]}", f"signer {name!r} {what}{detail}", "high", _SIGNER, bs, hs
            )
        )
    return out


def _texts(base: Repository, head: Repository, kind: str, config: DiffConfig) -> list[Change]:
    b: Mapping[str, Any] = getattr(base, kind)
    h: Mapping[str, Any] = getattr(head, kind)
    field = "text" if kind == "instructions" else "template"
    out: list[Change] = []
    for doc_id in sorted(b.keys() | h.keys()):
        if _same(base, head, doc_id):
            continue
        bd, hd = b.get(doc_id), h.get(doc_id)
        bt = None if bd is None else getattr(bd, field)
        ht = None if hd is None else getattr(hd, field)
        if bt == ht:
            continue
        what = "added" if bd is None else "removed" if hd is None else "changed"
        risk: Risk
        if kind == "instructions":
            risk, reason = ("medium", "instruction change: system instructions steer every answer")
        else:
            risk, reason = ("medium", "partial change: included template text differs")
        if what == "added":
            risk, reason = "low", "not used until a prompt references it"
        diff = unified(bt or "", ht or "", doc_id, config.max_diff_lines)
        out.append(Change(kind, doc_id, f"{kind[:-1]} {doc_id} {what}", risk, reason, diff=diff))
    return out


def _evals(base: Repository, head: Repository) -> list[Change]:
    out: list[Change] = []
    for path in sorted(base.evals.keys() | head.evals.keys()):
        if _same(base, head, path):
            continue
        b, h = _dump(base.evals.get(path)), _dump(head.evals.get(path))
        if b != h:
            what = "added" if b is None else "removed" if h is None else "changed"
            out.append(
                Change(
                    "evals",
                    path,
                    f"eval set {path} {what}",
                    "low",
                    "tests only: does not ship",
                    None,
                    None,
                )
            )
    return out
