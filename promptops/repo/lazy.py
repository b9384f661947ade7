"""A read-only mapping that builds pydantic models on first access.

Re-validating 10,000 documents costs far more than checking 50 changed files, so models are
rebuilt from cached data only when a caller reads them, and shared across loads by content.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

from promptops.spec._base import SpecModel

__all__ = ["LazyModels"]

M = TypeVar("M", bound=SpecModel)

_MODELS: dict[tuple[str, str, str], SpecModel] = {}
_MAX_MODELS = 200_000


class LazyModels(Mapping[str, M], Generic[M]):
    """key -> model; entries are (path, blob id, validated plain data)."""

    def __init__(self, cls: type[M], entries: dict[str, tuple[str, str, Any]]) -> None:
        self._cls = cls
        self._entries = entries

    def __getitem__(self, key: str) -> M:
        path, oid, data = self._entries[key]
        memo = (self._cls.__name__, path, oid)
        model = _MODELS.get(memo)
        if model is None:
            if len(_MODELS) > _MAX_MODELS:
                _MODELS.clear()
            model = self._cls.model_validate(data)
            _MODELS[memo] = model
        assert isinstance(model, self._cls)
        return model

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __repr__(self) -> str:
        return f"LazyModels({self._cls.__name__}, {len(self)} entries)"
