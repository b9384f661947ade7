"""Eval assertions: one-key mappings compiled once, checked against each response.

``compile_assertion({"contains": "refund"})`` validates the argument (a bad regex or
schema fails here, before any request is sent) and returns an :class:`Assertion` whose
:meth:`Assertion.check` gives ``None`` on pass or the reason it failed
("expected output to contain 'refund'").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from promptops.evals.checks import BUILDERS, AssertionSpecError, Check, Observed, regex_check

__all__ = [
    "KINDS",
    "Assertion",
    "AssertionSpecError",
    "Observed",
    "check_all",
    "compile_assertion",
]


@dataclass(frozen=True)
class Assertion:
    """A compiled assertion; ``phrase`` completes "expected ..." for the positive form."""

    kind: str
    phrase: str
    negated_phrase: str
    fn: Check
    negated: bool = False

    def check(self, observed: Observed) -> str | None:
        """``None`` if the assertion holds for ``observed``, else why it does not."""
        passed, found = self.fn(observed)
        if passed != self.negated:
            return None
        reason = f"expected {self.negated_phrase if self.negated else self.phrase}"
        if found and not self.negated:
            reason += f"; found {found}"
        return reason


# Graded kinds (promptops.evals.judges) are listed too, for did-you-mean suggestions.
KINDS = (*BUILDERS, "regex", "not_contains", "not", "rubric", "groundedness", "relevance",
         "factuality", "similar", "python", "select_best")  # fmt: skip


def _negate(phrase: str) -> str:
    # Every phrase reads "<subject> to <predicate>".
    return phrase.replace(" to ", " not to ", 1)


def compile_assertion(spec: Any, *, max_regex_chars: int = 1_000) -> Assertion:
    """Validate one ``{type: argument}`` mapping and compile it.

    Raises:
        AssertionSpecError: if the type is unknown or its argument is malformed.
    """
    if not isinstance(spec, dict) or len(spec) != 1:
        raise AssertionSpecError(
            f"an assertion is a mapping with exactly one key like {{contains: 'x'}}, found {spec!r}"
        )
    ((kind, arg),) = spec.items()
    if kind == "not":
        inner = compile_assertion(arg, max_regex_chars=max_regex_chars)
        return Assertion(
            f"not {inner.kind}", inner.phrase, inner.negated_phrase, inner.fn, not inner.negated
        )
    if kind == "not_contains":
        phrase, fn = BUILDERS["contains"](arg)
        return Assertion(kind, phrase, _negate(phrase), fn, negated=True)
    if kind == "regex":
        phrase, fn = regex_check(arg, max_regex_chars)
    elif kind in BUILDERS:
        phrase, fn = BUILDERS[kind](arg)
    else:
        import difflib  # a mistyped assertion type only

        close = difflib.get_close_matches(str(kind), KINDS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(KINDS)}"
        raise AssertionSpecError(f"unknown assertion type {kind!r}{hint}")
    return Assertion(str(kind), phrase, _negate(phrase), fn)


def check_all(assertions: Sequence[Assertion], observed: Observed) -> list[str]:
    """Reasons of every failing assertion, in order."""
    return [r for a in assertions if (r := a.check(observed)) is not None]
