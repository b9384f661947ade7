"""Dotprompt's message markers in a Handlebars template: ``{{role "system"}}`` starts a
message with that role, ``{{history}}`` stands for earlier turns."""

from __future__ import annotations

from collections.abc import Callable

from promptops.interop.translate.hbs_ast import Literal, Mustache, Node, Path

__all__ = ["HISTORY", "ROLE_NAMES", "split_roles"]

# The role of the segment that stands for the spliced-in conversation.
HISTORY = "\x00history"

# Dotprompt's roles -> promptops message roles.
ROLE_NAMES = {"system": "system", "user": "user", "model": "assistant", "assistant": "assistant"}


def split_roles(
    body: list[Node],
    error: Callable[[int, str, str], None],
    warn: Callable[[int, str, str], None],
) -> list[tuple[str | None, list[Node], int]]:
    """The template's top-level nodes per message: ``(role or None, nodes, offset)``.

    ``{{role "x"}}`` starts a message; ``{{history}}`` makes a segment of its own (role
    :data:`HISTORY`) and the template continues as the model, as Dotprompt does. Bad role
    markers go to ``error``, metadata on a role marker to ``warn``.
    """
    segments: list[tuple[str | None, list[Node], int]] = [(None, [], 0)]
    for n in body:
        is_role = (
            isinstance(n, Mustache)
            and isinstance(n.name, Path)
            and n.name.parts == ("role",)
            and not n.name.data
        )
        is_history = (
            isinstance(n, Mustache)
            and isinstance(n.name, Path)
            and n.name.parts == ("history",)
            and not n.params
        )
        if is_role:
            assert isinstance(n, Mustache)
            arg = n.params[0] if n.params else None
            if not isinstance(arg, Literal) or not isinstance(arg.value, str):
                error(
                    n.offset,
                    "template-role",
                    "{{role}} needs a literal role name such as "
                    '"system"; promptops messages have fixed roles',
                )
                continue
            if n.hash:
                warn(
                    n.offset,
                    "template-role-metadata",
                    f"'{n.source}': the message metadata "
                    f"({', '.join(k for k, _ in n.hash)}) is not kept; a promptops message "
                    "has a role and content only",
                )
            role = ROLE_NAMES.get(arg.value)
            if role is None:
                error(
                    n.offset,
                    "template-role",
                    f"role '{arg.value}' has no promptops equivalent (system, user, model)",
                )
                continue
            segments.append((role, [], n.offset))
        elif is_history:
            segments.append((HISTORY, [], n.offset))
            # Dotprompt continues as the model after the history.
            segments.append(("assistant", [], n.offset))
        else:
            segments[-1][1].append(n)
    return segments
