"""A local OpenAI- and Anthropic-compatible HTTP server for tests and benchmarks.

A minimal HTTP/1.1 keep-alive server on asyncio streams, bound to 127.0.0.1: one event
loop (in a thread for tests, in its own process for benchmarks) answers every connection,
and a simulated model latency is an ``asyncio.sleep``, so 32 concurrent requests cost no
threads and next to no CPU. Each request pops the next scripted reply; with none left it
answers with the last user message. ``hold`` replies wait until :attr:`FakeLLM.release`
is set (a response slower than any client timeout, without sleeping in the test).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any


@dataclass
class Reply:
    """One scripted answer: text, tool calls, or an HTTP error status."""

    text: str | None = None
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    hold: bool = False


class FakeLLM:
    def __init__(self, *, delay_s: float = 0.0) -> None:
        self.replies: deque[Reply] = deque()
        # Answers requests when no scripted reply is queued (e.g. a judge scoring by content).
        self.responder: Callable[[dict[str, Any]], Reply] | None = None
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        # Batch APIs: files by id, batches by id; a batch ends after this many polls.
        self.files: dict[str, list[dict[str, Any]]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_polls = 2
        self.release = threading.Event()
        self.delay_s = delay_s
        self.url = ""

    def next_reply(self, body: dict[str, Any]) -> Reply:
        # Only the server's event loop calls this: no lock needed.
        self.requests.append(body)
        if self.replies:
            return self.replies.popleft()
        return self.responder(body) if self.responder is not None else Reply()


def _last_user(body: dict[str, Any]) -> str:
    users = [m for m in body.get("messages", []) if m.get("role") == "user"]
    content = users[-1]["content"] if users else ""
    return content if isinstance(content, str) else json.dumps(content)


def _openai(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    text = reply.text if reply.text is not None else _last_user(body)
    message: dict[str, Any] = {"role": "assistant", "content": None if reply.tool_calls else text}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": f"call_{i}", "type": "function",
             "function": {"name": name, "arguments": json.dumps(args)}}
            for i, (name, args) in enumerate(reply.tool_calls)
        ]  # fmt: skip
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body["model"],
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }  # fmt: skip


def _anthropic(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    text = reply.text if reply.text is not None else _last_user(body)
    content: list[dict[str, Any]] = [{"type": "text", "text": text}]
    content += [
        {"type": "tool_use", "id": f"toolu_{i}", "name": name, "input": args}
        for i, (name, args) in enumerate(reply.tool_calls)
    ]
    return {
        "id": "msg_1", "type": "message", "role": "assistant", "model": body["model"],
        "content": content, "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": 13, "output_tokens": 5},
    }  # fmt: skip


def _gemini(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    turns = [c for c in body.get("contents", []) if c.get("role") == "user"]
    text = reply.text if reply.text is not None else turns[-1]["parts"][0]["text"]
    parts: list[dict[str, Any]] = [{"text": text}]
    parts += [{"functionCall": {"name": n, "args": a}} for n, a in reply.tool_calls]
    return {
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 17, "candidatesTokenCount": 3,
                          "totalTokenCount": 20},
    }  # fmt: skip


def _bedrock(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    turns = [m for m in body.get("messages", []) if m.get("role") == "user"]
    text = reply.text if reply.text is not None else turns[-1]["content"][0]["text"]
    content: list[dict[str, Any]] = [{"text": text}]
    content += [{"toolUse": {"toolUseId": f"t{i}", "name": n, "input": a}}
                for i, (n, a) in enumerate(reply.tool_calls)]  # fmt: skip
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 19, "outputTokens": 4, "totalTokens": 23},
        "metrics": {"latencyMs": 5},
    }


_PHRASES = {s.value: s.phrase for s in HTTPStatus}


def _response(status: int, payload: dict[str, Any], headers: dict[str, str]) -> bytes:
    """Status line, headers and body as one buffer: one write, no Nagle delay."""
    data = json.dumps(payload).encode()
    lines = [
        f"HTTP/1.1 {status} {_PHRASES.get(status, 'Unknown')}",  # 529 is Anthropic's own
        "Content-Type: application/json",
        f"Content-Length: {len(data)}",
        *(f"{key}: {value}" for key, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def _jsonl(lines: list[dict[str, Any]]) -> bytes:
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/binary\r\nContent-Length: {len(data)}"
    return (head + "\r\n\r\n").encode() + data


def _batch_api(fake: FakeLLM, method: str, path: str, body: dict[str, Any]) -> bytes | None:
    """OpenAI Batch (files, batches) and Anthropic Message Batches, just enough to run."""
    path = path.split("?")[0]
    if method == "POST" and path == "/v1/files":
        raw = body["_raw"]
        lines = [json.loads(ln) for ln in raw.split(b"\n") if b'"custom_id"' in ln]
        file_id = f"file-{len(fake.files) + 1}"
        fake.files[file_id] = lines
        return _response(200, {"id": file_id, "object": "file", "bytes": len(raw),
                               "created_at": 0, "filename": "batch.jsonl", "purpose": "batch",
                               "status": "processed"}, {})  # fmt: skip
    if method == "POST" and path == "/v1/batches":
        batch_id = f"batch_{len(fake.batches) + 1}"
        items = fake.files[body["input_file_id"]]
        fake.batches[batch_id] = {"kind": "openai", "items": items, "polls": fake.batch_polls}
        return _response(200, _openai_batch(batch_id, fake.batches[batch_id]), {})
    if method == "GET" and path.startswith("/v1/batches/"):
        batch = fake.batches[path.rsplit("/", 1)[1]]
        batch["polls"] -= 1
        return _response(200, _openai_batch(path.rsplit("/", 1)[1], batch), {})
    if method == "GET" and path.startswith("/v1/files/") and path.endswith("/content"):
        batch_id = path.split("/")[3].removeprefix("out-")
        items = fake.batches[batch_id]["items"]
        return _jsonl([{"id": f"r{i}", "custom_id": it["custom_id"], "error": None,
                        "response": {"status_code": 200, "request_id": f"q{i}",
                                     "body": _openai(it["body"], Reply())}}
                       for i, it in enumerate(items)])  # fmt: skip
    if method == "POST" and path == "/v1/messages/batches":
        batch_id = f"msgbatch_{len(fake.batches) + 1}"
        fake.batches[batch_id] = {"kind": "anthropic", "items": body["requests"],
                                  "polls": fake.batch_polls}  # fmt: skip
        return _response(200, _anthropic_batch(fake, batch_id), {})
    if method == "GET" and path.startswith("/v1/messages/batches/") and path.endswith("/results"):
        items = fake.batches[path.split("/")[4]]["items"]
        return _jsonl([
            {"custom_id": it["custom_id"],
             "result": {"type": "succeeded", "message": _anthropic(it["params"], Reply())}}
            for it in items
        ])  # fmt: skip
    if method == "GET" and path.startswith("/v1/messages/batches/"):
        batch_id = path.rsplit("/", 1)[1]
        fake.batches[batch_id]["polls"] -= 1
        return _response(200, _anthropic_batch(fake, batch_id), {})
    return None


def _openai_batch(batch_id: str, batch: dict[str, Any]) -> dict[str, Any]:
    total = len(batch["items"])
    done = batch["polls"] <= 0
    return {"id": batch_id, "object": "batch", "endpoint": "/v1/chat/completions",
            "input_file_id": "file-1", "completion_window": "24h", "created_at": 0,
            "status": "completed" if done else "in_progress",
            "output_file_id": f"out-{batch_id}" if done else None, "error_file_id": None,
            "request_counts": {"total": total, "completed": total if done else total // 2,
                               "failed": 0}}  # fmt: skip


def _anthropic_batch(fake: FakeLLM, batch_id: str) -> dict[str, Any]:
    batch = fake.batches[batch_id]
    total, done = len(batch["items"]), batch["polls"] <= 0
    return {"id": batch_id, "type": "message_batch",
            "processing_status": "ended" if done else "in_progress",
            "request_counts": {"processing": 0 if done else total,
                               "succeeded": total if done else 0,
                               "errored": 0, "canceled": 0, "expired": 0},
            "created_at": "2026-01-01T00:00:00Z", "expires_at": "2026-01-02T00:00:00Z",
            "ended_at": "2026-01-01T00:01:00Z" if done else None, "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{fake.url}/messages/batches/{batch_id}/results" if done else None,
            }  # fmt: skip


async def _answer(fake: FakeLLM, path: str, body: dict[str, Any], method: str = "POST") -> bytes:
    # As real servers do: everything lives under /v1 (OpenAI, Anthropic), /v1beta (Gemini),
    # /openai/ (Azure) or /model/ (Bedrock).
    if not path.startswith(("/v1/", "/v1beta/", "/openai/", "/model/")):
        return _response(404, {"error": {"message": "status 404", "type": "test"}}, {})
    fake.paths.append(path)
    batched = _batch_api(fake, method, path, body)
    if batched is not None:
        return batched
    if path.endswith("/embeddings"):
        fake.requests.append(body)
        from promptops.evals.providers.echo import hashed_embedding

        data = [{"index": i, "object": "embedding", "embedding": list(hashed_embedding(t))}
                for i, t in enumerate(body["input"])]  # fmt: skip
        usage = {"prompt_tokens": 3, "total_tokens": 3}
        return _response(200, {"object": "list", "data": data, "usage": usage}, {})
    reply = fake.next_reply(body)
    if reply.hold:
        await asyncio.get_running_loop().run_in_executor(None, fake.release.wait)
    if fake.delay_s:
        await asyncio.sleep(fake.delay_s)  # the benchmark's simulated model latency
    if reply.status != 200:
        error = {"error": {"message": f"status {reply.status}", "type": "test"}}
        return _response(reply.status, error, reply.headers)
    if path.endswith("/messages"):
        return _response(200, _anthropic(body, reply), reply.headers)
    if ":generateContent" in path:
        return _response(200, _gemini(body, reply), reply.headers)
    if path.endswith("/converse"):
        return _response(200, _bedrock(body, reply), reply.headers)
    return _response(200, _openai(body, reply), reply.headers)


async def _connection(
    fake: FakeLLM, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:  # one request after another on a keep-alive connection
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            headers = {}
            for line in header_lines:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            raw = await reader.readexactly(int(headers.get("content-length", 0)))
            if headers.get("content-type", "").startswith("multipart/"):
                body: dict[str, Any] = {"_raw": raw}
            else:
                body = json.loads(raw) if raw else {}
            method, target = request_line.split(" ")[:2]
            writer.write(await _answer(fake, target, body, method))
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (asyncio.IncompleteReadError, ConnectionError):
        pass  # the client hung up (after its last request, or on a timeout)
    finally:
        writer.close()


class _Loop:
    """The server's event loop and listening socket, stopped from another thread."""

    def __init__(self, fake: FakeLLM) -> None:
        self.loop = asyncio.new_event_loop()
        self.server = self.loop.run_until_complete(
            asyncio.start_server(
                lambda r, w: _connection(fake, r, w),
                "127.0.0.1",
                0,
                backlog=256,  # 32 clients connecting at once must not be reset
            )
        )
        port = self.server.sockets[0].getsockname()[1]
        fake.url = f"http://127.0.0.1:{port}/v1"

    def run(self) -> None:
        self.loop.run_forever()
        self.loop.run_until_complete(self._shutdown())
        self.loop.close()

    async def _shutdown(self) -> None:
        # Close the listener, then cancel the open connections (and any held reply).
        self.server.close()
        tasks = asyncio.all_tasks() - {asyncio.current_task()}
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.server.wait_closed()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


@contextmanager
def serve(*, delay_s: float = 0.0) -> Iterator[FakeLLM]:
    """Start the server in a thread; yields the fake with ``url`` set to its ``/v1`` URL."""
    fake = FakeLLM(delay_s=delay_s)
    loop = _Loop(fake)
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        loop.stop()
        thread.join()


def record_live(root: Any, **kwargs: Any) -> Any:
    """``evaluate_repository(root, record=True)`` answered by a live (fake) OpenAI-compatible
    server that echoes the last user message: what ``--record`` with a real model does."""
    from promptops.evals import evaluate_repository

    with serve() as fake:
        return evaluate_repository(
            root,
            provider="openai-compatible",
            record=True,
            use_cache=False,
            env={"OPENAI_BASE_URL": fake.url},
            **kwargs,
        )


if __name__ == "__main__":
    # For benchmarks: a server in its own process, so it shares no GIL with the client.
    # Prints its URL, then serves until stdin closes.
    import sys

    with serve(delay_s=float(sys.argv[1]) if len(sys.argv) > 1 else 0.0) as running:
        print(running.url, flush=True)
        sys.stdin.read()
