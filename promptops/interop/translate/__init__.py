"""Template translation to promptops Jinja: Handlebars (Dotprompt), Nunjucks (promptfoo)
and ``{{var}}`` substitution (GitHub Models, Langfuse), each with a renderer that applies
the source engine's own semantics, so an import can prove what it translated.
"""

from promptops.interop.translate.hbs_ast import TemplateSyntaxError
from promptops.interop.translate.hbs_jinja import translate_handlebars
from promptops.interop.translate.hbs_parse import parse_handlebars
from promptops.interop.translate.hbs_render import HandlebarsError, render_handlebars
from promptops.interop.translate.jinja_hbs import jinja_to_handlebars
from promptops.interop.translate.mustache import render_mustache, translate_mustache
from promptops.interop.translate.njk_jinja import translate_nunjucks
from promptops.interop.translate.njk_parse import parse_nunjucks
from promptops.interop.translate.njk_render import NunjucksError, render_nunjucks
from promptops.interop.translate.problems import Problem, Segment, Translation, Usage

__all__ = [
    "HandlebarsError",
    "NunjucksError",
    "Problem",
    "Segment",
    "TemplateSyntaxError",
    "Translation",
    "Usage",
    "jinja_to_handlebars",
    "parse_handlebars",
    "parse_nunjucks",
    "render_handlebars",
    "render_mustache",
    "render_nunjucks",
    "translate_handlebars",
    "translate_mustache",
    "translate_nunjucks",
]
