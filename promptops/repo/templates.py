"""Static checks of Jinja2 templates: syntax, variables, includes, sandbox-refused constructs.

Lines are relative to the template (1-based); the caller shifts them into the file. Most
prompt templates use a small subset of Jinja2 that regular expressions read exactly
(:mod:`promptops.repo.template_subset`); Jinja2 itself (about 85 ms to import, and ten
times slower to parse) loads only for the others.
"""

from __future__ import annotations

from promptops.repo.template_facts import TemplateFacts
from promptops.repo.template_subset import read_subset

__all__ = ["TemplateFacts", "analyse_template"]


def analyse_template(text: str) -> TemplateFacts:
    """Parse ``text`` and report variables, includes and problems. Never raises."""
    if "{" not in text:
        return TemplateFacts()
    fast = read_subset(text)
    if fast is not None:
        return fast
    from promptops.repo.jinja_walk import analyse_jinja

    facts = TemplateFacts()
    analyse_jinja(text, facts)
    return facts
