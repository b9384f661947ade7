"""Read a trust root file: ``policies/signers.yaml`` (YAML) or the same shape as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pydantic
import yaml

from promptops.errors import SignatureError, UsageError
from promptops.runtime.dsse import TrustRoot
from promptops.spec import SignersFile
from promptops.spec.header import split_header

__all__ = ["MAX_TRUST_BYTES", "load_trust", "trust_from_signers"]

MAX_TRUST_BYTES = 1024 * 1024


def trust_from_signers(signers: SignersFile, source: str = "signers") -> TrustRoot:
    """The trust root a validated signers file describes.

    Raises:
        UsageError: if a key is malformed or its key id does not match it.
    """
    data = signers.model_dump(mode="python")
    try:
        return TrustRoot.from_dict(data)
    except SignatureError as exc:
        raise UsageError(f"{source}: {exc}") from exc


def load_trust(path: Path) -> TrustRoot:
    """Load ``path`` as a signers file; ``.json`` is parsed as JSON, anything else as YAML.

    Raises:
        UsageError: if the file is missing, oversized, unparsable or not a signers file.
    """
    try:
        size = path.stat().st_size
        if size > MAX_TRUST_BYTES:
            raise UsageError(f"{path}: {size} bytes exceeds the limit of {MAX_TRUST_BYTES}")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"{path}: cannot read the trust root ({exc.strerror}); pass --trust FILE"
        ) from exc
    data: Any
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        kind = "JSON" if path.suffix == ".json" else "YAML"
        raise UsageError(f"{path}: not valid {kind} ({exc})") from exc
    try:
        # The ``promptops:`` version header is no part of the document (ADR 0014).
        signers = SignersFile.model_validate(split_header(data)[1])
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise UsageError(f"{path}: {where}: {first['msg']}; expected a signers file") from exc
    if not signers.signers:
        raise UsageError(f"{path}: lists no signers; add one with promptops keygen")
    return trust_from_signers(signers, str(path))
