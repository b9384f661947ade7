"""The one JSON parser for every byte the runtime reads from a source or a cache.

Bounded in size and nesting depth, and every failure is a :class:`BundleError` (or the
error class the caller names): a hostile ``'[' * 20000`` is refused before the recursive C
scanner sees it, never a ``RecursionError``. Signed payloads must also be canonical JSON
(sorted keys, no duplicates, compact separators, no needless escapes, shortest numbers:
what :func:`promptops.canonical.canonical_bytes` writes), so that one payload has exactly
one meaning for every parser that reads it.

Cost matters (a 10,000-prompt manifest is 850 kB): the depth bound is checked with
``bytes.find`` (memchr) unless a document holds more brackets than the bound, and
canonical form is proved from the parsed value with C-level sums (see
:func:`_canonical_length`) unless the text holds whitespace, escapes or non-ASCII, when
the value is re-serialised and compared byte for byte.
"""

import json
import re
from typing import Any

from promptops.errors import BundleError

__all__ = ["MAX_JSON_DEPTH", "parse_canonical", "parse_json"]

# Compiled prompts nest their input schemas a few levels below the prompt object; the
# repository caps YAML nesting at 64 levels, so 128 leaves room and still refuses attacks.
MAX_JSON_DEPTH = 128
_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]|[\]}]')
# Bytes that send a payload to the exact (re-serialising) check: whitespace and escapes.
_EXACT_CHECK = (b" ", b"\n", b"\r", b"\t", b"\\")
_SMALL = 8 * 1024
# Built once: json.dumps/json.loads with options build an encoder per call.
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
_DECODER = json.JSONDecoder()


class _NotCanonical(Exception):
    pass


def _at_most(data: bytes, byte: bytes, limit: int) -> bool:
    """Whether ``data`` holds ``byte`` at most ``limit`` times (memchr per occurrence)."""
    at = -1
    for _ in range(limit + 1):
        at = data.find(byte, at + 1)
        if at < 0:
            return True
    return False


def _depth(data: bytes, limit: int) -> int:
    """Nesting depth of ``data``, counting brackets outside strings; stops past ``limit``."""
    depth = deepest = 0
    for m in _TOKENS.finditer(data):
        token = m.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def _check_bounds(
    data: bytes, where: str, max_bytes: int, max_depth: int, error: type[BundleError]
) -> None:
    if len(data) > max_bytes:
        raise error(f"{where}: {len(data)} bytes exceeds the limit of {max_bytes} bytes")
    # Depth cannot exceed the number of opening brackets: most documents hold a few, and
    # counting them (up to the bound, with memchr, in a large one) is cheap.
    if len(data) <= _SMALL:
        few = data.count(b"[") + data.count(b"{") <= max_depth
    else:
        few = _at_most(data, b"[", max_depth // 2) and _at_most(data, b"{", max_depth // 2)
    if not few and _depth(data, max_depth) > max_depth:
        raise error(f"{where}: JSON nested more than {max_depth} levels deep")


def parse_json(
    data: bytes,
    *,
    where: str,
    max_bytes: int,
    max_depth: int = MAX_JSON_DEPTH,
    error: type[BundleError] = BundleError,
) -> Any:
    """Parse ``data`` as JSON, refusing more than ``max_bytes`` or ``max_depth`` nesting.

    Raises:
        BundleError: (or ``error``) naming ``where`` and what was wrong.
    """
    _check_bounds(data, where, max_bytes, max_depth, error)
    try:
        return json.loads(data)
    except RecursionError:  # unreachable below the bound; kept so nothing escapes unmapped
        raise error(f"{where}: JSON nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise error(f"{where}: not valid JSON ({exc})") from None


def _canonical_length(value: Any) -> int:
    """Length of ``value`` as canonical JSON, if it was parsed from text without whitespace,
    escapes or non-ASCII; raises :class:`_NotCanonical` on keys out of order.

    Under those conditions every string, literal and (checked by the parse hooks) number
    token of the text is already canonical, so the text is canonical exactly when each
    object's keys are sorted and no key was dropped as a duplicate; a dropped duplicate
    makes the parsed value shorter than the text, which the caller compares.
    """
    kind = type(value)
    if kind is str:
        return len(value) + 2
    if kind is dict:
        n = len(value)
        if n == 0:
            return 2
        keys = list(value)
        if n > 1 and keys != sorted(keys):
            raise _NotCanonical
        values = value.values()
        try:
            # "".join is a C-level type check and length in one: the common flat string map.
            inner = len("".join(values)) + 2 * n
        except TypeError:
            inner = sum(map(_canonical_length, values))
        return len("".join(keys)) + 3 * n + inner + n + 1
    if kind is list:
        return 2 + sum(map(_canonical_length, value)) + max(len(value) - 1, 0)
    if value is None or value is True:
        return 4
    if value is False:
        return 5
    return len(repr(value))  # numbers: their token was checked against repr by the hooks


def _int_token(text: str) -> int:
    value = int(text)
    if str(value) != text:  # "-0"
        raise _NotCanonical
    return value


def _float_token(text: str) -> float:
    value = float(text)
    if repr(value) != text:  # "1.50", "1e2", "1E400"
        raise _NotCanonical
    return value


def parse_canonical(payload: bytes, *, where: str, max_bytes: int) -> Any:
    """Parse a signed payload, which must be canonical JSON (see the module docstring).

    Raises:
        BundleError: if it is oversized, too deep, not JSON, or not canonical (a duplicate
            key, unsorted keys, whitespace, needless escapes, a non-shortest number).
    """
    _check_bounds(payload, where, max_bytes, MAX_JSON_DEPTH, BundleError)
    # Below a few kilobytes re-serialising is cheaper than proving it from the parsed value.
    large = len(payload) > _SMALL
    if large and payload.isascii() and all(ch not in payload for ch in _EXACT_CHECK):
        try:
            value = json.loads(payload, parse_int=_int_token, parse_float=_float_token)
            if _canonical_length(value) == len(payload):
                return value
        except (_NotCanonical, ValueError, RecursionError):
            pass  # decided (with the reason) by the exact comparison below
    try:
        value = _DECODER.decode(payload.decode("utf-8"))  # bounded above
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BundleError(f"{where}: not valid JSON ({exc})") from None
    try:
        again = _ENCODER.encode(value).encode("utf-8")
    except ValueError:
        again = b""
    if again != payload:
        raise BundleError(f"{where}: signed payload is not canonical JSON ({_why(payload)})")
    return value


def _why(payload: bytes) -> str:
    """Off the happy path: say what makes ``payload`` non-canonical."""
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                duplicates.append(key)
            seen.add(key)
        return dict(items)

    try:
        json.loads(payload, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return "unparsable"
    if duplicates:
        return f"duplicate key {duplicates[0]!r}"
    return "keys must be sorted, with no whitespace, escapes or number forms canonical JSON avoids"
