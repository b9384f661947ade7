"""What a load reads before its files: the four fixed files, rules.yaml's ``limits:`` and
models.yaml's minimum version, from the store by blob where it knows them (ADR 0017: a load
the store can answer parses nothing), else parsed."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError as SchemaError

from promptops.repo.config import Limits
from promptops.repo.context import CheckContext
from promptops.repo.gitio import GitRepo
from promptops.repo.reading import Snapshot, prefix_of
from promptops.repo.result import FileResult
from promptops.repo.sources import blob_id, read_capped
from promptops.repo.store import Record, Store, decode_data, encode_data
from promptops.repo.types import Diagnostic
from promptops.repo.version import check_min_version
from promptops.spec import RepositoryLimits
from promptops.spec.header import split_header

__all__ = ["fixed_results", "limit_settings", "min_version", "stored_body"]


def stored_body(store: Store, blob: str) -> Any:
    """The data (without its header) of the checked document with git blob id ``blob``,
    from the store; None if the store has none. Spares PyYAML on a load whose files are
    all known: only a document that checked cleanly enough to have data is stored."""
    found = store.documents([blob]).get(blob)
    try:
        return decode_data(found) if found is not None else None
    except ValueError:
        return None


def fixed_results(
    snap: Snapshot, fixed: list[str], ctx: CheckContext, store: Store
) -> dict[str, FileResult]:
    """The check results of the fixed files, with their data: from the store for the
    blobs it knows (results and documents are keyed by blob, as for every other file),
    checked now for the others, and stored."""
    files = snap.files
    found = store.results(ctx.key, [(p, files[p]) for p in fixed])
    out: dict[str, FileResult] = {}
    missing: list[str] = []
    for p in fixed:
        record = found.get((ctx.key, p, files[p]))
        if record is not None and record.kind is None:
            out[p] = record.result  # did not load: its diagnostics are all there is
            continue
        body = stored_body(store, files[p]) if record is not None else None
        if record is None or body is None:
            missing.append(p)
            continue
        out[p] = dataclasses.replace(record.result, data=body)
    if missing:
        from promptops.repo.filecheck import check_file

        data = snap.read(missing)
        for p in missing:
            result = check_file(p, data.get(p, b""), ctx)
            store.put_result((ctx.key, p, files[p]), Record.of(result))
            if result.kind is not None:
                store.put_document(files[p], encode_data(result.data))
            out[p] = result
    return {p: out[p] for p in fixed}


def min_version(snap: Snapshot, limits: Limits, store: Store) -> Diagnostic | None:
    if "models.yaml" not in snap.files:
        return None
    body = stored_body(store, snap.files["models.yaml"])
    if isinstance(body, dict) and (
        check_min_version(body.get("minimum_promptops_version"), (1, 1)) is None
    ):
        return None  # nothing to report: no position needed, so nothing to parse
    from promptops.repo.yamlload import YamlProblem, parse_yaml

    data = snap.read(["models.yaml"]).get("models.yaml")
    try:
        parsed = parse_yaml(data, limits) if data is not None else None
    except YamlProblem:
        return None  # reported with the file's other diagnostics
    if parsed is None or not isinstance(parsed.data, dict):
        return None
    from promptops.repo.positions import locate

    pos = locate(parsed.root, ("minimum_promptops_version",))
    return check_min_version(parsed.data.get("minimum_promptops_version"), pos)


def _rules_bytes(
    root: Path,
    git: GitRepo | None,
    ref: str | None,
    base: Limits,
    contents: Mapping[str, bytes] | None = None,
) -> bytes | None:
    for name in ("policies/rules.yaml", "policies/rules.yml"):
        if contents is not None:
            data = contents.get(name)
        elif ref is None or git is None:
            data = read_capped(root / name, base)
        else:
            data = git.show(ref, prefix_of(git, root) + name)
        if data is not None:
            return data
    return None


def limit_settings(
    root: Path,
    git: GitRepo | None,
    ref: str | None,
    base: Limits,
    overrides: Mapping[str, int],
    contents: Mapping[str, bytes] | None = None,
    store: Store | None = None,
) -> dict[str, int]:
    """rules.yaml's ``limits:``, then ``overrides`` (the command line), name -> value.

    Read before anything else, since they decide how everything else is listed and read. A
    rules.yaml that does not load sets nothing here; its diagnostics come with the others.
    """
    data = _rules_bytes(root, git, ref, base, contents)
    settings: dict[str, int] = {}
    if data is not None:
        body = stored_body(store, blob_id(data)) if store is not None else None
        if body is None:
            from promptops.repo.yamlload import YamlProblem, parse_yaml

            try:
                body = split_header(parse_yaml(data, base).data)[1]
            except YamlProblem:
                body = None
        if isinstance(body, dict) and isinstance(body.get("limits"), dict):
            with contextlib.suppress(SchemaError):
                settings = RepositoryLimits.model_validate(body["limits"]).settings()
    return {**settings, **overrides}
