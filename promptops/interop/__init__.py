"""Import prompts from other tools' formats into a prompt repository, and export them.

Formats: ``github-models`` (``*.prompt.yml``), ``prompty``, ``dotprompt``, ``promptfoo``,
``langfuse`` (the prompt JSON its API returns) and ``python`` (prompts hard-coded in
application source). See ADR 0013.
"""

from promptops.interop.importer import FileChange, ImportPlan, plan_import
from promptops.interop.pins import read_pin_map
from promptops.interop.registry import FORMATS, format_module
from promptops.interop.types import ImportResult

__all__ = [
    "FORMATS",
    "FileChange",
    "ImportPlan",
    "ImportResult",
    "format_module",
    "plan_import",
    "read_pin_map",
]
