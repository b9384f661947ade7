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
    "opentelemetry",  # only with RuntimeConfig(otel=True) or Registry.trace
]
# Standard-library modules the cold start measured in bench/bench_cold_start.py has no use
# for: dataclasses (with inspect, ~9 ms), hashlib (a second libcrypto next to the one
# cryptography links, ~3 ms), base64, copy. Each one back on this path is time every
# application start pays.
NOT_ON_COLD_START = ["dataclasses", "inspect", "hashlib", "_hashlib", "base64", "copy"]


def _loaded_after(
    pub: Path, prompt: str, inputs: dict[str, object], cache: Path | None = None
) -> set[str]:
    import base64

    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = base64.b64encode(KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    code = textwrap.dedent(f"""
        import datetime as dt, json, sys
        from promptops.runtime import Registry, RuntimeConfig
        now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
        reg = Registry.open({str(pub)!r}, trust=[{key!r}], channel="production",
                            config=RuntimeConfig(clock=lambda: now),
                            cache_dir={str(cache) if cache else None!r})
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


def test_warm_cache_start_loads_no_stdlib_module_it_has_no_use_for(tmp_path: Path) -> None:
    publish(tmp_path / "pub")
    cache = tmp_path / "cache"
    _loaded_after(tmp_path / "pub", "greet", {"name": "Ada"}, cache)  # fills the cache
    assert (cache / "blobs").is_dir()
    loaded = _loaded_after(tmp_path / "pub", "greet", {"name": "Ada"}, cache)
    assert loaded.isdisjoint(NOT_ON_COLD_START), loaded & set(NOT_ON_COLD_START)
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)


def test_runtime_records_are_built_without_compiling_string_annotations() -> None:
    # typing.NamedTuple compiles every string annotation into a ForwardRef when the class
    # is created (~0.2 ms a class), so the modules defining them evaluate annotations
    # eagerly instead of using `from __future__ import annotations`.
    import ast

    import promptops.runtime

    for path in sorted(Path(promptops.runtime.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        records = [
            node.name
            for node in tree.body
            if isinstance(node, ast.ClassDef)
            and any(isinstance(b, ast.Name) and b.id == "NamedTuple" for b in node.bases)
        ]
        future = any(
            isinstance(node, ast.ImportFrom) and node.module == "__future__" for node in tree.body
        )
        assert not (records and future), f"{path.name}: {records}"


def test_the_oci_source_loads_no_heavy_module() -> None:
    code = "import json, sys, promptops.runtime.source_oci; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = _top(set(json.loads(out.stdout)))
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)
