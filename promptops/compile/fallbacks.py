"""A prompt's fallbacks, compiled into its bundle entry (ADR 0018).

``fallbacks``: the chain of its pin's ``fallback:`` pins, in order, each as ``{model,
params}``: the fallback pin's object and its params under the prompt's own (and a
variant's), merged as for the prompt's pin. The runtime builds the alternative requests
from them and the prompt's messages. Absent when the pin has no fallback, so other
prompts compile to the bytes they always did.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from promptops.compile._json import plain
from promptops.spec import ModelsFile

__all__ = ["compile_fallbacks"]


def compile_fallbacks(
    models: ModelsFile,
    pin: str,
    params: Mapping[str, Any],
    model: Callable[[str], dict[str, Any]],
    where: str = "params",
) -> list[dict[str, Any]]:
    """``[{model, params}]`` for each pin of ``pin``'s fallback chain; ``params`` are the
    prompt's (and its variant's) own, over each fallback pin's.

    Raises:
        ValidationError: from ``model`` (an unknown pin).
        NotJsonError: if the params are not plain JSON.
    """
    return [
        {"model": model(name), "params": plain({**models.models[name].params, **params}, where)}
        for name in models.fallbacks(pin)
    ]
