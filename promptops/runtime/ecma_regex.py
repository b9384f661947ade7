"""JSON Schema ``pattern`` with ECMA-262 semantics, on Python's ``re``.

JSON Schema says patterns are ECMA-262 regular expressions; Python's ``re`` differs where
it matters for input validation: ``$`` also matches before a final newline (so
``^[a-z]+$`` accepts ``"abc\\n"``), ``\\d`` and ``\\w`` match every Unicode digit and letter,
``.`` matches ``\\r`` and the Unicode line separators. :func:`compile_ecma` rewrites a
pattern so Python matches what ECMA-262 matches (without flags, as JSON Schema uses them):
``$`` becomes ``\\Z``, the classes and ``\\b`` become ASCII (``re.ASCII``), ``\\s`` and ``.``
get ECMA's sets of white space and line terminators, and ``(?<name>`` / ``\\k<name>``
become Python's named-group spellings. Both the compiled fast check and the ``jsonschema``
fallback use it, so they agree with each other (and with the specification).
"""

from __future__ import annotations

import re

__all__ = ["compile_ecma", "translate"]

# ECMA-262 WhiteSpace and LineTerminator code points (what \s matches).
_SPACE = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_NOT_LINE = "[^\\n\\r\\u2028\\u2029]"  # ECMA's "." (no s flag)
_CACHE: dict[str, re.Pattern[str]] = {}


def translate(pattern: str) -> str:
    """``pattern`` (ECMA-262) rewritten for Python's ``re`` compiled with ``re.ASCII``."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt == "s":
                out.append(_SPACE if in_class else f"[{_SPACE}]")
            elif nxt == "S" and not in_class:
                out.append(f"[^{_SPACE}]")
            elif nxt == "k" and pattern.startswith("<", i + 2) and not in_class:
                end = pattern.find(">", i + 3)
                if end < 0:
                    out.append(pattern[i : i + 2])
                else:
                    out.append(f"(?P={pattern[i + 3 : end]})")
                    i = end + 1
                    continue
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            out.append(ch)
        elif pattern.startswith("[]", i):  # ECMA's empty class: matches nothing
            out.append("(?!)")
            i += 2
            continue
        elif pattern.startswith("[^]", i):  # ECMA's "any character at all"
            out.append("(?s:.)")
            i += 3
            continue
        elif ch == "[":
            in_class = True
            out.append(ch)
            if pattern.startswith("^", i + 1):  # so "^]" is not read as the class's end
                out.append("^")
                i += 1
        elif ch == "$":
            out.append("\\Z")
        elif ch == ".":
            out.append(_NOT_LINE)
        elif pattern.startswith("(?<", i) and not pattern.startswith(("(?<=", "(?<!"), i):
            out.append("(?P<")
            i += 3
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def compile_ecma(pattern: str) -> re.Pattern[str]:
    """Compile an ECMA-262 ``pattern`` (cached).

    Raises:
        re.error: if it is not a pattern Python can represent.
    """
    compiled = _CACHE.get(pattern)
    if compiled is None:
        compiled = _CACHE[pattern] = re.compile(translate(pattern), re.ASCII)
    return compiled
