"""Render from a bundle that was built, not released: for previews at a terminal.

Nothing here is verified: the bytes come from the caller's own build (``promptops render``
without ``--release``). Applications use :class:`~promptops.runtime.Registry`.
"""

from __future__ import annotations

from collections.abc import Iterable

from promptops.errors import UsageError
from promptops.runtime.bundle import Bundle
from promptops.runtime.config import RuntimeConfig
from promptops.runtime.digest import sha256_hex
from promptops.runtime.render import Prompt
from promptops.runtime.request import Provenance
from promptops.runtime.served import named_variant, prompt_variant

__all__ = ["unverified_prompt", "unverified_prompts"]


def unverified_prompt(
    data: bytes,
    prompt_id: str,
    *,
    config: RuntimeConfig | None = None,
    variant: str | None = None,
) -> Prompt:
    """The prompt ``prompt_id`` of an unsigned bundle (its ``variant``, ``"base"`` for the
    prompt as written); provenance has no release or serial.

    Raises:
        UsageError: if the bundle has no such prompt, or the prompt no such variant.
        BundleError: if the bundle is malformed.
    """
    return unverified_prompts(data, [prompt_id], config=config, variant=variant)[prompt_id]


def unverified_prompts(
    data: bytes,
    prompt_ids: Iterable[str],
    *,
    config: RuntimeConfig | None = None,
    variant: str | None = None,
) -> dict[str, Prompt]:
    """Several prompts of one unsigned bundle, parsed and hashed once (each its
    ``variant``, when given).

    Raises:
        UsageError: if the bundle lacks one of them.
        BundleError: if the bundle is malformed.
    """
    cfg = config or RuntimeConfig()
    bundle = Bundle.parse(data, max_prompts=cfg.max_prompts)
    commit = bundle.source.get("commit")
    bundle_sha = sha256_hex(data)
    out: dict[str, Prompt] = {}
    for prompt_id in prompt_ids:
        if prompt_id not in bundle:
            from promptops.runtime.suggest import hint

            raise UsageError(f"the bundle has no prompt {prompt_id!r}{hint(prompt_id, bundle.ids)}")
        obj = bundle.load(prompt_id, max_bytes=cfg.max_prompt_bytes)
        chosen = None if variant is None else named_variant(obj, variant, f"prompt {prompt_id!r}")
        provenance = Provenance(
            prompt_id=prompt_id,
            prompt_digest=bundle.digest(prompt_id),
            release=None,
            serial=None,
            bundle_sha256=bundle_sha,
            commit=commit if isinstance(commit, str) else None,
            variant=chosen,
        )
        obj = prompt_variant(obj, chosen)
        out[prompt_id] = Prompt(obj, provenance, validate=cfg.validate_inputs)
    return out
