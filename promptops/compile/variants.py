"""A prompt's variants and its experiment, compiled into its bundle entry (ADR 0018).

``variants``: name -> the compiled fields the variant replaces (``messages`` with the
prompt's system instructions and their ``partials``; ``model``; ``params``; ``fallbacks``
for its pin and params), so the runtime
builds a variant as ``{**prompt, **overrides}`` without knowing any merge rule.
``experiment``: ``{name, salt, arms: [{name, variant, weight}]}`` with weights in whole
buckets of 10,000 (``variant`` null: the prompt as written). Both keys are absent when the
prompt has none, so a prompt without variants compiles to the bytes it always did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from promptops.compile._json import plain
from promptops.compile.engine import TemplateInfo
from promptops.compile.fallbacks import compile_fallbacks
from promptops.repo.types import Repository
from promptops.spec import BASE_VARIANT, Experiment, Prompt

__all__ = ["compile_experiment", "compile_variants"]

Messages = Callable[[Prompt], tuple[list[dict[str, Any]], list[TemplateInfo]]]
Partials = Callable[[list[TemplateInfo]], dict[str, str]]
Model = Callable[[str], dict[str, Any]]


def compile_variants(
    repo: Repository, prompt: Prompt, messages: Messages, partials: Partials, model: Model
) -> dict[str, dict[str, Any]]:
    """Each variant's compiled overrides. A variant's params go over the prompt's, which go
    over its pin's (the variant's own pin when it names one).

    Raises:
        ValidationError: from ``messages``, ``partials`` or ``model`` (an unknown pin,
            instruction or partial, a template that does not parse).
        NotJsonError: if a variant's params are not plain JSON.
    """
    out: dict[str, dict[str, Any]] = {}
    for name, variant in prompt.variants.items():
        overrides: dict[str, Any] = {}
        if variant.model is not None:
            overrides["model"] = model(variant.model)
        if variant.model is not None or variant.params:
            pin_name = variant.model or prompt.model
            own = {**prompt.params, **variant.params}
            where = f"variants.{name}.params"
            overrides["params"] = plain({**repo.models.models[pin_name].params, **own}, where)
            # The fallbacks follow the variant's pin and params; [] hides the prompt's.
            fallbacks = compile_fallbacks(repo.models, pin_name, own, model, where)
            if fallbacks or repo.models.fallbacks(prompt.model):
                overrides["fallbacks"] = fallbacks
        if variant.messages is not None:
            compiled, infos = messages(prompt.model_copy(update={"messages": variant.messages}))
            overrides["messages"] = compiled
            overrides["partials"] = partials(infos)
        out[name] = overrides
    return out


def compile_experiment(name: str, experiment: Experiment) -> dict[str, Any]:
    """The bundle's ``experiment`` object."""
    buckets = experiment.buckets()
    arms = []
    for arm, spec in experiment.arms.items():
        variant = spec.serves(arm)
        arms.append(
            {
                "name": arm,
                "variant": None if variant == BASE_VARIANT else variant,
                "weight": buckets[arm],
            }
        )
    return {"name": name, "salt": experiment.salt or name, "arms": arms}
