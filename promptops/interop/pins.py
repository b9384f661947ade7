"""Map the raw model ids of imported sources to named pins in ``models.yaml``.

A source names a model directly (``openai/gpt-4o-mini``, ``claude-3-5-sonnet-20241022``);
promptops prompts name a pin. In order: ``--pin-map`` says which existing pin a raw id
uses; an existing pin with the same provider, model and endpoint is reused; otherwise a
new pin is added, named after the model. A source without a model gets the ``*`` entry of
the pin map, or the offline ``echo`` pin named ``default`` with a warning to point it at a
real model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptops.errors import UsageError
from promptops.interop.types import ModelRef, Where, diag
from promptops.repo.pins import is_dated
from promptops.repo.types import Diagnostic, Level

__all__ = ["DEFAULT_PIN", "PinTable", "read_pin_map"]

DEFAULT_PIN = "default"
_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def read_pin_map(path: Path) -> dict[str, str]:
    """``raw model id -> pin`` from a YAML or ``ID=PIN`` lines file (``*`` for sources
    that name no model).

    Raises:
        UsageError: unreadable file or a malformed entry.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read --pin-map {path}: {exc}") from None
    out: dict[str, str] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" in line:
            key, _, value = line.partition("=")
        elif ":" in line:
            # YAML style 'MODEL-ID: PIN'; model ids may hold ':' themselves (openai:gpt-4o).
            key, _, value = line.rpartition(":")
        else:
            raise UsageError(
                f"{path}:{n}: expected 'MODEL-ID=PIN' (or 'MODEL-ID: PIN'), found {line!r}"
            )
        key, value = key.strip().strip("'\""), value.strip().strip("'\"")
        if not key or not value:
            raise UsageError(f"{path}:{n}: expected 'MODEL-ID=PIN', found {line!r}")
        out[key] = value
    return out


@dataclass
class PinTable:
    """The target's pins plus those the import adds; decides each draft's pin."""

    existing: Mapping[str, Mapping[str, Any]]
    pin_map: Mapping[str, str]
    require_dated: bool
    added: dict[str, dict[str, Any]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _by_ref: dict[tuple[str, str, str | None], str] = field(default_factory=dict)

    def all_pins(self) -> dict[str, Mapping[str, Any]]:
        return {**self.existing, **self.added}

    def params_of(self, pin: str) -> Mapping[str, Any]:
        found = self.all_pins().get(pin, {})
        params = found.get("params") if isinstance(found, Mapping) else None
        return params if isinstance(params, Mapping) else {}

    def pin_for(self, ref: ModelRef | None, where: Where) -> str:
        """The pin a draft uses (added to ``added`` when new)."""
        if ref is None:
            mapped = self.pin_map.get("*")
            if mapped is not None:
                return self._mapped("*", mapped, where)
            if DEFAULT_PIN not in self.all_pins():
                self.added[DEFAULT_PIN] = {"provider": "echo", "model": "echo"}
            self.diagnostics.append(
                diag(
                    where,
                    "warning",
                    "no-model",
                    f"the source names no model: the prompt uses pin "
                    f"'{DEFAULT_PIN}' (the offline echo provider); point "
                    "it at a real model in models.yaml, or map sources "
                    "without a model with --pin-map '*=PIN'",
                )
            )
            return DEFAULT_PIN
        for key in (ref.raw, ref.model):
            if key in self.pin_map:
                return self._mapped(key, self.pin_map[key], where)
        ident = (ref.provider, ref.model, ref.base_url)
        if ident in self._by_ref:
            return self._by_ref[ident]
        for name in sorted(self.all_pins()):
            pin = self.all_pins()[name]
            if (pin.get("provider"), pin.get("model"), pin.get("base_url")) == ident:
                self._by_ref[ident] = name
                return name
        name = self._new_name(ref)
        entry: dict[str, Any] = {"provider": ref.provider, "model": ref.model}
        if ref.base_url:
            entry["base_url"] = ref.base_url
        self.added[name] = entry
        self._by_ref[ident] = name
        if not is_dated(ref.model):
            level: Level = "error" if self.require_dated else "warning"
            fix = (
                "this repository requires dated pins (rules.require_dated_model): map it to "
                f"a dated pin with --pin-map '{ref.raw}=PIN'"
                if self.require_dated
                else f"pin a dated snapshot in models.yaml (pin '{name}') once you have "
                "checked which snapshot the alias serves today"
            )
            self.diagnostics.append(
                diag(
                    ref.where,
                    level,
                    "floating-model",
                    f"model '{ref.raw}' is a floating alias; {fix}",
                )
            )
        return name

    def _mapped(self, key: str, pin: str, where: Where) -> str:
        if pin not in self.existing:
            self.diagnostics.append(
                diag(
                    where,
                    "error",
                    "pin-map",
                    f"--pin-map maps '{key}' to '{pin}', which models.yaml does not define",
                )
            )
        return pin

    def _new_name(self, ref: ModelRef) -> str:
        base = _NAME.sub("-", ref.model.rsplit("/", 1)[-1]).strip("-.") or "model"
        if not base[0].isalnum():
            base = f"m{base}"
        taken = self.all_pins()
        candidates = [base, f"{base}-{ref.provider}"]
        for candidate in candidates:
            if candidate not in taken:
                return candidate
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"
