"""A read-only mapping that builds pydantic models on first access.

Validating 10,000 documents costs far more than checking 50 changed files, so a document is
(re)built only when a caller reads it: from data still in memory after a fresh check, or
by re-reading and re-parsing its blob. Models are shared across loads by content.
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping, ValuesView
from typing import Any, Generic, TypeVar

from promptops.spec._base import SpecModel

__all__ = ["Deferred", "LazyModels"]

M = TypeVar("M", bound=SpecModel)
# paths -> parsed plain data (documents that cannot be read are absent)
DataLoader = Callable[[list[str]], dict[str, Any]]
# paths -> the same data encoded (``store.encode_data``), where the store holds it
EncodedLoader = Callable[[list[str]], dict[str, bytes]]

_MODELS: dict[tuple[str, str, str], SpecModel] = {}
_MAX_MODELS = 100_000
# A miss in a mapping this small reads every document of it in one batch.
_BATCH_ALL = 256


V = TypeVar("V")


class Deferred(Mapping[str, V], Generic[V]):
    """A mapping built on first use: a load of 50,000 documents lists them only for a caller
    that looks (``validate`` never does). ``size``, when given, answers ``len`` unbuilt."""

    def __init__(self, build: Callable[[], Mapping[str, V]], size: int | None = None) -> None:
        self._build = build
        self._built: Mapping[str, V] | None = None
        self._size = size

    @property
    def _data(self) -> Mapping[str, V]:
        if self._built is None:
            self._built = self._build()
        return self._built

    def __getitem__(self, key: str) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return self._size if self._built is None and self._size is not None else len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __repr__(self) -> str:
        return f"Deferred({dict(self._data)!r})"


class LazyModels(Mapping[str, M], Generic[M]):
    """key -> model; entries are (path, blob id, plain data or None)."""

    def __init__(
        self,
        cls: type[M],
        entries: Mapping[str, tuple[str, str, Any]],
        load: DataLoader,
        encoded: EncodedLoader | None = None,
    ) -> None:
        self._cls = cls
        self._entries = entries
        self._load = load
        self._encoded = encoded

    def _memo(self, key: str) -> tuple[str, str, str]:
        path, oid, _ = self._entries[key]
        return (self._cls.__name__, path, oid)

    def _build(self, key: str, data: Any) -> M:
        if len(_MODELS) > _MAX_MODELS:
            _MODELS.clear()
        model = self._cls.model_validate(data)
        _MODELS[self._memo(key)] = model
        return model

    def __getitem__(self, key: str) -> M:
        path, _, data = self._entries[key]
        model = _MODELS.get(self._memo(key))
        if model is None:
            if data is None and len(self._entries) <= _BATCH_ALL:
                # Small mappings (instructions, partials): one read for all beats one per use.
                self.prefetch()
                model = _MODELS.get(self._memo(key))
            if model is None:
                if data is None:
                    data = self._load([path]).get(path)
                if data is None:  # the file vanished or changed since it was checked
                    raise KeyError(key)
                model = self._build(key, data)
        assert isinstance(model, self._cls)
        return model

    def prefetch(self, keys: Iterable[str] | None = None) -> None:
        """Build every model (or only those of ``keys``) now, reading the blobs that are
        needed in one batch."""
        wanted = self._entries if keys is None else [k for k in keys if k in self._entries]
        todo = [k for k in wanted if self._memo(k) not in _MODELS]
        need = [self._entries[k][0] for k in todo if self._entries[k][2] is None]
        loaded = self._load(need) if need else {}
        for key in todo:
            path, _, data = self._entries[key]
            data = data if data is not None else loaded.get(path)
            if data is not None:
                self._build(key, data)

    def encoded(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The stored, encoded plain data (``store.decode_data`` reads it) of the documents
        of ``keys`` that have some, without building models: what a worker process needs to
        build one itself (the compiler's do)."""
        if self._encoded is None:
            return {}
        wanted = {self._entries[k][0]: k for k in keys if k in self._entries}
        found = self._encoded(list(wanted))
        return {wanted[path]: blob for path, blob in found.items()}

    def items(self) -> ItemsView[str, M]:
        self.prefetch()
        return super().items()

    def values(self) -> ValuesView[M]:
        self.prefetch()
        return super().values()

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __repr__(self) -> str:
        return f"LazyModels({self._cls.__name__}, {len(self)} entries)"
