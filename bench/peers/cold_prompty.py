"""Cold start of prompty: load the .prompty file, then prepare (render + parse) one request.

``prompty.prepare`` is the documented step that turns a loaded prompt and its inputs into the
chat messages an executor sends; nothing reaches the network.
"""

import sys
from pathlib import Path

import prompty

INPUTS = {"product": "Acme", "customer": "Ada", "question": "How do I reset my password?"}

agent = prompty.load(str(Path(__file__).parent / "fixtures" / "support.prompty"))
messages = prompty.prepare(agent, inputs=INPUTS)
if "--show" in sys.argv:
    print([(m.role, m.text) for m in messages])
