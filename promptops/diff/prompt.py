"""Structural diff of one compiled prompt (ADR 0002 object) between base and head.

Only what the prompt's own file changed is reported here. A change that reaches the
prompt through a shared file (an instruction's text, a partial, a model pin, a tool's
definition) is reported once, with that file, listing the prompts it affects (ADR 0014).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from promptops.diff.config import DiffConfig
from promptops.diff.contract import (
    input_schema_changes,
    output_schema_changes,
    tool_changes,
)
from promptops.diff.textdiff import unified
from promptops.diff.types import Change, PromptDiff, Risk, Status
from promptops.diff.variants import variant_changes

__all__ = ["diff_prompt"]

Compiled = Mapping[str, Any]

_PIN_IDENTITY = ("provider", "model", "base_url")
_PIN_DETAILS = ("pricing", "context_window", "lifecycle")
# Sampling knobs: the same model, differently random. What they do to answers is what the
# behaviour diff measures; the change itself is low risk.
SAMPLING_PARAMS = frozenset(
    {"temperature", "top_p", "top_k", "seed", "frequency_penalty", "presence_penalty"}
)


def param_risk(key: str) -> Risk:
    """Risk of changing one request param (prompt or model pin)."""
    return "low" if key in SAMPLING_PARAMS else "medium"


def grant_risk(tools: list[Mapping[str, Any]]) -> Risk:
    """Risk of letting a prompt call ``tools``: as risky as the riskiest, never below
    medium (the model may now act, not only answer)."""
    return "high" if any(t.get("risk") == "high" for t in tools) else "medium"


def diff_prompt(
    prompt_id: str,
    base: Compiled | None,
    head: Compiled | None,
    config: DiffConfig,
    base_digest: str | None = None,
    head_digest: str | None = None,
    own_params: tuple[Mapping[str, Any], Mapping[str, Any]] | None = None,
) -> PromptDiff:
    """Compare two compiled prompts; ``None`` on one side means added or removed.

    ``own_params`` are the ``params:`` of the prompt's own file on each side: a param
    that differs only through the model pin is the pin's change, not the prompt's. Without
    them every param change counts as the prompt's.

    Raises:
        ValueError: if both sides are None.
    """
    if base is None and head is None:
        raise ValueError(f"prompt {prompt_id!r} is missing on both sides")
    if base is None:
        assert head is not None
        return PromptDiff(prompt_id, "added", None, head_digest, _added(head))
    if head is None:
        change = Change(
            "prompt",
            prompt_id,
            f"prompt {prompt_id!r} removed",
            "medium",
            "applications that still render this prompt will fail at run time",
        )
        return PromptDiff(prompt_id, "removed", base_digest, None, (change,))
    every = [
        *_metadata(base, head),
        *_model(base, head),
        *_params(base, head, config),
        *_instructions(base, head, config),
        *_messages(base, head, config),
        *_partials(base, head, config),
        *tool_changes(base, head, config),
        *input_schema_changes(base, head, config),
        *output_schema_changes(base, head, config),
        *variant_changes(base, head, _by_field(config)),
    ]
    changes = [c for c in every if not _shared(c, base, head, own_params)]
    status: Status = "changed" if changes or base_digest != head_digest else "unchanged"
    return PromptDiff(prompt_id, status, base_digest, head_digest, tuple(changes))


def _by_field(config: DiffConfig) -> dict[str, Callable[[Compiled, Compiled], list[Change]]]:
    """How each field a variant may override is compared (``diff/variants.py``)."""
    return {
        "model": _model,
        "params": lambda b, h: _params(b, h, config),
        "messages": lambda b, h: _messages(b, h, config),
        "partials": lambda b, h: _partials(b, h, config),
    }


def _shared(
    c: Change,
    base: Compiled,
    head: Compiled,
    own_params: tuple[Mapping[str, Any], Mapping[str, Any]] | None,
) -> bool:
    """Whether ``c`` reaches the prompt through a shared file rather than its own."""
    if c.area == "model":
        # Same pin name on both sides: what changed is the pin, in models.yaml.
        return bool(base.get("model", {}).get("name") == head.get("model", {}).get("name"))
    if c.area == "params" and own_params is not None:
        key = c.path[len("params.") :]
        return own_params[0].get(key) == own_params[1].get(key)
    if c.area == "instructions":
        return c.path == "system.text"  # the same instructions, their text changed
    if c.area == "partials":
        pid = c.path[len("partials.") :]
        in_both = pid in (base.get("partials") or {}) and pid in (head.get("partials") or {})
        return in_both or base.get("messages") == head.get("messages")
    if c.area == "tools":
        # Granting or withdrawing a tool has a side without it; a tool listed on both
        # sides whose definition changed has both: that change is tools.yaml's.
        return c.before is not None and c.after is not None
    return False


def _added(head: Compiled) -> tuple[Change, ...]:
    tools = list(head.get("tools", []))
    names = [t.get("name", "?") for t in tools]
    granted = f"; it may call {', '.join(names)}" if names else ""
    return (
        Change(
            "prompt",
            str(head.get("id", "")),
            "new prompt" + granted,
            grant_risk(tools) if tools else "medium",
            "new prompt granted tool permissions" if tools else "new prompt: review it whole",
        ),
    )


def _metadata(base: Compiled, head: Compiled) -> list[Change]:
    out = []
    for key in ("description", "owner", "tags", "path"):
        if base.get(key) != head.get(key):
            out.append(
                Change(
                    "metadata",
                    key,
                    f"{key} changed",
                    "low",
                    "metadata only: does not reach the model",
                    base.get(key),
                    head.get(key),
                )
            )
    return out


def _pin_text(pin: Mapping[str, Any]) -> str:
    url = f" @ {pin['base_url']}" if pin.get("base_url") else ""
    return f"{pin.get('name')} ({pin.get('provider')}/{pin.get('model')}{url})"


def _model(base: Compiled, head: Compiled) -> list[Change]:
    b: Mapping[str, Any] = base.get("model") or {}
    h: Mapping[str, Any] = head.get("model") or {}
    if b == h:
        return []
    if any(b.get(k) != h.get(k) for k in _PIN_IDENTITY):
        return [
            Change(
                "model",
                "model",
                f"model {_pin_text(b)} -> {_pin_text(h)}",
                "high",
                "model pin change: a different model snapshot behaves differently",
                dict(b),
                dict(h),
            )
        ]
    out = []
    if b.get("name") != h.get("name"):
        out.append(
            Change(
                "model",
                "model.name",
                f"model pin renamed {b.get('name')} -> {h.get('name')}",
                "low",
                "resolves to the same provider and model",
                b.get("name"),
                h.get("name"),
            )
        )
    for key in _PIN_DETAILS:
        if b.get(key) != h.get(key):
            out.append(
                Change(
                    "model",
                    f"model.{key}",
                    f"model {key} changed",
                    "low",
                    "pin metadata: cost reporting and lifecycle warnings only",
                    b.get(key),
                    h.get(key),
                )
            )
    return out


def _params(base: Compiled, head: Compiled, config: DiffConfig) -> list[Change]:
    b, h = base.get("params") or {}, head.get("params") or {}
    out = []
    for key in sorted(b.keys() | h.keys()):
        if b.get(key) != h.get(key):
            out.append(
                Change(
                    "params",
                    f"params.{key}",
                    f"{key}: {b.get(key, 'unset')} -> {h.get(key, 'unset')}",
                    param_risk(key),
                    "sampling parameters: the same model, differently random"
                    if key in SAMPLING_PARAMS
                    else "request parameters change what the model may return",
                    b.get(key),
                    h.get(key),
                )
            )
    return out


def _split(prompt: Compiled) -> tuple[str | None, list[Mapping[str, Any]]]:
    """The inlined instruction text (ADR 0002: one leading system message) and the rest."""
    messages: list[Mapping[str, Any]] = list(prompt.get("messages", []))
    if prompt.get("system") and messages and messages[0].get("role") == "system":
        return str(messages[0].get("template", "")), messages[1:]
    return None, messages


def _instructions(base: Compiled, head: Compiled, config: DiffConfig) -> list[Change]:
    out = []
    b_ids, h_ids = list(base.get("system", [])), list(head.get("system", []))
    if b_ids != h_ids:
        out.append(
            Change(
                "instructions",
                "system",
                f"instructions {b_ids} -> {h_ids}",
                "medium",
                "instruction change: system instructions steer every answer",
                b_ids,
                h_ids,
            )
        )
    b_text, _ = _split(base)
    h_text, _ = _split(head)
    if b_text != h_text and b_ids == h_ids:
        out.append(
            Change(
                "instructions",
                "system.text",
                "instruction text changed",
                "medium",
                "instruction change: system instructions steer every answer",
                diff=unified(b_text or "", h_text or "", "system", config.max_diff_lines),
            )
        )
    return out


def _message_text(message: Mapping[str, Any] | None) -> str:
    """What a reviewer reads of a compiled message: its template, a history placeholder,
    or its parts (text templates, and which input an image or file comes from)."""
    if message is None:
        return ""
    if "history" in message:
        return f"{{history: {message['history']}}}"
    if "parts" in message:
        return "\n".join(
            str(p.get("template", ""))
            if p.get("type") == "text"
            else f"{{{p['type']}: {p['input']}}}"
            for p in message["parts"]
        )
    return str(message.get("template", ""))


def _messages(base: Compiled, head: Compiled, config: DiffConfig) -> list[Change]:
    _, b_msgs = _split(base)
    _, h_msgs = _split(head)
    out = []
    for i in range(max(len(b_msgs), len(h_msgs))):
        b = b_msgs[i] if i < len(b_msgs) else None
        h = h_msgs[i] if i < len(h_msgs) else None
        label = f"messages[{i}]"
        b_text, h_text = _message_text(b), _message_text(h)
        b_role = None if b is None else b.get("role", "history")
        h_role = None if h is None else h.get("role", "history")
        if b_text == h_text and b_role == h_role:
            continue
        what = "added" if b is None else "removed" if h is None else "changed"
        roles = f" role {b_role} -> {h_role}" if b_role != h_role and b and h else ""
        out.append(
            Change(
                "template",
                label,
                f"{label} ({h_role or b_role}) {what}{roles}",
                "medium",
                "template text change",
                diff=unified(b_text, h_text, label, config.max_diff_lines),
            )
        )
    return out


def _partials(base: Compiled, head: Compiled, config: DiffConfig) -> list[Change]:
    b: Mapping[str, str] = base.get("partials") or {}
    h: Mapping[str, str] = head.get("partials") or {}
    out = []
    for pid in sorted(b.keys() | h.keys()):
        if b.get(pid) == h.get(pid):
            continue
        what = "added" if pid not in b else "removed" if pid not in h else "changed"
        out.append(
            Change(
                "partials",
                f"partials.{pid}",
                f"partial {pid} {what}",
                "medium",
                "partial change: included template text differs",
                diff=unified(b.get(pid, ""), h.get(pid, ""), pid, config.max_diff_lines),
            )
        )
    return out
