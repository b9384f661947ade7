"""Nunjucks filters as Jinja filters: the ones with the same result for prompt values, the
ones Jinja computes differently (kept, with a warning) and the rest (dropped, with one)."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["jinja_filter"]

# Filters whose Jinja definition gives the same text as Nunjucks' for prompt values.
_SAME = frozenset(
    {
        "upper",
        "lower",
        "trim",
        "length",
        "first",
        "last",
        "capitalize",
        "safe",
        "replace",
        "abs",
        "string",
        "default",
        "d",
        "join",
        "reverse",
        "int",
    }
)
# Filters Jinja has but computes differently; kept, with a warning naming the difference.
_DIFFERS = {
    "title": "Jinja also capitalises after punctuation",
    "round": "Jinja rounds halves to even, Nunjucks up",
    "float": "Jinja prints 2.0 where Nunjucks prints 2",
    "wordcount": "Jinja counts words by a different rule",
    "truncate": "Jinja and Nunjucks cut and mark text differently",
    "sort": "Jinja sorts case-insensitively by default",
    "indent": "the two take different arguments",
    "urlencode": "the two escape different characters",
    "striptags": "the two collapse whitespace differently",
    "batch": "check its output",
    "dictsort": "check its output",
    "list": "check its output",
    "sum": "check its output",
    "groupby": "check its output",
    "random": "it picks differently each render",
}


def jinja_filter(name: str, value: str, args: list[str], warn: Callable[[str, str], None]) -> str:
    """Nunjucks' ``value | name(args)`` (Jinja expressions) as a Jinja expression; a filter
    Jinja computes differently is kept with a warning, one it lacks is dropped with one."""
    if name == "dump":
        warn(
            "template-filter",
            "'dump' became Jinja's tojson, which sorts keys and "
            "spaces JSON differently from JSON.stringify; check the output",
        )
        name = "tojson"
        args = [f"indent={args[0]}"] if args else []
    elif name in _DIFFERS:
        warn("template-filter", f"filter '{name}' kept, but {_DIFFERS[name]}")
    elif name not in _SAME:
        warn(
            "template-filter",
            f"custom filter '{name}' has no promptops "
            "equivalent; it was removed, so the value prints unfiltered: "
            "transform the input in your application instead",
        )
        return value
    return f"({value} | {name}{'(' + ', '.join(args) + ')' if args else ''})"
