"""The runtime stays thin: a fresh interpreter that opens a release and renders loads none
of the authoring tool chain, and Jinja only for templates that need it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.runtime.fixtures import KEY, publish

HEAVY = [
    "pydantic",
    "ruamel",
    "git",
    "click",
    "deepdiff",
    "rich",
    "yaml",
    "jsonschema",
    "jsonschema_rs",
    "fastjsonschema",
    "securesystemslib",
    "openai",
    "anthropic",
    "httpx",
]


def _loaded_after(pub: Path, prompt: str, inputs: dict[str, object]) -> set[str]:
    import base64

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = base64.b64encode(KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    code = textwrap.dedent(f"""
        import datetime as dt, json, sys
        from promptops.runtime import Registry, RuntimeConfig
        now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
        reg = Registry.open({str(pub)!r}, trust=[{key!r}], channel="production",
                            config=RuntimeConfig(clock=lambda: now))
        reg.prompt({prompt!r}).render(**{inputs!r})
        print(json.dumps(sorted(sys.modules)))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def _top(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_substitute_render_loads_no_heavy_module_and_no_jinja(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    loaded = _top(_loaded_after(tmp_path / "pub", "greet", {"name": "Ada"}))
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)
    assert "jinja2" not in loaded


def test_jinja_render_loads_jinja_and_still_nothing_heavy(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    loaded = _top(_loaded_after(tmp_path / "pub", "support/loop", {"name": "A", "articles": ["x"]}))
    assert "jinja2" in loaded
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)
