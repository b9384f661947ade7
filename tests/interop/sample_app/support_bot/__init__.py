"""A small support assistant whose prompts are hard-coded, as many applications start.

The interop tests lift its prompts with `promptops import python` and check that the
`--rewrite` patch leaves every message it sends unchanged.
"""
