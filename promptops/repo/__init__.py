"""Read a prompt repository from the working tree or any git ref; validate it."""

from promptops.repo.types import Diagnostic, Repository, SourceInfo

__all__ = ["Diagnostic", "Repository", "SourceInfo"]
