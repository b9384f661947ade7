"""Compile a prompt repository into one canonical, indexed ``bundle.json`` (ADR 0002)."""

from promptops.compile._format import FORMAT, read_index
from promptops.compile.build import BUNDLE_NAME, build
from promptops.compile.bundle import Bundle, compile_prompt, compile_repository, default_cache
from promptops.compile.cache import CompileCache
from promptops.compile.config import CompileConfig
from promptops.compile.engine import Engine, analyse
from promptops.compile.scope import Preview, Selection, preview_bundle, select_prompts
from promptops.repo.types import SourceInfo

__all__ = [
    "BUNDLE_NAME",
    "FORMAT",
    "Bundle",
    "CompileCache",
    "CompileConfig",
    "Engine",
    "Preview",
    "Selection",
    "SourceInfo",
    "analyse",
    "build",
    "compile_prompt",
    "compile_repository",
    "default_cache",
    "preview_bundle",
    "read_index",
    "select_prompts",
]
