"""promptops: a git repository as the single source of truth for LLM prompts.

This module stays import-light on purpose: ``promptops.runtime`` is imported by
applications and must not pay for the authoring tool chain.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
