"""Compiled prompt bodies kept in a temporary file until the bundle is written: a cold
build of 50,000 prompts never holds their bytes in memory (ADR 0017)."""

from __future__ import annotations

import os
import tempfile
from typing import IO

__all__ = ["Spool"]


class Spool:
    """Bodies not taken from a previous bundle, kept in a temporary file until written."""

    def __init__(self) -> None:
        # Closed by close(), once the bundle is written.
        self.file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self.at: dict[str, tuple[int, int, str]] = {}  # id -> (offset, length, sha256)
        self.end = 0
        self._unflushed = False

    def add(self, prompt_id: str, body: bytes, digest: str) -> None:
        self.file.write(body)
        self.at[prompt_id] = (self.end, len(body), digest)
        self.end += len(body)
        self._unflushed = True

    def read(self, prompt_id: str) -> bytes:
        if self._unflushed:
            self.file.flush()
            self._unflushed = False
        offset, length, _ = self.at[prompt_id]
        return os.pread(self.file.fileno(), length, offset)

    def close(self) -> None:
        self.file.close()
