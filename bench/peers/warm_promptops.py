"""Warm render of promptops next to the ``str.format_map`` baseline, in one process.

Usage: warm_promptops.py SITE TRUST_JSON CACHE_DIR CHANNEL PROMPT_ID

Prints one JSON object, microseconds per call (best of several timeit rounds, the four
interleaved within each round):
  format_map          the baseline of bench/peers/warm_render.py, measured here again
  render_validated    reg.prompt(id).render(**inputs), input validation on (the default)
  render_unvalidated  the same with RuntimeConfig(validate_inputs=False)
  held_render         a held Prompt's render (validation on): no registry lookup
"""

from __future__ import annotations

import json
import sys

from warm_render import INPUTS, format_map_render, interleaved_us

from promptops.runtime import Registry
from promptops.runtime.config import RuntimeConfig


def main() -> None:
    site, trust, cache_dir, channel, prompt_id = sys.argv[1:6]
    fns = {"format_map": format_map_render()}
    for label, config in (
        ("render_validated", RuntimeConfig()),
        ("render_unvalidated", RuntimeConfig(validate_inputs=False)),
    ):
        reg = Registry.open(site, trust=trust, channel=channel, cache_dir=cache_dir, config=config)
        reg.prompt(prompt_id).render(**INPUTS)  # compile the templates once, outside the timing
        fns[label] = lambda reg=reg: reg.prompt(prompt_id).render(**INPUTS)
        if label == "render_validated":
            held = reg.prompt(prompt_id)
            fns["held_render"] = lambda held=held: held.render(**INPUTS)
    print(json.dumps(interleaved_us(fns)))


if __name__ == "__main__":
    main()
