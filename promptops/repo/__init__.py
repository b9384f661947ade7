"""Read a prompt repository from the working tree or any git ref; validate it."""

from promptops.repo.config import DEFAULT_LIMITS, Limits
from promptops.repo.loader import find_root, load_repository, validate_repository
from promptops.repo.types import Diagnostic, Repository, SourceInfo

__all__ = [
    "DEFAULT_LIMITS",
    "Diagnostic",
    "Limits",
    "Repository",
    "SourceInfo",
    "find_root",
    "load_repository",
    "validate_repository",
]
