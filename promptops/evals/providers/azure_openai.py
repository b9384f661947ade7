"""The ``azure-openai`` provider: Azure OpenAI through the ``openai`` SDK's Azure client.

The model pin's ``base_url`` is the resource endpoint (``https://NAME.openai.azure.com``),
its ``model`` the deployment name; the key is ``AZURE_OPENAI_API_KEY`` and the API version
``AZURE_OPENAI_API_VERSION`` (default below). Requests and answers are OpenAI chat
completions, posted to ``/openai/deployments/<deployment>/chat/completions``.
"""

from __future__ import annotations

from typing import Any

from promptops.errors import ProviderError
from promptops.evals.providers.openai_chat import OpenAIProvider

__all__ = ["DEFAULT_API_VERSION", "AzureOpenAIProvider"]

DEFAULT_API_VERSION = "2024-10-21"


class AzureOpenAIProvider(OpenAIProvider):
    """Chat completions and embeddings of an Azure OpenAI deployment."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(name="azure-openai", **kwargs)

    def _new_client(self, base_url: str | None) -> Any:
        import openai

        endpoint = base_url or self._env.get("AZURE_OPENAI_ENDPOINT")
        key = self._env.get("AZURE_OPENAI_API_KEY")
        if not endpoint or not key:
            missing = (
                "base_url on the model pin (or AZURE_OPENAI_ENDPOINT)"
                if not endpoint
                else ("AZURE_OPENAI_API_KEY")
            )
            raise ProviderError(f"azure-openai needs {missing}; set it or use --provider replay")
        return openai.AzureOpenAI(
            azure_endpoint=endpoint,
            api_key=key,
            api_version=self._env.get("AZURE_OPENAI_API_VERSION", DEFAULT_API_VERSION),
            max_retries=0,
            timeout=self._timeout,
        )
