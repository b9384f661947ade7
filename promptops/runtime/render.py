"""A compiled prompt, ready to render.

One :class:`Prompt` is built per prompt and release, lazily, from the bundle's compiled
object; everything that does not depend on the inputs (model, params, tools, provenance,
the message plan) is computed once there, so a render only binds inputs, formats strings
and allocates the message list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from promptops.errors import BundleError, RenderError
from promptops.runtime.plan import message_plan
from promptops.runtime.request import PromptStatic, Provenance, Request, new_request
from promptops.runtime.schema_fast import Check, Invalid, compile_check, is_supported
from promptops.runtime.tools import tool_specs

# Provenance and Request live in request.py; re-exported for existing importers.
__all__ = ["Prompt", "Provenance", "Request"]


RenderHook = Callable[[Request, Mapping[str, Any]], None]
"""Called after every render with the request and the bound inputs (``runtime/otel.py``)."""
Observe = Callable[[Mapping[str, Any], PromptStatic], RenderHook]
"""Builds a prompt's :data:`RenderHook` from its compiled object, once per prompt."""


class Prompt:
    """One prompt of one release, ready to render. Obtain it with ``Registry.prompt(id)``."""

    __slots__ = ("_checks", "_copy", "_defaults", "_extra_ok", "_hook", "_known", "_media",
                 "_names", "_plan", "_required_set", "_s", "_validate", "_whole")  # fmt: skip

    def __init__(
        self,
        obj: Mapping[str, Any],
        provenance: Provenance,
        *,
        validate: bool,
        observe: Observe | None = None,
    ) -> None:
        """Compile ``obj``, a compiled prompt object of ADR 0002; ``observe`` (tracing)
        builds the hook called after every render.

        Raises:
            BundleError: if the object lacks a field ADR 0002 requires.
            RenderError: if a template fails to compile.
        """
        pid = provenance.prompt_id
        try:
            model = obj["model"]
            raw = {
                "params": _params(obj["params"]),
                "tools": tool_specs(obj["tools"]),
                "output_schema": obj["output_schema"],
                "id": pid,
                "pricing": model.get("pricing"),
            }
            self._s = PromptStatic(
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
                fallbacks=_fallbacks(
                    obj.get("fallbacks") or (), raw, provenance, str(model["name"])
                ),
            )
            plan = message_plan(pid, obj["messages"], obj.get("partials", {}))
            self._plan = plan.render
            self._media = plan.media
            self._bind_schema(obj["input_schema"], plan.jinja)
        except (KeyError, TypeError, AttributeError) as exc:
            raise BundleError(f"bundle: prompt {pid!r} is malformed ({exc!r})") from exc
        self._validate = validate
        self._hook = None if observe is None else observe(obj, self._s)

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
        if self._media:
            self._prepare(values)
        try:
            messages = self._plan(values)
        except KeyError as exc:
            raise RenderError(f"prompt {self._s.prompt_id!r}: missing input {exc}") from None
        except Exception as exc:
            raise _template_error(self._s.prompt_id, exc) from exc
        request = new_request(messages, self._s)
        if self._hook is not None:
            self._hook(request, values)
        return request

    def _prepare(self, values: dict[str, Any]) -> None:
        """History and media inputs are checked and normalised whether or not inputs are
        validated: the request is built from their structure (``runtime/content.py``)."""
        for name, check in self._media:
            if name in values:
                try:
                    values[name] = check(values[name], name)
                except Invalid as exc:
                    raise RenderError(
                        f"prompt {self._s.prompt_id!r}: input {exc.where!r}: {exc.what}"
                    ) from None

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
                    from copy import deepcopy  # rare: a list or dict default

                    values[name] = deepcopy(values[name])
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


def _params(value: Any) -> dict[str, Any]:
    """A copy of the ``params`` object (``dict`` of a list of 2-character strings would
    make up params the signer never wrote).

    Raises:
        TypeError: if it is not an object (the caller's BundleError).
    """
    if not isinstance(value, Mapping):
        raise TypeError("'params' must be an object")
    return dict(value)


def _fallbacks(
    data: Any, raw: Mapping[str, Any], provenance: Provenance, pin: str
) -> tuple[PromptStatic, ...]:
    """The static half of each fallback request (ADR 0018): the prompt's, with the
    fallback's model and params.

    Raises:
        KeyError, TypeError: if a fallback is malformed (the caller's BundleError).
    """
    out = []
    for fallback in data:
        model, params = fallback["model"], _params(fallback["params"])
        own = {**raw, "params": params, "pricing": model.get("pricing")}
        out.append(
            PromptStatic(
                prompt_id=provenance.prompt_id,
                model=str(model["model"]),
                model_name=str(model["name"]),
                provider=str(model["provider"]),
                base_url=model.get("base_url"),
                params=MappingProxyType(params),
                tools=tuple(MappingProxyType(t) for t in raw["tools"]),
                output_schema=None
                if raw["output_schema"] is None
                else MappingProxyType(raw["output_schema"]),
                provenance=provenance._replace(fallback_of=pin),
                raw=own,
            )
        )
    return tuple(out)


def _unknown_input(pid: str, name: str, names: tuple[str, ...]) -> str:
    import difflib  # only on this error path

    hint = difflib.get_close_matches(name, names, n=1)
    maybe = f"; did you mean {hint[0]!r}?" if hint else ""
    return f"prompt {pid!r}: unknown input {name!r} (declared: {', '.join(names) or 'none'}){maybe}"


def _template_error(pid: str, exc: Exception) -> RenderError:
    return RenderError(f"prompt {pid!r}: template failed: {type(exc).__name__}: {exc}")
