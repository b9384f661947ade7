"""Keys, signed release manifests, tags, channels, verification, rollback and history."""

from promptops.release._git import default_branch
from promptops.release.channels import (
    DEFAULT_POINTER_EXPIRY,
    PromoteResult,
    RefreshResult,
    abort_canary,
    canary_weight,
    promote,
    refresh_pointers,
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
from promptops.release.publish import PublishResult, publish
from promptops.release.rollback import RollbackResult, rollback
from promptops.release.trustfile import load_trust, policy_in_force, trust_from_signers
from promptops.release.verify import FetchConfig, VerifyReport, verify_target

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
    "refresh_pointers",
    "releases_from_tags",
    "rollback",
    "sign_manifest",
    "sign_pointer",
    "signer_entry",
    "trust_from_signers",
    "verify_target",
]
