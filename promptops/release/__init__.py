"""Keys, signed release manifests, tags, channels, verification, rollback and history.

The names below load on first use (PEP 562), each from its own module: ``promptops
keygen`` needs the key module, not the compiler, the repository reader and the verifier
that other release modules import (issue 16: every command imports only what it uses).
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from promptops._lazy import lazy_names

if TYPE_CHECKING:
    from promptops.release._git import default_branch
    from promptops.release.channels import (
        DEFAULT_POINTER_EXPIRY,
        PromoteResult,
        abort_canary,
        canary_weight,
        promote,
    )
    from promptops.release.create import ReleaseResult, create_release
    from promptops.release.durations import parse_duration
    from promptops.release.explain import Explanation, FileAtCommit, explain
    from promptops.release.from_tags import releases_from_tags
    from promptops.release.history import LogEntry, prompt_log
    from promptops.release.keys import (
        SignerEntry,
        check_key_location,
        generate_key,
        load_private_key,
        load_signing_keys,
        signer_entry,
    )
    from promptops.release.manifest import PointerSpec, ReleaseSpec, sign_manifest, sign_pointer
    from promptops.release.oci_publish import OciPublishResult, promote_oci, publish_oci
    from promptops.release.oci_refresh import refresh_oci
    from promptops.release.publish import PublishResult, publish
    from promptops.release.refresh import RefreshResult, refresh_pointers
    from promptops.release.rollback import RollbackResult, rollback
    from promptops.release.trustfile import load_trust, policy_in_force, trust_from_signers
    from promptops.release.verify import FetchConfig, VerifyReport, verify_target

# name -> the module that defines it
_MODULES = {
    "DEFAULT_POINTER_EXPIRY": "promptops.release.channels",
    "Explanation": "promptops.release.explain",
    "FetchConfig": "promptops.release.verify",
    "FileAtCommit": "promptops.release.explain",
    "LogEntry": "promptops.release.history",
    "OciPublishResult": "promptops.release.oci_publish",
    "PointerSpec": "promptops.release.manifest",
    "PromoteResult": "promptops.release.channels",
    "PublishResult": "promptops.release.publish",
    "RefreshResult": "promptops.release.refresh",
    "ReleaseResult": "promptops.release.create",
    "ReleaseSpec": "promptops.release.manifest",
    "RollbackResult": "promptops.release.rollback",
    "SignerEntry": "promptops.release.keys",
    "VerifyReport": "promptops.release.verify",
    "abort_canary": "promptops.release.channels",
    "canary_weight": "promptops.release.channels",
    "check_key_location": "promptops.release.keys",
    "create_release": "promptops.release.create",
    "default_branch": "promptops.release._git",
    "explain": "promptops.release.explain",
    "generate_key": "promptops.release.keys",
    "load_private_key": "promptops.release.keys",
    "load_signing_keys": "promptops.release.keys",
    "load_trust": "promptops.release.trustfile",
    "parse_duration": "promptops.release.durations",
    "policy_in_force": "promptops.release.trustfile",
    "promote": "promptops.release.channels",
    "promote_oci": "promptops.release.oci_publish",
    "prompt_log": "promptops.release.history",
    "publish": "promptops.release.publish",
    "publish_oci": "promptops.release.oci_publish",
    "refresh_oci": "promptops.release.oci_refresh",
    "refresh_pointers": "promptops.release.refresh",
    "releases_from_tags": "promptops.release.from_tags",
    "rollback": "promptops.release.rollback",
    "sign_manifest": "promptops.release.manifest",
    "sign_pointer": "promptops.release.manifest",
    "signer_entry": "promptops.release.keys",
    "trust_from_signers": "promptops.release.trustfile",
    "verify_target": "promptops.release.verify",
}

__all__ = [
    "DEFAULT_POINTER_EXPIRY",
    "Explanation",
    "FetchConfig",
    "FileAtCommit",
    "LogEntry",
    "OciPublishResult",
    "PointerSpec",
    "PromoteResult",
    "PublishResult",
    "RefreshResult",
    "ReleaseResult",
    "ReleaseSpec",
    "RollbackResult",
    "SignerEntry",
    "VerifyReport",
    "abort_canary",
    "canary_weight",
    "check_key_location",
    "create_release",
    "default_branch",
    "explain",
    "generate_key",
    "load_private_key",
    "load_signing_keys",
    "load_trust",
    "parse_duration",
    "policy_in_force",
    "promote",
    "promote_oci",
    "prompt_log",
    "publish",
    "publish_oci",
    "refresh_oci",
    "refresh_pointers",
    "releases_from_tags",
    "rollback",
    "sign_manifest",
    "sign_pointer",
    "signer_entry",
    "trust_from_signers",
    "verify_target",
]


__getattr__ = lazy_names(__name__, _MODULES, globals())


# ``rollback`` and ``explain`` name both a function and the submodule defining it. Importing
# the submodule binds its name on this package to the module; the eager imports this file
# used to make bound the function over it, and so does this class, whichever comes first.
_SHADOWED = frozenset(name for name, module in _MODULES.items() if module.endswith("." + name))


class _Package(types.ModuleType):
    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return getattr(value, name)
        return value


sys.modules[__name__].__class__ = _Package
