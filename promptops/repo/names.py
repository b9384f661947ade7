"""``.yml`` is accepted wherever ``.yaml`` is: one canonical name per document.

The checks, the caches and the cross-file facts all work on canonical paths (``.yml``
spelled ``.yaml``), so a document is the same whichever suffix it has; reading and every
diagnostic use the file's real name. Two files for one document (``a.yaml`` and ``a.yml``)
are an error: which one wins would be an accident of listing order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from promptops.repo.types import Diagnostic

if TYPE_CHECKING:
    from promptops.repo.reading import Snapshot

__all__ = ["YAML_SUFFIXES", "canonical", "canonicalise", "is_yaml", "stem"]

YAML_SUFFIXES = (".yaml", ".yml")


def is_yaml(path: str) -> bool:
    """Whether ``path`` names a YAML source (``.yaml`` or ``.yml``)."""
    return path.endswith(YAML_SUFFIXES)


def canonical(path: str) -> str:
    """``prompts/a.yml`` -> ``prompts/a.yaml``; other paths unchanged."""
    return path[: -len(".yml")] + ".yaml" if path.endswith(".yml") else path


def stem(path: str) -> str:
    """The path without its YAML suffix (``prompts/a/b.yml`` -> ``prompts/a/b``)."""
    for suffix in YAML_SUFFIXES:
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def canonicalise(snap: Snapshot) -> list[Diagnostic]:
    """Rename ``snap``'s ``.yml`` files to canonical paths in place (``snap.actual`` maps
    them back); return an error for each ``.yml`` file whose ``.yaml`` twin exists (the
    ``.yml`` one is then left out)."""
    renamed = {p: canonical(p) for p in snap.files if p.endswith(".yml")}
    if not renamed:
        return []
    problems: list[Diagnostic] = []
    files: dict[str, str] = {}
    kept: dict[str, str] = {}  # canonical -> real name, for the .yml files kept
    for path, oid in snap.files.items():
        name = renamed.get(path, path)
        if path in renamed and name in snap.files:
            problems.append(
                Diagnostic(
                    path,
                    1,
                    1,
                    "error",
                    "duplicate-id",
                    f"'{path}' and '{name}' are the same document; keep one of them "
                    "(.yml and .yaml are the same suffix to promptops)",
                )
            )
            continue
        files[name] = oid
        if path in renamed:
            kept[name] = path
    snap.actual = kept
    snap.files = files
    # The original reader still reads by real name (its own dict of bytes is untouched).
    dropped = {p for p in renamed if kept.get(renamed[p]) != p}
    snap.contents = {
        renamed.get(p, p): data for p, data in snap.contents.items() if p not in dropped
    }
    read = snap.read

    def read_canonical(paths: list[str]) -> dict[str, bytes]:
        got = read([snap.actual.get(p, p) for p in paths])
        back = {snap.actual.get(p, p): p for p in paths}
        return {back.get(p, p): data for p, data in got.items()}

    snap.read = read_canonical
    return problems
