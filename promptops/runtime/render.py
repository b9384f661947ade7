"""A compiled prompt and the request it renders to.

One :class:`Prompt` is built per prompt and release, lazily, from the bundle's compiled
object; everything that does not depend on the inputs (model, params, tools, provenance,
the message plan) is computed once there, so a render only binds inputs, formats strings
and allocates the message list.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from promptops.errors import BundleError, RenderError
from promptops.runtime import adapters
from promptops.runtime.engines import compile_message, make_jinja_env
from promptops.runtime.schema_fast import Check, Invalid, compile_check, is_supported

__all__ = ["Prompt", "Provenance", "Request"]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a request came from: enough to find the exact bytes again."""

    prompt_id: str
    prompt_digest: str
    release: str | None
    serial: int | None
    bundle_sha256: str
    commit: str | None
    from_cache: bool = False
    stale: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (for logs and traces)."""
        return {
            "prompt_id": self.prompt_id,
            "prompt_digest": self.prompt_digest,
            "release": self.release,
            "serial": self.serial,
            "bundle_sha256": self.bundle_sha256,
            "commit": self.commit,
            "from_cache": self.from_cache,
            "stale": self.stale,
        }


@dataclass(frozen=True, slots=True)
class _Static:
    """The input-independent half of every request of one prompt."""

    prompt_id: str
    model: str
    model_name: str
    provider: str
    base_url: str | None
    params: Mapping[str, Any]
    tools: tuple[Mapping[str, Any], ...]
    output_schema: Mapping[str, Any] | None
    provenance: Provenance
    raw: Mapping[str, Any]  # the compiled prompt object, for adapters (plain dicts inside)


class Request:
    """A rendered prompt: messages plus everything needed to call the model. Immutable."""

    __slots__ = ("_s", "messages")
    messages: list[dict[str, str]]
    _s: _Static

    def __init__(self, messages: list[dict[str, str]], static: _Static) -> None:
        _set(self, "messages", messages)
        _set(self, "_s", static)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Request is immutable; cannot set {name!r}")

    def __repr__(self) -> str:
        s = self._s
        return f"Request(prompt={s.prompt_id!r}, model={s.model!r}, messages={self.messages!r})"

    @property
    def prompt_id(self) -> str:
        return self._s.prompt_id

    @property
    def model(self) -> str:
        """The provider's model id, e.g. ``gpt-4o-2024-08-06``."""
        return self._s.model

    @property
    def model_name(self) -> str:
        """The pin's name in ``models.yaml``."""
        return self._s.model_name

    @property
    def provider(self) -> str:
        return self._s.provider

    @property
    def base_url(self) -> str | None:
        return self._s.base_url

    @property
    def params(self) -> Mapping[str, Any]:
        return self._s.params

    @property
    def tools(self) -> tuple[Mapping[str, Any], ...]:
        return self._s.tools

    @property
    def output_schema(self) -> Mapping[str, Any] | None:
        return self._s.output_schema

    @property
    def provenance(self) -> Provenance:
        return self._s.provenance

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-ready data."""
        raw = self._s.raw
        return {
            "prompt_id": self.prompt_id,
            "provider": self.provider,
            "model": self.model,
            "messages": [dict(m) for m in self.messages],
            "params": dict(raw["params"]),
            "tools": [dict(t) for t in raw["tools"]],
            "output_schema": raw["output_schema"],
            "provenance": self.provenance.to_dict(),
        }

    def to_openai_chat(self) -> dict[str, Any]:
        """Keyword arguments for ``openai.OpenAI().chat.completions.create(**kw)``."""
        return adapters.openai_chat(self.messages, self._s.model, self._s.raw)

    def to_openai_responses(self) -> dict[str, Any]:
        """Keyword arguments for ``openai.OpenAI().responses.create(**kw)``."""
        return adapters.openai_responses(self.messages, self._s.model, self._s.raw)

    def to_anthropic(self) -> dict[str, Any]:
        """Keyword arguments for ``anthropic.Anthropic().messages.create(**kw)``."""
        return adapters.anthropic_messages(self.messages, self._s.model, self._s.raw)


_set = object.__setattr__
# A render builds its Request without running __init__: the slot setters directly, which
# halves the cost of the one allocation every render makes.
_new_request = object.__new__
_set_messages = Request.__dict__["messages"].__set__
_set_static = Request.__dict__["_s"].__set__
_Plan = tuple[tuple[str, Callable[[Mapping[str, Any]], str]], ...]


class Prompt:
    """One prompt of one release, ready to render. Obtain it with ``Registry.prompt(id)``."""

    __slots__ = ("_checks", "_copy", "_defaults", "_extra_ok", "_known", "_names", "_plan",
                 "_required_set", "_s", "_validate", "_whole")  # fmt: skip

    def __init__(self, obj: Mapping[str, Any], provenance: Provenance, *, validate: bool) -> None:
        """Compile ``obj``, a compiled prompt object of ADR 0002.

        Raises:
            BundleError: if the object lacks a field ADR 0002 requires.
            RenderError: if a template fails to compile.
        """
        pid = provenance.prompt_id
        try:
            model = obj["model"]
            raw = {
                "params": dict(obj["params"]),
                "tools": [dict(t) for t in obj["tools"]],
                "output_schema": obj["output_schema"],
                "id": pid,
            }
            self._s = _Static(
                prompt_id=pid,
                model=str(model["model"]),
                model_name=str(model["name"]),
                provider=str(model["provider"]),
                base_url=model.get("base_url"),
                params=MappingProxyType(raw["params"]),
                tools=tuple(MappingProxyType(t) for t in raw["tools"]),
                output_schema=None
                if obj["output_schema"] is None
                else MappingProxyType(obj["output_schema"]),
                provenance=provenance,
                raw=raw,
            )
            plan, jinja = _plan(pid, obj["messages"], obj.get("partials", {}))
            self._plan = _fill_all(plan)
            self._bind_schema(obj["input_schema"], jinja)
        except (KeyError, TypeError, AttributeError) as exc:
            raise BundleError(f"bundle: prompt {pid!r} is malformed ({exc!r})") from exc
        self._validate = validate

    def _bind_schema(self, schema: Mapping[str, Any], jinja: bool) -> None:
        props: Mapping[str, Any] = schema.get("properties", {})
        self._names = tuple(sorted(props))
        self._required_set = frozenset(schema.get("required", ()))
        self._known = frozenset(props)
        self._extra_ok = schema.get("additionalProperties", True) is not False
        self._defaults = {k: s["default"] for k, s in props.items() if "default" in s}
        # A Jinja template could mutate a shared list default; give it its own copy.
        self._copy = tuple(
            k for k, v in self._defaults.items() if jinja and isinstance(v, list | dict)
        )
        if is_supported(dict(schema)):
            self._checks: tuple[tuple[str, Check], ...] = tuple(
                (k, compile_check(s)) for k, s in props.items()
            )
            self._whole: Check | None = None
        else:
            self._checks = ()
            self._whole = compile_check(dict(schema))

    @property
    def id(self) -> str:
        return self._s.prompt_id

    @property
    def provenance(self) -> Provenance:
        return self._s.provenance

    @property
    def inputs(self) -> tuple[str, ...]:
        """Declared input names, sorted."""
        return self._names

    def render(self, /, **inputs: Any) -> Request:
        """Validate ``inputs`` (defaults applied) and render every message.

        Raises:
            RenderError: naming the input that does not match the prompt's input schema,
                or the message whose template failed.
        """
        if self._validate:
            values = self._bind(inputs)
        elif self._defaults:
            values = {**self._defaults, **inputs}
        else:
            values = inputs  # a fresh dict of this call's keyword arguments
        try:
            messages = self._plan(values)
        except KeyError as exc:
            raise RenderError(f"prompt {self._s.prompt_id!r}: missing input {exc}") from None
        except Exception as exc:
            raise _template_error(self._s.prompt_id, exc) from exc
        request = _new_request(Request)
        _set_messages(request, messages)
        _set_static(request, self._s)
        return request

    def _bind(self, inputs: dict[str, Any]) -> dict[str, Any]:
        # Set operations first: one C call each on the happy path.
        if not self._required_set <= inputs.keys():
            missing = sorted(self._required_set - inputs.keys())[0]
            raise RenderError(f"prompt {self._s.prompt_id!r}: missing required input {missing!r}")
        if not self._extra_ok and not self._known >= inputs.keys():
            unknown = sorted(inputs.keys() - self._known)[0]
            raise RenderError(_unknown_input(self._s.prompt_id, unknown, self._names))
        if self._defaults:
            values = {**self._defaults, **inputs}
            for name in self._copy:
                if name not in inputs:
                    values[name] = copy.deepcopy(values[name])
        else:
            values = inputs  # a fresh dict of this call's keyword arguments
        try:
            for name, check in self._checks:
                if name in values:
                    check(values[name], name)
            if self._whole is not None:
                self._whole(values, "")
        except Invalid as exc:
            where = exc.where.lstrip(".")
            raise RenderError(
                f"prompt {self._s.prompt_id!r}: input {where!r}: {exc.what}"
            ) from None
        return values


def _unknown_input(pid: str, name: str, names: tuple[str, ...]) -> str:
    import difflib  # only on this error path

    hint = difflib.get_close_matches(name, names, n=1)
    maybe = f"; did you mean {hint[0]!r}?" if hint else ""
    return f"prompt {pid!r}: unknown input {name!r} (declared: {', '.join(names) or 'none'}){maybe}"


def _template_error(pid: str, exc: Exception) -> RenderError:
    return RenderError(f"prompt {pid!r}: template failed: {type(exc).__name__}: {exc}")


def _plan(
    pid: str, messages: list[Mapping[str, Any]], partials: Mapping[str, str]
) -> tuple[_Plan, bool]:
    """The message plan, and whether any message needs Jinja."""
    env: list[Any] = []

    def jinja_env() -> Any:
        if not env:
            env.append(make_jinja_env(partials))
        return env[0]

    plan: list[tuple[str, Callable[[Mapping[str, Any]], str]]] = []
    for i, m in enumerate(messages):
        template = str(m["template"])
        kind, renderer, fmt = compile_message(
            template, str(m["engine"]), where=f"prompt {pid!r} message {i}", jinja_env=jinja_env
        )
        if kind == "text":
            plan.append((str(m["role"]), _constant(template)))
        elif kind == "format":
            assert fmt is not None
            plan.append((str(m["role"]), fmt.format_map))
        else:
            assert renderer is not None
            plan.append((str(m["role"]), renderer))
    return tuple(plan), bool(env)


def _fill_all(plan: _Plan) -> Callable[[Mapping[str, Any]], list[dict[str, str]]]:
    """One function rendering every message. Chat prompts have one to three messages;
    for those the list is spelled out, which saves the comprehension's frame (a quarter
    of a warm render)."""
    if len(plan) == 1:
        ((r0, f0),) = plan
        return lambda v: [{"role": r0, "content": f0(v)}]
    if len(plan) == 2:
        (r0, f0), (r1, f1) = plan
        return lambda v: [{"role": r0, "content": f0(v)}, {"role": r1, "content": f1(v)}]
    if len(plan) == 3:
        (r0, f0), (r1, f1), (r2, f2) = plan
        return lambda v: [
            {"role": r0, "content": f0(v)},
            {"role": r1, "content": f1(v)},
            {"role": r2, "content": f2(v)},
        ]
    return lambda v: [{"role": role, "content": fill(v)} for role, fill in plan]


def _constant(text: str) -> Callable[[Mapping[str, Any]], str]:
    def constant(values: Mapping[str, Any]) -> str:
        return text

    return constant
