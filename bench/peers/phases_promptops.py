"""Where a promptops cold start goes: import, open (fetch + verify), first render.

Usage: phases_promptops.py SITE TRUST_JSON CACHE_DIR CHANNEL PROMPT_ID

The same steps as cold_promptops.py, each timed with ``time.perf_counter`` inside the fresh
process; prints one JSON object in milliseconds. Interpreter start-up is not included
(``python -c pass`` measures it).
"""

import time

t0 = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402

from promptops.runtime import Registry  # noqa: E402

t1 = time.perf_counter()
site, trust, cache_dir, channel, prompt_id = sys.argv[1:6]
reg = Registry.open(site, trust=trust, channel=channel, cache_dir=cache_dir)
t2 = time.perf_counter()
reg.prompt(prompt_id).render(product="Acme", customer="Ada", question="How do I reset my password?")
t3 = time.perf_counter()
print(
    json.dumps(
        {"import": (t1 - t0) * 1e3, "open": (t2 - t1) * 1e3, "first_render": (t3 - t2) * 1e3}
    )
)
