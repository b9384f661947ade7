"""The names ``promptops eval`` offers on its command line: providers and report formats.

Kept apart from the modules that implement them, so the command's options are built
without importing the runner, the repository reader or the spec models.
"""

from __future__ import annotations

__all__ = ["FORMAT_NAMES", "PROVIDER_NAMES"]

# "openai-compatible" is the OpenAI SDK pointed at the pin's base_url (vLLM, Ollama, LiteLLM).
PROVIDER_NAMES = (
    "openai", "openai-compatible", "anthropic", "azure-openai", "gemini", "bedrock", "replay",
    "echo",
)  # fmt: skip

# The keys of ``promptops.evals.formats.FORMATS``, in its order (a test holds them equal).
FORMAT_NAMES = ("text", "json", "junit", "markdown", "html")
