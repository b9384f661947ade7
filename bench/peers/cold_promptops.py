"""Cold start of promptops: import the runtime, open a published release, render once.

Usage: cold_promptops.py SITE TRUST_JSON CACHE_DIR CHANNEL PROMPT_ID [--show]

``Registry.open`` follows the signed channel pointer, verifies the release manifest's
signatures against the trust root and the bundle's sha256 (served from the warm cache), as
every application start does. Arguments are read from ``sys.argv`` directly: an argument
parser would be the benchmark's own cost, not the runtime's.
"""

import sys

from promptops.runtime import Registry

site, trust, cache_dir, channel, prompt_id = sys.argv[1:6]
reg = Registry.open(site, trust=trust, channel=channel, cache_dir=cache_dir)
request = reg.prompt(prompt_id).render(
    product="Acme", customer="Ada", question="How do I reset my password?"
)
if "--show" in sys.argv:
    print(request.messages)
