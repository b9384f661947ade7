"""``eval --batch``: large runs through the providers' batch APIs, at half the price.

OpenAI Batch (a JSONL file of chat-completion requests, ``/v1/batches``) and Anthropic
Message Batches (``/v1/messages/batches``). Requests already in the response cache are not
sent; the rest go in one batch per provider and base URL, each request's ``custom_id``
being its cache key, so the answers land in the same cache, in the same results format, as
answers sent one by one (``Response.batch`` marks them: cost at half the pin's prices).

Resume: the batch id is written to ``<cache dir>/batches/<id of the request set>.json``
before the first poll; a run interrupted while polling finds it and polls the same batch
instead of paying for a second one. The file is removed once the results are in.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from promptops.canonical import sha256_hex
from promptops.errors import ProviderError
from promptops.evals.cache import ResponseCache, cache_key
from promptops.evals.providers.base import CallContext, Provider, adapter_view
from promptops.evals.types import Request, Response, ToolCall
from promptops.fsutil import atomic_write_text
from promptops.runtime.adapters import anthropic_messages, openai_chat

__all__ = ["BATCH_PROVIDERS", "BatchStatus", "run_batches"]

# A job as the runner holds it: (its key in the run, the request, its context, provider).
Job = tuple[Hashable, Request, CallContext, Provider]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BatchStatus:
    done: int
    total: int
    finished: bool
    failure: str | None = None


class BatchAPI(Protocol):
    def submit(self, client: Any, items: Sequence[tuple[str, Request, CallContext]]) -> str: ...

    def poll(self, client: Any, batch_id: str) -> BatchStatus: ...

    def results(self, client: Any, batch_id: str) -> dict[str, Response | str]: ...


def _body(request: Request, ctx: CallContext) -> dict[str, Any]:
    kwargs = openai_chat(request.messages, request.model, adapter_view(request, ctx))
    return {**kwargs, **kwargs.pop("extra_body", {})}


class OpenAIBatch:
    """OpenAI's Batch API through the ``openai`` SDK."""

    def submit(self, client: Any, items: Sequence[tuple[str, Request, CallContext]]) -> str:
        lines = [
            json.dumps(
                {
                    "custom_id": cid,
                    "method": "POST",
                    "url": "/v1/chat/completions",
                    "body": _body(request, ctx),
                },
                sort_keys=True,
            )
            for cid, request, ctx in items
        ]
        data = ("\n".join(lines) + "\n").encode()
        uploaded = client.files.create(file=("promptops-batch.jsonl", data), purpose="batch")
        batch = client.batches.create(
            input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
        )
        return str(batch.id)

    def poll(self, client: Any, batch_id: str) -> BatchStatus:
        batch = client.batches.retrieve(batch_id)
        counts = batch.request_counts
        done = (counts.completed + counts.failed) if counts else 0
        total = counts.total if counts else 0
        if batch.status in ("failed", "expired", "cancelled", "cancelling"):
            return BatchStatus(done, total, True, f"batch {batch_id} is {batch.status}")
        return BatchStatus(done, total, batch.status == "completed")

    def results(self, client: Any, batch_id: str) -> dict[str, Response | str]:
        from promptops.evals.providers.openai_chat import _response

        batch = client.batches.retrieve(batch_id)
        out: dict[str, Response | str] = {}
        for file_id in (batch.output_file_id, batch.error_file_id):
            if not file_id:
                continue
            for line in client.files.content(file_id).text.splitlines():
                if not line.strip():
                    continue
                item = json.loads(line)
                response = item.get("response") or {}
                if item.get("error") or response.get("status_code") != 200:
                    out[item["custom_id"]] = (
                        f"batch request failed: {item.get('error') or response}"
                    )
                    continue
                answer = _response(response["body"], 0.0)
                out[item["custom_id"]] = _batched(answer)
        return out


class AnthropicBatch:
    """Anthropic's Message Batches through the ``anthropic`` SDK."""

    def submit(self, client: Any, items: Sequence[tuple[str, Request, CallContext]]) -> str:
        requests = [
            {"custom_id": cid, "params": anthropic_messages(
                request.messages, request.model, adapter_view(request, ctx))}
            for cid, request, ctx in items
        ]  # fmt: skip
        return str(client.messages.batches.create(requests=requests).id)

    def poll(self, client: Any, batch_id: str) -> BatchStatus:
        batch = client.messages.batches.retrieve(batch_id)
        c = batch.request_counts
        done = c.succeeded + c.errored + c.canceled + c.expired
        return BatchStatus(done, done + c.processing, batch.processing_status == "ended")

    def results(self, client: Any, batch_id: str) -> dict[str, Response | str]:
        out: dict[str, Response | str] = {}
        for item in client.messages.batches.results(batch_id):
            result = item.result
            if result.type != "succeeded":
                out[item.custom_id] = f"batch request {result.type}"
                continue
            message = result.message
            text = "".join(b.text for b in message.content if b.type == "text")
            calls = tuple(
                ToolCall(b.name, dict(b.input)) for b in message.content if b.type == "tool_use"
            )
            usage = message.usage
            out[item.custom_id] = Response(
                text, calls, usage.input_tokens, usage.output_tokens, 0.0, batch=True
            )
        return out


def _batched(response: Response) -> Response:
    return Response(response.text, response.tool_calls, response.tokens_in,
                    response.tokens_out, response.latency_ms, batch=True)  # fmt: skip


BATCH_PROVIDERS: Mapping[str, BatchAPI] = {
    "openai": OpenAIBatch(),
    "openai-compatible": OpenAIBatch(),
    "anthropic": AnthropicBatch(),
}


def _state_path(directory: Path, provider: str, base_url: str | None, ids: Sequence[str]) -> Path:
    name = sha256_hex("\n".join([provider, base_url or "", *sorted(ids)]).encode())
    return directory / f"{name}.json"


def run_batches(
    jobs: Sequence[Job],
    cache: ResponseCache,
    state_dir: Path,
    *,
    sleep: Callable[[float], None],
    poll_s: float = 10.0,
    progress: Progress | None = None,
) -> dict[Hashable, Response | str]:
    """Answer ``jobs`` (remote providers with a batch API) from the cache or through one
    batch per provider and base URL; returns each job's response (or why it failed).

    Raises:
        ProviderError: if a batch cannot be submitted or polled.
    """
    answers: dict[Hashable, Response | str] = {}
    groups: dict[tuple[str, str | None], dict[str, list[Job]]] = {}
    for job in jobs:
        key, request, ctx, provider = job
        cid = cache_key(provider.name, request.digest, ctx.sample)
        hit = cache.lookup(cid)
        if hit is not None:
            answers[key] = hit
            continue
        groups.setdefault((provider.name, request.base_url), {}).setdefault(cid, []).append(job)
    for (name, base_url), by_id in groups.items():
        first = next(iter(by_id.values()))[0]
        provider = first[3]
        api = BATCH_PROVIDERS[name]
        client = provider._client(base_url)  # type: ignore[attr-defined]
        state = _state_path(state_dir, name, base_url, list(by_id))
        try:
            batch_id = json.loads(state.read_text(encoding="utf-8"))["batch_id"]
        except (OSError, ValueError, KeyError):
            items = [(cid, js[0][1], js[0][2]) for cid, js in by_id.items()]
            batch_id = _call(name, api.submit, client, items)
            atomic_write_text(state, json.dumps({"batch_id": batch_id, "provider": name,
                                                 "requests": len(items)}))  # fmt: skip
        while True:
            status = _call(name, api.poll, client, batch_id)
            if progress is not None:
                progress(status.done, status.total or len(by_id))
            if status.finished:
                break
            sleep(poll_s)
        if status.failure is not None:
            os.unlink(state)
            raise ProviderError(f"{name}: {status.failure}; run again to submit a new batch")
        results = _call(name, api.results, client, batch_id)
        for cid, js in by_id.items():
            got = results.get(cid, f"batch {batch_id} returned no answer for this request")
            if isinstance(got, Response):
                cache.store(cid, got)
            for job in js:
                answers[job[0]] = got
        os.unlink(state)
    return answers


def _call(name: str, fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return fn(*args)
    except ProviderError:
        raise
    except Exception as exc:
        # The SDKs' own errors (HTTP status, connection): say which batch API failed.
        raise ProviderError(f"{name} batch API: {type(exc).__name__}: {exc}") from None
