"""Cold start of langfuse's prompt path, offline: exactly what its SDK does with a fetched prompt.

Timed: ``import langfuse`` (the SDK entry point an application imports), then the steps of
``Langfuse._fetch_prompt_and_update_cache`` after the HTTP response arrives: the response body
(a stored API response, fixtures/support_langfuse.json) is parsed with the SDK's own
``parse_obj_as(Prompt, ...)`` as its generated API client does, wrapped in
``ChatPromptClient`` as its cache stores it, and ``compile(**inputs)`` renders the messages.
Not timed (favouring the peer): constructing the ``Langfuse`` client (OpenTelemetry exporter,
background threads) and the network round trip itself.
"""

import json
import sys
from pathlib import Path

import langfuse  # noqa: F401  (what applications import first; loads the SDK)
from langfuse.api import Prompt
from langfuse.api.core.pydantic_utilities import parse_obj_as
from langfuse.model import ChatPromptClient

INPUTS = {"product": "Acme", "customer": "Ada", "question": "How do I reset my password?"}

with (Path(__file__).parent / "fixtures" / "support_langfuse.json").open("rb") as f:
    body = json.load(f)
client = ChatPromptClient(parse_obj_as(type_=Prompt, object_=body))  # type: ignore[arg-type]
messages = client.compile(**INPUTS)
if "--show" in sys.argv:
    print(messages)
