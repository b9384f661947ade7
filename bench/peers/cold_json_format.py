"""Cold-start baseline: json.load of an equivalent prompt, then str.format_map per message.

Run in a fresh interpreter by bench/bench_cold_start.py; ``--show`` prints the messages.
"""

import json
import sys
from pathlib import Path

INPUTS = {"product": "Acme", "customer": "Ada", "question": "How do I reset my password?"}

with (Path(__file__).parent / "fixtures" / "support_format.json").open("rb") as f:
    prompt = json.load(f)
messages = [
    {"role": m["role"], "content": m["content"].format_map(INPUTS)} for m in prompt["messages"]
]
if "--show" in sys.argv:
    print(json.dumps(messages))
