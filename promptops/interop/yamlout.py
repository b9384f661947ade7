"""Write the YAML of generated repository files: readable, stable, and read back exactly.

Keys keep the order they are given in; multi-line text becomes a literal block (``|``)
wherever YAML can hold it verbatim, quoted otherwise; small leaf mappings and lists stay
on one line. The output is loaded back and compared before it is used, so a value YAML
would read differently (a string that looks like a date, a lone tab) can never slip by.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import yaml

__all__ = ["dump_many", "dump_yaml", "template_text"]

# Below this many files a worker pool costs more than it saves (PyYAML's emitter is pure
# Python: ~1 ms a file).
PARALLEL_MIN = 1_500


_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


class _Dumper(yaml.SafeDumper):
    # PyYAML refuses a literal block for text with trailing spaces on a line; YAML keeps
    # them, and prompts have them. dump_yaml checks the result loads back exactly.
    force_literal = True

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def choose_scalar_style(self) -> str:
        event = self.event
        value = getattr(event, "value", "")
        if (
            self.force_literal
            and getattr(event, "style", None) == "|"
            and "\n" in value
            and "\r" not in value
            and not _NON_PRINTABLE.search(value)
        ):
            return "|"
        style: str = super().choose_scalar_style()
        return style

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as the rest of the repository is written.
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def template_text(template: str) -> str:
    """The YAML value of a template: the compiler strips one trailing newline (ADR 0002),
    so one is added and a template that ends in a newline keeps it."""
    return template + "\n"


def dump_yaml(data: Any, header: str = "", *, flow: bool = True) -> str:
    """YAML text for ``data`` (plain JSON-like values), after an optional comment header;
    ``flow=False`` writes every mapping as a block (for files people edit by hand).

    Raises:
        ValueError: if the YAML would not load back as ``data`` (a bug, never user input).
    """
    for force in (True, False):
        dumper = type("_D", (_Dumper,), {"force_literal": force})
        text = yaml.dump(
            data,
            Dumper=dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=None if flow else False,
            width=100,
            indent=2,
        )
        if yaml.load(text, Loader=yaml.CSafeLoader) == data:
            break
    else:
        raise ValueError("generated YAML does not read back as written")
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + text


def _dump_pair(item: tuple[Any, str]) -> str:
    return dump_yaml(item[0], item[1])


def dump_many(items: list[tuple[Any, str]]) -> list[str]:
    """:func:`dump_yaml` of each ``(data, header)``, on every core when there are many
    (the same rule as the repository loader's worker pool: single-threaded callers on a
    system that forks).

    Raises:
        ValueError: as :func:`dump_yaml`.
    """
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < PARALLEL_MIN or workers < 2 or threading.active_count() > 1:
        return [dump_yaml(data, header) for data, header in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return [dump_yaml(data, header) for data, header in items]
    size = max(100, len(items) // (workers * 4))
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    with pool:
        return list(pool.map(_dump_pair, items, chunksize=size))
