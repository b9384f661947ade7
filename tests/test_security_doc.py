"""docs/security.md names, for every attack, the tests that perform it: each must exist."""

from __future__ import annotations

import re
from pathlib import Path

from tests.release.tamper_cases import CASES

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
ATTACKS = (
    "Arbitrary content",
    "Rollback",
    "Freeze",
    "Mix-and-match",
    "Endless data",
    "Slow retrieval",
    "Key compromise",
    "Malicious mirror",
    "Fast-forward",
)


def _sections() -> dict[str, str]:
    parts = re.split(r"^### (.+)$", DOC, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_every_attack_tuf_lists_has_a_section_naming_tests() -> None:
    sections = _sections()
    for attack in ATTACKS:
        assert attack in sections, attack
        assert "tests/" in sections[attack] or "tamper case" in sections[attack], attack


def test_every_named_test_exists() -> None:
    current: Path | None = None
    checked = 0
    for m in re.finditer(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`", DOC):
        path, name = m.group(1), m.group(2)
        if path:
            current = ROOT / path
            assert current.is_file(), path
        if name:
            assert current is not None, name
            assert re.search(rf"^def {name}\(", current.read_text(), re.M), f"{current}::{name}"
            checked += 1
    assert checked >= 30


def test_every_named_tamper_case_exists() -> None:
    names = {c.name for c in CASES}
    cited: set[str] = set()
    for m in re.finditer(r"tamper cases?\s+((?:`[a-z0-9_]+`[,\s]*(?:and\s+)?)+)", DOC):
        cited |= set(re.findall(r"`([a-z0-9_]+)`", m.group(1)))
    assert len(cited) >= 15
    assert cited <= names, cited - names
