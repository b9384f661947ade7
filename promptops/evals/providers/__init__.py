"""Providers behind one interface, chosen by name (the model pin's or ``--provider``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from promptops.errors import UsageError
from promptops.evals.config import EvalConfig
from promptops.evals.names import PROVIDER_NAMES
from promptops.evals.providers.base import (
    CallContext,
    Provider,
    TransientProviderError,
    call_with_retry,
    require_sdk,
)
from promptops.evals.providers.echo import EchoProvider
from promptops.evals.providers.replay import ReplayProvider
from promptops.evals.recordings import RecordingSource

__all__ = [
    "PROVIDER_NAMES",
    "CallContext",
    "EchoProvider",
    "Provider",
    "ReplayProvider",
    "TransientProviderError",
    "call_with_retry",
    "make_provider",
]


def make_provider(
    name: str,
    *,
    config: EvalConfig,
    env: Mapping[str, str],
    recordings: Sequence[RecordingSource] = (),
    clock: Callable[[], float] = time.perf_counter,
) -> Provider:
    """A provider instance for ``name``. Its SDK is imported here, so a missing optional
    extra stops the run before anything is sent.

    Raises:
        UsageError: if ``name`` is not a known provider, or its SDK (an optional extra) is
            not installed.
    """
    if name in ("openai", "openai-compatible"):
        from promptops.evals.providers.openai_chat import OpenAIProvider

        require_sdk("openai", name, "openai")
        return OpenAIProvider(name=name, env=env, timeout_s=config.timeout_s, clock=clock)
    if name == "anthropic":
        from promptops.evals.providers.anthropic_messages import AnthropicProvider

        require_sdk("anthropic", name, "anthropic")
        return AnthropicProvider(env=env, timeout_s=config.timeout_s, clock=clock)
    if name == "azure-openai":
        from promptops.evals.providers.azure_openai import AzureOpenAIProvider

        require_sdk("openai", name, "azure")
        return AzureOpenAIProvider(env=env, timeout_s=config.timeout_s, clock=clock)
    if name == "gemini":
        from promptops.evals.providers.gemini import GeminiProvider

        require_sdk("google.genai", name, "gemini")
        return GeminiProvider(env=env, timeout_s=config.timeout_s, clock=clock)
    if name == "bedrock":
        from promptops.evals.providers.bedrock import BedrockProvider

        require_sdk("boto3", name, "bedrock")
        return BedrockProvider(env=env, timeout_s=config.timeout_s, clock=clock)
    if name == "echo":
        return EchoProvider()
    if name == "replay":
        return ReplayProvider(recordings, max_bytes=config.max_recording_bytes)
    raise UsageError(f"unknown provider {name!r}; expected one of: {', '.join(PROVIDER_NAMES)}")
