"""The ``echo`` provider: deterministic and offline.

Without an output schema the answer is the content of the last user message. With one,
it is the compact JSON of a value built from the schema (see :func:`sample_value`), with
every free-form string set to the last user message. Token counts are ``ceil(chars / 4)``
of the messages and of the answer; latency is 0 ms. It never calls tools.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from promptops.evals.providers.base import CallContext
from promptops.evals.types import Request, Response

__all__ = ["EchoProvider", "hashed_embedding", "sample_value"]

_MAX_DEPTH = 16
_DIMENSIONS = 256
_WORD = re.compile(r"\w+")


def hashed_embedding(text: str) -> tuple[float, ...]:
    """A deterministic bag-of-words vector (feature hashing of lower-cased words, L2
    normalised): texts sharing words have a high cosine, so ``similar`` means something
    offline. Not a semantic embedding: synonyms score 0."""
    vector = [0.0] * _DIMENSIONS
    for word in _WORD.findall(text.casefold()):
        digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
        index = int.from_bytes(digest[:2], "big") % _DIMENSIONS
        vector[index] += 1.0 if digest[2] & 1 else -1.0
    norm = math.sqrt(sum(x * x for x in vector))
    return tuple(round(x / norm, 6) if norm else 0.0 for x in vector)


def _tokens(text: str) -> int:
    return -(-len(text) // 4)


def _string(schema: Mapping[str, Any], fill: str) -> str:
    text = fill
    max_len = schema.get("maxLength")
    min_len = schema.get("minLength", 0)
    if isinstance(max_len, int):
        text = text[:max_len]
    if isinstance(min_len, int) and len(text) < min_len:
        text = text + "x" * (min_len - len(text))
    return text


def sample_value(schema: Any, fill: str, depth: int = 0) -> Any:
    """A deterministic value for ``schema``: ``const``, else the first ``enum`` member, else
    by type (the first listed): object -> every property, array -> ``minItems`` items
    (at least one), string -> ``fill`` within length bounds, number/integer -> ``minimum``
    or 0, boolean -> true, null -> null. ``anyOf``/``oneOf`` take the first branch."""
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return fill
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return sample_value(schema[key][0], fill, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = kind[0] if kind else None
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    if kind == "object":
        props = schema.get("properties") or {}
        return {k: sample_value(v, fill, depth + 1) for k, v in props.items()}
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        return [sample_value(schema.get("items", {}), fill, depth + 1) for _ in range(count)]
    if kind in ("number", "integer"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        value = low + 1 if "exclusiveMinimum" in schema and "minimum" not in schema else low
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema, fill)


class EchoProvider:
    """Answers every request from the request itself; see the module docstring."""

    name = "echo"
    remote = False

    def close(self) -> None:
        """Nothing to release."""

    def complete(self, request: Request, context: CallContext) -> Response:
        """Echo the last user message (or a value of the output schema); for an embedding
        request, :func:`hashed_embedding` of the text."""
        if request.operation == "embed":
            text = str(request.messages[0].get("content", ""))
            return Response("", tokens_in=_tokens(text), embedding=hashed_embedding(text))
        last_user = ""
        tokens_in = 0
        for message in request.messages:
            content = message.get("content")
            text = content if isinstance(content, str) else json.dumps(content, sort_keys=True)
            tokens_in += _tokens(text)
            if message.get("role") == "user":
                last_user = text
        if request.output_schema is not None:
            value = sample_value(request.output_schema, last_user)
            text = json.dumps(value, ensure_ascii=False, sort_keys=True)
        else:
            text = last_user
        return Response(text=text, tokens_in=tokens_in, tokens_out=_tokens(text))
