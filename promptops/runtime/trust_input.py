"""Accept a trust root in the forms applications have at hand."""

from __future__ import annotations

import binascii
import os
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from promptops.errors import BundleError, SignatureError, UsageError
from promptops.runtime.jsonparse import parse_json
from promptops.runtime.policy import TrustRoot

__all__ = ["TrustInput", "coerce_trust"]

TrustInput = TrustRoot | Mapping[str, Any] | str | os.PathLike[str] | Sequence[str]
_MAX_TRUST_FILE = 1024 * 1024


def coerce_trust(value: TrustInput) -> TrustRoot:
    """A :class:`TrustRoot` from: itself; a mapping shaped like ``policies/signers.yaml``;
    a path to the same content as JSON, or to a signed trust version (``trust/N.json``,
    checked against its own root role); or a list of base64 Ed25519 public keys
    (threshold 1). The runtime does not parse YAML (it would cost an import).

    Raises:
        UsageError: if a trust file cannot be read, is YAML, or is not JSON.
        SignatureError: if the trust root or a key in it is malformed.
    """
    if isinstance(value, TrustRoot):
        return value
    if isinstance(value, Mapping):
        return TrustRoot.from_dict(value)
    if isinstance(value, str | os.PathLike):
        path = os.fspath(value)
        data, doc = _read_trust_file(path)
        if "payloadType" in doc:  # a signed trust version: checked by its own root role
            from promptops.runtime.trust_chain import verify_trust_root

            try:
                return verify_trust_root(data).root
            except BundleError as exc:
                raise SignatureError(f"{path}: {exc}") from None
        return TrustRoot.from_dict(doc)
    keys = []
    for i, text in enumerate(value):
        try:
            raw = binascii.a2b_base64(text, strict_mode=True)
            keys.append(Ed25519PublicKey.from_public_bytes(raw))
        except (ValueError, binascii.Error, TypeError) as exc:
            raise SignatureError(
                f"trust: key {i} is not a base64 raw Ed25519 public key (32 bytes)"
            ) from exc
    if not keys:
        raise SignatureError("trust: no public keys given; nothing could ever verify")
    return TrustRoot.from_keys(keys)


def _read_trust_file(path: str) -> tuple[bytes, Mapping[str, Any]]:
    if os.path.splitext(path)[1] in (".yaml", ".yml"):
        raise UsageError(
            f"{path}: the runtime reads trust roots as JSON, not YAML; ship the newest "
            "policies/trust/N.json, or write the same content as JSON, e.g. python -c "
            "'import json,yaml,sys; json.dump(yaml.safe_load(sys.stdin), sys.stdout, "
            f"default=str)' < {path} > signers.json"
        )
    try:
        with open(path, "rb") as fh:
            data = fh.read(_MAX_TRUST_FILE + 1)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the trust file ({exc.strerror or exc})") from None
    try:
        value = parse_json(data, where=path, max_bytes=_MAX_TRUST_FILE)
    except BundleError as exc:
        raise UsageError(f"the trust file {exc}") from None
    if not isinstance(value, dict):
        raise UsageError(f"{path}: expected a JSON object with 'signers' (and 'roles')")
    return data, value
