"""A local OpenAI- and Anthropic-compatible HTTP server for tests and benchmarks.

Runs on 127.0.0.1 in a thread (stdlib ``http.server``). Each request pops the next
scripted reply; with none left it answers with the last user message. ``hold`` replies
block until :attr:`FakeLLM.release` is set (a response slower than any client timeout,
without sleeping in the test).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()
        self.delay_s = delay_s
        self.lock = threading.Lock()
        self.url = ""

    def next_reply(self, body: dict[str, Any]) -> Reply:
        with self.lock:
            self.requests.append(body)
            return self.replies.popleft() if self.replies else Reply()


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


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the SDKs expect
        # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm
        # and delayed ACKs add ~40 ms to every response on loopback.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            reply = fake.next_reply(body)
            if reply.hold:
                fake.release.wait()
            if fake.delay_s:
                time.sleep(fake.delay_s)  # the benchmark's simulated model latency
            if reply.status != 200:
                error = {"error": {"message": f"status {reply.status}", "type": "test"}}
                self._send(reply.status, error, reply.headers)
            elif self.path.endswith("/messages"):
                self._send(200, _anthropic(body, reply), reply.headers)
            else:
                self._send(200, _openai(body, reply), reply.headers)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default 5 resets connections when 32 clients connect at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and hung up is expected here, not a failure


@contextmanager
def serve(*, delay_s: float = 0.0) -> Iterator[FakeLLM]:
    """Start the server; yields the fake with ``url`` set to ``http://127.0.0.1:PORT/v1``."""
    fake = FakeLLM(delay_s=delay_s)
    server = _Server(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


if __name__ == "__main__":
    # For benchmarks: a server in its own process, so it does not share the client's GIL.
    # Prints its URL, then serves until stdin closes.
    import sys

    with serve(delay_s=float(sys.argv[1]) if len(sys.argv) > 1 else 0.0) as running:
        print(running.url, flush=True)
        sys.stdin.read()
