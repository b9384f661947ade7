"""Cold start of dotpromptz (Google's Dotprompt for Python): read the .prompt file, render it.

``Dotprompt.render`` parses the frontmatter and renders the Handlebars template into messages.
"""

import asyncio
import sys
from pathlib import Path

from dotpromptz import DataArgument, Dotprompt

INPUTS = {"product": "Acme", "customer": "Ada", "question": "How do I reset my password?"}

source = (Path(__file__).parent / "fixtures" / "support.prompt").read_text(encoding="utf-8")
rendered = asyncio.run(Dotprompt().render(source, DataArgument(input=INPUTS)))
if "--show" in sys.argv:
    print([(m.role, [p.text for p in m.content]) for m in rendered.messages])
