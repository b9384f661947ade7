"""Dotprompt's ``{{media url=... contentType=...}}`` as a promptops content part.

Dotprompt sends a media part with the URL (or ``data:`` URL) the template gives and the
content type it names (or the one the URL implies). promptops sends an image part or a
file part of an input holding ``{url}`` or ``{data, media_type}``. So the URL must be an
input: ``url=photo`` (a URL string in Dotprompt, which becomes ``{url}`` in promptops) or
``url=photo.url`` (already that shape, as ``promptops export`` writes it). A literal
``contentType`` decides the kind (``image/...``: image, anything else: file); without
one, or with one read from an input, the part is an image and a warning says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal as TypingLiteral
from typing import TypeGuard

from promptops.interop.translate.hbs_ast import Literal, Mustache, Node, Path
from promptops.interop.translate.hbs_roles import HISTORY
from promptops.interop.translate.problems import Segment

__all__ = ["Form", "is_media", "media_part", "message_segments"]

# How the template hands over the URL: the input itself (a string) or its 'url' field.
Form = TypingLiteral["string", "object"]


def is_media(n: object) -> TypeGuard[Mustache]:
    return (
        isinstance(n, Mustache)
        and isinstance(n.name, Path)
        and n.name.parts == ("media",)
        and not n.name.data
    )


def media_part(n: Mustache, warn: Callable[[int, str, str], None]) -> tuple[str, str, Form] | None:
    """``(kind, input, form)`` for a top-level media tag, or None (with a warning) when
    its URL is not an input promptops can send."""
    hash_ = dict(n.hash)
    url = hash_.get("url")
    name: str | None = None
    form: Form = "string"
    if isinstance(url, Path) and not url.data and url.depth == 0:
        if len(url.parts) == 1 and url.parts[0] != "this":
            name = url.parts[0]
        elif len(url.parts) == 2 and url.parts[1] == "url":
            name, form = url.parts[0], "object"
    if name is None:
        warn(
            n.offset,
            "template-media",
            f"'{n.source}': promptops sends media from an input holding {{url}} or "
            "{data, media_type}; this URL is not an input, so the part was left out",
        )
        return None
    ctype = hash_.get("contentType")
    if isinstance(ctype, Literal) and isinstance(ctype.value, str):
        return ("image" if ctype.value.startswith("image/") else "file"), name, form
    warn(
        n.offset,
        "media-type",
        f"'{n.source}': Dotprompt sends the content type "
        + ("an input gives" if ctype is not None else "the URL implies")
        + "; promptops needs to know it is an image or a file: imported as an image part "
        f"(write 'file: {name}' in the prompt if it carries documents)",
    )
    return "image", name, form


def message_segments(
    split: list[tuple[str | None, list[Node], int]],
    body: Callable[[list[Node]], str],
    warn: Callable[[int, str, str], None],
) -> tuple[list[Segment], dict[str, str]]:
    """The messages of a template cut at its role markers (``split``): text (``body``
    translates nodes), history, or content parts where top-level media tags stand; and the
    media inputs with the form their URL is given in."""
    segments: list[Segment] = []
    media: dict[str, str] = {}
    for role, nodes, offset in split:
        if role == HISTORY:
            segments.append(Segment(None, "", offset, history=True))
            continue
        parts: list[tuple[str, str]] = []
        run: list[Node] = []
        for n in nodes:
            if not is_media(n):
                run.append(n)
                continue
            found = media_part(n, warn)
            if found is None:
                continue
            if role not in (None, "user"):
                warn(
                    n.offset,
                    "template-media",
                    f"'{n.source}' in a {role} message: promptops sends images and files "
                    "from the user only, so it was left out; move it to a user message",
                )
                continue
            kind, name, form = found
            parts += [("text", body(run)), (kind, name)]
            run = []
            media[name] = form
        if parts:
            parts.append(("text", body(run)))
            # Dotprompt drops whitespace-only text between parts.
            kept = tuple(p for p in parts if p[0] != "text" or p[1].strip())
            segments.append(Segment(role or "user", "", offset, parts=kept))
        else:
            segments.append(Segment(role or "user", body(run), offset))
    return segments, media
