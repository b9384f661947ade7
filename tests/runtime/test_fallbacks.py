"""Fallbacks recorded, not improvised (ADR 0018): a request carries the complete request
for each pin of its pin's fallback chain, adapted to that provider, from YAML to render."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from promptops.compile import compile_repository
from promptops.errors import BundleError, UsageError
from promptops.repo import load_repository
from promptops.runtime import Registry
from tests.helpers import MINIMAL_REPO, write_files
from tests.runtime.fixtures import CONFIG, GREET, TRUST, publish

MODELS = """\
models:
  default:
    provider: openai
    model: gpt-4o-2024-08-06
    params: {temperature: 0.3, max_tokens: 200}
    fallback: claude
  claude:
    provider: anthropic
    model: claude-sonnet-4-5-20250929
    params: {max_tokens: 500}
    fallback: gem
  gem:
    provider: gemini
    model: gemini-2.0-flash-thinking-exp-1219
  solo:
    provider: bedrock
    model: anthropic.claude-3-5-haiku-20241022-v1:0
"""
VARIANTS = """\
variants:
  warm:
    params: {temperature: 0.9}
  alone:
    model: solo
"""


def _open(tmp_path: Path) -> Registry:
    src = tmp_path / "src"
    greet = MINIMAL_REPO["prompts/greet.yaml"] + VARIANTS
    write_files(src, {**MINIMAL_REPO, "models.yaml": MODELS, "prompts/greet.yaml": greet})
    repo = load_repository(src, today=dt.date(2026, 6, 1))
    assert repo.ok, repo.errors
    site = tmp_path / "site"
    publish(site, {"greet": compile_repository(repo, cache=False).prompt("greet")})
    return Registry.open(site, trust=TRUST, channel="production", config=CONFIG)


def _summary(req: Any) -> tuple[Any, ...]:
    return (req.model_name, req.provider, req.model, dict(req.params), req.provenance.fallback_of)


def test_a_request_carries_its_fallback_chain_as_complete_requests(tmp_path: Path) -> None:
    req = _open(tmp_path).prompt("greet").render(name="Ada")
    assert _summary(req) == ("default", "openai", "gpt-4o-2024-08-06",
                             {"temperature": 0.1, "max_tokens": 200}, None)  # fmt: skip
    # Each fallback: its pin's params under the prompt's own (temperature: 0.1).
    assert [_summary(f) for f in req.fallbacks] == [
        ("claude", "anthropic", "claude-sonnet-4-5-20250929",
         {"max_tokens": 500, "temperature": 0.1}, "default"),
        ("gem", "gemini", "gemini-2.0-flash-thinking-exp-1219", {"temperature": 0.1}, "default"),
    ]  # fmt: skip
    claude, gem = req.fallbacks
    assert claude.messages == req.messages and claude.tools == req.tools
    assert claude.provenance._replace(fallback_of=None) == req.provenance
    # Sent the way each provider takes it, without the application knowing which it is.
    assert req.to_provider() == req.to_openai_chat()
    anthropic = claude.to_provider()
    assert anthropic == claude.to_anthropic()
    assert (anthropic["model"], anthropic["system"], anthropic["max_tokens"]) == (
        "claude-sonnet-4-5-20250929", "Be brief and kind.", 500
    )  # fmt: skip
    google = gem.to_provider()
    assert google["model"] == "gemini-2.0-flash-thinking-exp-1219"
    assert google["contents"] == [{"role": "user", "parts": [{"text": "Say hello to Ada."}]}]
    assert google["config"]["system_instruction"] == "Be brief and kind."
    assert google["config"]["tools"][0]["function_declarations"][0]["name"] == "lookup"
    assert req.to_dict()["fallbacks"] == [
        "claude (anthropic/claude-sonnet-4-5-20250929)",
        "gem (gemini/gemini-2.0-flash-thinking-exp-1219)",
    ]


def test_a_variant_has_the_fallbacks_of_its_pin_and_params(tmp_path: Path) -> None:
    reg = _open(tmp_path)
    warm = reg.prompt("greet", variant="warm").render(name="Ada")
    assert [dict(f.params) for f in warm.fallbacks] == [
        {"max_tokens": 500, "temperature": 0.9}, {"temperature": 0.9}
    ]  # fmt: skip
    alone = reg.prompt("greet", variant="alone").render(name="Ada")
    assert (alone.provider, alone.fallbacks) == ("bedrock", ())
    converse = alone.to_provider()
    assert converse["modelId"] == "anthropic.claude-3-5-haiku-20241022-v1:0"
    assert converse["system"] == [{"text": "Be brief and kind."}]


def test_without_a_fallback_nothing_changes(tmp_path: Path) -> None:
    publish(tmp_path, {"greet": GREET})  # a bundle written before fallbacks existed
    reg = Registry.open(tmp_path, trust=TRUST, channel="production", config=CONFIG)
    req = reg.prompt("greet").render(name="Ada")
    assert req.fallbacks == () and "fallbacks" not in req.to_dict()


def test_echo_and_replay_take_no_sdk_request(tmp_path: Path) -> None:
    publish(tmp_path, {"greet": {**GREET, "model": {**GREET["model"], "provider": "echo"}}})
    reg = Registry.open(tmp_path, trust=TRUST, channel="production", config=CONFIG)
    with pytest.raises(UsageError) as err:
        reg.prompt("greet").render(name="Ada").to_provider()
    assert str(err.value) == (
        "provider 'echo' takes no SDK request; to_provider() knows anthropic, azure-openai, "
        "bedrock, gemini, openai, openai-compatible"
    )


def test_a_malformed_fallback_is_a_bundle_error(tmp_path: Path) -> None:
    publish(tmp_path, {"greet": {**GREET, "fallbacks": [{"model": {"name": "x"}}]}})
    reg = Registry.open(tmp_path, trust=TRUST, channel="production", config=CONFIG)
    with pytest.raises(BundleError, match=r"^bundle: prompt 'greet' is malformed \(KeyError"):
        reg.prompt("greet")


def test_a_traced_fallback_says_so(tmp_path: Path) -> None:
    from tests.otel_capture import memory_exporter

    spans = memory_exporter()
    req = _open(tmp_path).prompt("greet").render(name="Ada")
    with _open(tmp_path / "again").trace(req.fallbacks[0]) as call:
        call.record(input_tokens=10, output_tokens=2)
    (span,) = spans.get_finished_spans()
    attrs = dict(span.attributes or {})
    assert (span.name, attrs["gen_ai.provider.name"], attrs["promptops.fallback_of"]) == (
        "chat claude-sonnet-4-5-20250929", "anthropic", "default"
    )  # fmt: skip
    spans.clear()
