"""Cold start of the promptops runtime at scale: import, open a published release from a
warm cache, render one prompt once.

Usage: cold_runtime.py SITE TRUST_JSON CACHE_DIR PROMPT_ID [--show] [--phases]

As cold_promptops.py, with ``max_bundle_bytes`` at 256 MiB for every code version (the
default of 64 MiB before issue 16 refused a 50,000-prompt bundle), so that every size
loads on every version measured. ``bench/support-answer`` substitutes three inputs;
``bench/jinja-answer`` also loops over a list (a template that needs Jinja). With
``--phases`` it prints import, open and first-render milliseconds as JSON.
"""

import time

t0 = time.perf_counter()

import sys  # noqa: E402

from promptops.runtime import Registry, RuntimeConfig  # noqa: E402

t1 = time.perf_counter()
site, trust, cache_dir, prompt_id = sys.argv[1:5]
config = RuntimeConfig(max_bundle_bytes=256 * 1024 * 1024)
reg = Registry.open(site, trust=trust, channel="production", cache_dir=cache_dir, config=config)
t2 = time.perf_counter()
inputs = {"product": "Acme", "customer": "Ada", "question": "How do I reset my password?"}
if prompt_id == "bench/jinja-answer":
    inputs["articles"] = ["Open Settings.", "Choose Reset."]  # type: ignore[assignment]
request = reg.prompt(prompt_id).render(**inputs)
t3 = time.perf_counter()
if "--show" in sys.argv:
    print(request.messages)
if "--phases" in sys.argv:
    import json

    ms = {"import": t1 - t0, "open": t2 - t1, "first_render": t3 - t2}
    print(json.dumps({k: v * 1000 for k, v in ms.items()}))
