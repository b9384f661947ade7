"""``{{var}}`` substitution as GitHub Models and Langfuse do it, and its Jinja translation.

Neither engine has logic: a placeholder is replaced by a value and anything else is text.
They differ in detail, and the detail decides what is sent:

- GitHub Models (``gh models``) replaces the exact text ``{{key}}`` for every key of the
  test data (``{{ key }}`` with spaces is not a placeholder) and formats non-text values
  with Go's ``%v`` (``true``, ``3``, ``[a b]``).
- Langfuse (its SDKs' ``compile``) takes everything between ``{{`` and the next ``}}``,
  strips it, and replaces it when that name was given (Python's ``str`` of the value,
  ``None`` as nothing).

In both, a placeholder without a value stays as written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from promptops.interop.translate.jinja_text import is_jinja_name, jinja_literal, output_for
from promptops.interop.translate.problems import Problem, Segment, Translation, Usage

__all__ = [
    "Flavor",
    "Placeholder",
    "go_format",
    "placeholders",
    "render_mustache",
    "translate_mustache",
]

Flavor = Literal["github", "langfuse"]
_GITHUB = re.compile(r"\{\{([^{}]*)\}\}")


@dataclass(frozen=True)
class Placeholder:
    name: str  # the key it is replaced by
    start: int
    end: int


def placeholders(text: str, flavor: Flavor) -> list[Placeholder]:
    """Every placeholder of ``text`` in order, as ``flavor`` finds them."""
    if flavor == "github":
        return [Placeholder(m.group(1), m.start(), m.end()) for m in _GITHUB.finditer(text)]
    out: list[Placeholder] = []
    at = 0
    while True:
        start = text.find("{{", at)
        if start < 0:
            return out
        end = text.find("}}", start)
        if end < 0:
            return out
        out.append(Placeholder(text[start + 2 : end].strip(), start, end + 2))
        at = end + 2


def _go_float(x: float) -> str:
    # strconv.FormatFloat(x, 'g', -1, 64): shortest digits, exponent when < -4 or >= 6.
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if x == 0:
        return "-0" if math.copysign(1, x) < 0 else "0"
    digits = repr(abs(x))
    m, _, e = digits.partition("e")
    whole, _, frac = m.partition(".")
    sig = (whole + frac).lstrip("0").rstrip("0") or "0"
    point = len(whole.lstrip("0")) if whole.strip("0") else -(len(frac) - len(frac.lstrip("0")))
    point += int(e or 0)
    exponent = point - 1
    sign = "-" if x < 0 else ""
    if exponent < -4 or exponent >= 6:
        body = sig[0] + ("." + sig[1:] if len(sig) > 1 else "")
        return f"{sign}{body}e{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{sig}"
    if point >= len(sig):
        return sign + sig + "0" * (point - len(sig))
    return f"{sign}{sig[:point]}.{sig[point:]}"


def go_format(value: Any) -> str:
    """Go's ``fmt.Sprintf("%v", value)`` for YAML-decoded data."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "<nil>"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, list):
        return "[" + " ".join(go_format(v) for v in value) + "]"
    if isinstance(value, Mapping):
        items = sorted(value.items(), key=lambda kv: str(kv[0]))
        return "map[" + " ".join(f"{go_format(k)}:{go_format(v)}" for k, v in items) + "]"
    return str(value)


def render_mustache(text: str, data: Mapping[str, Any], flavor: Flavor) -> str:
    """``text`` as GitHub Models or Langfuse renders it on ``data``."""
    if flavor == "github":
        out = text
        # gh-models replaces key by key; a value holding another key's placeholder is
        # replaced too, in Go's random map order: no prompt should rely on that.
        for key, value in data.items():
            out = out.replace("{{" + key + "}}", go_format(value))
        return out
    parts: list[str] = []
    at = 0
    for p in placeholders(text, "langfuse"):
        parts.append(text[at : p.start])
        if p.name in data:
            value = data[p.name]
            parts.append("" if value is None else _python_str(value))
        else:
            parts.append(text[p.start : p.end])
        at = p.end
    parts.append(text[at:])
    return "".join(parts)


def _python_str(value: Any) -> str:
    return str(value)


def translate_mustache(
    text: str,
    flavor: Flavor,
    names: set[str],
    inputs: Mapping[str, dict[str, Any]] | None = None,
) -> Translation:
    """Jinja for ``text``: each placeholder whose name is in ``names`` (the keys some sample
    gives, or every placeholder when there are no samples) becomes an input; the others
    stay text, as the source engine leaves them."""
    inputs = inputs or {}
    parts: list[str] = []
    problems: list[Problem] = []
    usage: dict[str, Usage] = {}
    renames: dict[str, str] = {}
    at = 0
    for p in placeholders(text, flavor):
        parts.append(jinja_literal(text[at : p.start]))
        at = p.end
        if p.name not in names:
            parts.append(jinja_literal(text[p.start : p.end]))
            problems.append(
                Problem(
                    p.start,
                    "warning",
                    "literal-placeholder",
                    f"'{text[p.start : p.end]}' gets no value from any sample "
                    "and is not a variable name; it stays text",
                )
            )
            continue
        var = (
            p.name
            if is_jinja_name(p.name)
            else renames.get(p.name) or _rename(p.name, renames, names)
        )
        usage.setdefault(var, Usage()).print = True
        # Schemas are keyed by the source's name for the placeholder.
        tag, _ = output_for(var, inputs.get(p.name) if flavor == "github" else None)
        parts.append(tag)
    parts.append(jinja_literal(text[at:]))
    merged = _merge_literals(parts)
    return Translation([Segment(None, merged, 0)], problems, usage, renames)


def _rename(name: str, renames: dict[str, str], names: set[str]) -> str:
    base = re.sub(r"\W+", "_", name).strip("_") or "input"
    if base[0].isdigit():
        base = f"input_{base}"
    candidate = base if is_jinja_name(base) else f"{base}_"
    n = 2
    while candidate in names or candidate in renames.values():
        candidate = f"{base}_{n}"
        n += 1
    renames[name] = candidate
    return candidate


def _merge_literals(parts: list[str]) -> str:
    # Adjacent raw blocks read better as one.
    return "".join(parts).replace("{% endraw %}{% raw %}", "")
