"""``promptops models check``: what the providers say about each pin, and ``--update``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from promptops.errors import UsageError, ValidationError
from promptops.models.lifecycle import (
    Notice,
    PinStatus,
    fetch,
    merge,
    parse_azure,
    parse_litellm,
    parse_openai,
    parse_repository_file,
    write_lifecycle,
)
from promptops.repo import load_repository

__all__ = ["FeedSource", "LifecycleCheck", "check_models"]

AZURE_API_VERSION = "2024-10-21"


@dataclass(frozen=True)
class FeedSource:
    """One feed: ``kind`` is openai, azure, litellm or file; ``where`` a URL or a path."""

    kind: str
    where: str


@dataclass(frozen=True)
class LifecycleCheck:
    statuses: tuple[PinStatus, ...]
    updated: tuple[str, ...]
    today: dt.date

    @property
    def retired(self) -> list[PinStatus]:
        return [s for s in self.statuses if s.retires is not None and self.today >= s.retires]


def _read(source: FeedSource, env: Mapping[str, str]) -> list[Notice]:
    if source.kind == "openai":
        base = source.where.rstrip("/")
        key = env.get("OPENAI_API_KEY", "")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return parse_openai(fetch(f"{base}/models", headers), f"openai ({base})")
    if source.kind == "azure":
        base = source.where.rstrip("/")
        url = f"{base}/openai/models?api-version={AZURE_API_VERSION}"
        key = env.get("AZURE_OPENAI_API_KEY", "")
        return parse_azure(fetch(url, {"api-key": key} if key else {}), f"azure ({base})")
    if source.kind == "litellm":
        return parse_litellm(fetch(source.where, {}), f"litellm ({source.where})")
    return parse_repository_file(fetch(source.where, {}), source.where)


def check_models(
    path: str | Path,
    sources: Sequence[FeedSource],
    *,
    update: bool = False,
    today: dt.date | None = None,
    env: Mapping[str, str] | None = None,
) -> LifecycleCheck:
    """Read every feed, merge per pin with models.yaml's ``lifecycle:``; with ``update``,
    write the merged entries into models.yaml for review.

    Raises:
        ValidationError: if the repository does not validate.
        UsageError: if there is no source and nothing stored.
        FetchError: if a feed cannot be read or is not what it claims to be.
    """
    repo = load_repository(path)
    if not repo.ok and not any(d.code in ("retired-model",) for d in repo.errors):
        raise ValidationError("cannot check models: the repository does not validate",
                              list(repo.errors))  # fmt: skip
    notices: list[Notice] = []
    for source in sources:
        notices += _read(source, env or {})
    pins = {n: (p.model, p.lifecycle) for n, p in repo.models.models.items()}
    statuses = merge(pins, notices)
    if update and not sources:
        raise UsageError("--update needs a feed: --openai, --azure, --litellm or --file")
    updated = write_lifecycle(repo.root / "models.yaml", statuses) if update else []
    return LifecycleCheck(tuple(statuses), tuple(updated), today or dt.date.today())
