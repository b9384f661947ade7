"""Objects shared by many prompts of one build: model pins, tools, instructions, partials.

Each is compiled once per build however many prompts use it; the loader builds documents
lazily, so a prompt-by-prompt lookup through ``Repository`` mappings would cost more than
the compile itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from promptops.compile._json import NotJsonError, plain
from promptops.compile.engine import strip_template
from promptops.repo.types import Repository
from promptops.spec import Experiment, ModelPin, Tool

__all__ = ["Resolver", "compile_model", "compile_tool"]


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def compile_model(name: str, pin: ModelPin) -> dict[str, Any]:
    """The bundle's ``model`` object for pin ``name`` (extra keys are not carried)."""
    pricing = pin.pricing
    lifecycle = pin.lifecycle
    return {
        "name": name,
        "provider": pin.provider,
        "model": pin.model,
        "base_url": pin.base_url,
        "context_window": pin.context_window,
        "pricing": None
        if pricing is None
        else {
            "input_per_mtok": pricing.input_per_mtok,
            "output_per_mtok": pricing.output_per_mtok,
        },
        "lifecycle": None
        if lifecycle is None
        else {
            "deprecated": None
            if lifecycle.deprecated is None
            else lifecycle.deprecated.isoformat(),
            "retires": None if lifecycle.retires is None else lifecycle.retires.isoformat(),
            "replacement": lifecycle.replacement,
        },
    }


def compile_tool(name: str, tool: Tool) -> dict[str, Any]:
    """The bundle's tool object: ``requires_approval`` unset means "high risk needs approval"."""
    approval = tool.requires_approval
    return {
        "name": name,
        "description": tool.description,
        "risk": tool.risk,
        "requires_approval": tool.risk == "high" if approval is None else approval,
        "parameters": plain(tool.parameters, f"tools.{name}.parameters"),
    }


class Resolver:
    """Compiled shared objects of ``repo``, each built on first use."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self._models: dict[str, dict[str, Any] | None] = {}
        self._tools: dict[str, dict[str, Any] | NotJsonError | None] = {}
        self._instructions: dict[str, str | None] = {}
        self._partials: dict[str, str | None] = {}
        self._experiments: dict[str, tuple[str, Experiment]] | None = None

    def prefetch(self) -> None:
        """Compile every shared object now (before worker processes fork: they then never
        read the repository). Tools that are not plain JSON are kept as their error."""
        repo = self.repo
        for name in repo.models.models:
            self.model(name)
        for name in repo.tools.tools:
            with contextlib.suppress(NotJsonError):
                self.tool(name)
        for iid in repo.instructions:
            self.instruction(iid)
        for pid in repo.partials:
            self.partial(pid)
        self.experiment("")

    def experiment(self, prompt_id: str) -> tuple[str, Experiment] | None:
        """The experiment (name, spec) on ``prompt_id``, if any (validate allows one; the
        first by name otherwise), from an index built once per build."""
        if self._experiments is None:
            index: dict[str, tuple[str, Experiment]] = {}
            for name in sorted(self.repo.experiments):
                experiment = self.repo.experiments[name]
                index.setdefault(experiment.prompt, (name, experiment))
            self._experiments = index
        return self._experiments.get(prompt_id)

    def model(self, name: str) -> dict[str, Any] | None:
        """The compiled pin ``name``, or None if models.yaml has no such pin."""
        if name not in self._models:
            pin = self.repo.models.models.get(name)
            self._models[name] = None if pin is None else compile_model(name, pin)
        return self._models[name]

    def tool(self, name: str) -> dict[str, Any] | None:
        """The compiled tool ``name``, or None if tools.yaml has no such tool.

        Raises:
            NotJsonError: if its parameters are not plain JSON.
        """
        if name not in self._tools:
            tool = self.repo.tools.tools.get(name)
            try:
                self._tools[name] = None if tool is None else compile_tool(name, tool)
            except NotJsonError as exc:
                self._tools[name] = exc
        found = self._tools[name]
        if isinstance(found, NotJsonError):
            raise found
        return found

    def instruction(self, iid: str) -> str | None:
        """The text of instruction ``iid`` without its trailing newline, or None."""
        if iid not in self._instructions:
            doc = self.repo.instructions.get(iid)
            self._instructions[iid] = None if doc is None else strip_template(doc.text)
        return self._instructions[iid]

    def partial(self, pid: str) -> str | None:
        """The template of partial ``pid`` without its trailing newline, or None."""
        if pid not in self._partials:
            doc = self.repo.partials.get(pid)
            self._partials[pid] = None if doc is None else strip_template(doc.template)
        return self._partials[pid]
