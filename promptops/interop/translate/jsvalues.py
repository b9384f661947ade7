"""JavaScript value semantics the source engines (Handlebars, Nunjucks) apply to data.

Templates written for those engines print and test values the way JavaScript does: ``true``
prints as ``true``, ``null`` as nothing, ``[1, 2]`` as ``1,2`` and ``2.0`` as ``2``. The
original-engine renderers use these to produce exactly what the source tool would send.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["UNDEFINED", "Undefined", "js_number", "js_string", "js_trim", "js_truthy"]


class Undefined:
    """JavaScript's ``undefined``: a lookup that found nothing."""

    _instance: Undefined | None = None

    def __new__(cls) -> Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False


UNDEFINED = Undefined()


def js_number(value: float) -> str:
    """``Number.prototype.toString()`` of ``value`` (ECMAScript Number::toString).

    Python's ``repr`` finds the same shortest round-trip digits; only the choice between
    plain and exponent notation and the exponent's spelling differ.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exp = repr(abs(float(value))).partition("e")
    whole, _, frac = mantissa.partition(".")
    frac = frac.rstrip("0")
    digits = (whole + frac).lstrip("0")
    # n: the position of the decimal point relative to the first significant digit.
    n = len(whole.lstrip("0")) if whole.strip("0") else -(len(frac) - len(frac.lstrip("0")))
    n += int(exp or 0)
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    exponent = f"e+{e}" if e >= 0 else f"e-{-e}"
    if k == 1:
        return sign + digits + exponent
    return sign + digits[0] + "." + digits[1:] + exponent


def js_string(value: Any) -> str:
    """What a template engine prints for ``value``: JavaScript ``String(value)``, with
    ``null`` and ``undefined`` printing as nothing (Handlebars and Nunjucks both do)."""
    if value is None or value is UNDEFINED:
        return ""
    return _to_string(value)


def _to_string(value: Any) -> str:
    if value is None or value is UNDEFINED:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return js_number(value)
    if isinstance(value, list | tuple):
        # Array.prototype.toString: elements joined by ',', null/undefined as ''.
        return ",".join(_to_string(v) for v in value)
    if isinstance(value, Mapping):
        return "[object Object]"
    return str(value)


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness: empty arrays and objects are true, unlike Python."""
    if value is None or value is UNDEFINED or value is False:
        return False
    if isinstance(value, str):
        return value != ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    return True


# String.prototype.trim's whitespace: WhiteSpace and LineTerminator code points.
_JS_SPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def js_trim(text: str) -> str:
    """``String.prototype.trim``: Python's ``strip`` disagrees on a few code points."""
    return text.strip(_JS_SPACE)
