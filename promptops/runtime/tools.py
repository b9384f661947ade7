"""Tool policy at run time: may this prompt's model call this tool with these arguments?"""

from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

from promptops.errors import BundleError
from promptops.runtime.schema_fast import Check, Invalid, compile_check

__all__ = ["ToolDecision", "ToolPolicy", "tool_specs"]

Verdict = Literal["allowed", "denied", "needs_approval"]


class ToolDecision(NamedTuple):
    """The answer for one tool call, with the reason to log or show."""

    verdict: Verdict
    reason: str
    prompt_id: str
    tool: str

    @property
    def allowed(self) -> bool:
        return self.verdict == "allowed"

    @property
    def denied(self) -> bool:
        return self.verdict == "denied"

    @property
    def needs_approval(self) -> bool:
        return self.verdict == "needs_approval"


def tool_specs(value: Any) -> list[dict[str, Any]]:
    """A compiled prompt's ``tools``, each copied, once known to be a list of objects
    (``dict`` of a string would make up a tool from its characters, or fail with a
    ValueError).

    Raises:
        TypeError: if it is not a list of objects (the caller's BundleError).
    """
    if not isinstance(value, list) or not all(isinstance(t, Mapping) for t in value):
        raise TypeError("'tools' must be a list of objects")
    return [dict(t) for t in value]


class ToolPolicy:
    """The tools one prompt of one release may call; argument schemas compile lazily."""

    def __init__(self, prompt_id: str, tools: Sequence[Mapping[str, Any]]) -> None:
        """
        Raises:
            BundleError: if ``tools`` is not a list of objects each with a name.
        """
        self.prompt_id = prompt_id
        try:
            self._tools = {str(t["name"]): t for t in tool_specs(tools)}
        except (KeyError, TypeError) as exc:
            what = f"bundle: prompt {prompt_id!r} has malformed tools ({exc!r})"
            raise BundleError(what) from exc
        self._checks: dict[str, Check] = {}

    def check(self, tool: str, args: Any) -> ToolDecision:
        """Decide: unknown tool or bad arguments are denied; a tool that requires approval
        (explicitly, or by being high risk when unset) needs approval; else allowed."""
        pid = self.prompt_id
        spec = self._tools.get(tool)
        if spec is None:
            allowed = ", ".join(sorted(self._tools)) or "none"
            return ToolDecision(
                "denied", f"tool {tool!r} is not allowed for prompt {pid!r} (allowed: {allowed})",
                pid, tool,
            )  # fmt: skip
        check = self._checks.get(tool)
        if check is None:
            check = self._checks[tool] = compile_check(spec.get("parameters") or {})
        if not isinstance(args, dict):
            return ToolDecision(
                "denied", f"tool {tool!r}: arguments must be an object, found "
                f"{type(args).__name__}", pid, tool,
            )  # fmt: skip
        try:
            check(args, "")
        except Invalid as exc:
            where = exc.where.lstrip(".")
            at = f" argument {where!r}" if where else ""
            return ToolDecision("denied", f"tool {tool!r}{at}: {exc.what}", pid, tool)
        approval = spec.get("requires_approval")
        if approval is None:
            approval = spec.get("risk") == "high"
        if approval:
            risk = spec.get("risk", "unknown")
            return ToolDecision(
                "needs_approval",
                f"tool {tool!r} ({risk} risk) requires a human approval before it runs",
                pid, tool,
            )  # fmt: skip
        return ToolDecision("allowed", f"tool {tool!r} is allowed for prompt {pid!r}", pid, tool)
