"""Line and column of an offset in raw file text, counting line breaks as YAML does."""

from __future__ import annotations

__all__ = ["text_position"]


def text_position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based (line, col) of ``offset`` in ``text``.

    YAML (and libyaml's marks) break lines at LF, CRLF and a lone CR, so a file saved with
    old Mac line endings is placed on the same line an editor shows.
    """
    head = text[:offset]
    crlf = head.count("\r\n")
    line = head.count("\n") + head.count("\r") - crlf + 1
    start = max(head.rfind("\n"), head.rfind("\r")) + 1
    return line, offset - start + 1
