"""Channel pointers: which release (or, during a canary, which two releases) a channel serves.

Two payload formats, both canonical JSON signed by the channel role (ADR 0012, ADR 0018):

- ``https://promptops.dev/channel/v1`` (or no ``_type``: written before it existed): one
  release. ``version`` (the pointer's own counter, new in ADR 0018) is optional, and
  older readers ignore it; a pointer without one reads as version 0.
- ``https://promptops.dev/channel/v2``: a canary. Two arms, ``stable`` and ``canary``,
  each a release with its serial, bundle digest and size, and a weight in basis points
  (the two sum to 10,000), plus the signed ``salt`` that assignment hashes keys with.
  Older readers refuse this ``_type`` ("upgrade promptops"): a reader that ignored the
  split would serve something the signer did not say.

The stable arm is what the rest of the runtime knows as "the release" (``release``,
``serial``, ``bundle_sha256``, ``bundle_size``); ``canary`` is the second arm or None.
Trusted core, no I/O: bytes and ``now`` in, verified records out.
"""

import datetime as dt
import re
from typing import Any, NamedTuple, Protocol

from promptops.errors import BundleError, ExpiredError, RollbackError
from promptops.runtime import _fields as f
from promptops.runtime._fields import format_time, parse_time
from promptops.runtime.dsse import TrustRoot, VerifiedEnvelope, parse_envelope, verify_envelope
from promptops.runtime.jsonparse import parse_canonical

__all__ = [
    "CANARY_TYPE",
    "CHANNEL_PAYLOAD_TYPE",
    "CHANNEL_TYPE",
    "MAX_POINTER_BYTES",
    "SALT",
    "TOTAL_WEIGHT",
    "VERSIONS",
    "CanaryArm",
    "ChannelPointer",
    "check_pointer_matches",
    "check_pointer_version",
    "percent",
    "pointer_expired_message",
    "pointer_order",
    "read_pointer_unverified",
    "verify_channel_pointer",
]

CHANNEL_PAYLOAD_TYPE = "application/vnd.promptops.channel+json"
# The pointer payload's own format. Readers ignore keys they do not know (so fields may be
# added); a change that an older reader must not ignore gets a new _type, which it refuses.
CHANNEL_TYPE = "https://promptops.dev/channel/v1"
CANARY_TYPE = "https://promptops.dev/channel/v2"
# Channel pointers are a few hundred bytes; anything near this is an attack.
MAX_POINTER_BYTES = 64 * 1024
# Weights are basis points: 10 % is 1000, and 0.01 % is the finest split.
TOTAL_WEIGHT = 10_000
# Pointer versions stay below this (a daily re-signing reaches it in 2.7 million years), so
# that (serial, version) fits one number of the rollback memory (see pointer_order).
VERSIONS = 10**9
# 16 random bytes, hex: the key assignment hashes with (signed, so a mirror cannot pick it).
SALT = re.compile(r"^[0-9a-f]{32}$")
_ARMS = ("stable", "canary")


class CanaryArm(NamedTuple):
    """The release a canary pointer sends ``weight`` basis points of the traffic to."""

    release: str
    serial: int
    bundle_sha256: str
    bundle_size: int
    weight: int


class ChannelPointer(NamedTuple):
    """A signed statement that a channel serves one release (or two, during a canary).

    ``release``/``serial``/``bundle_*`` describe the stable release; ``canary`` the second
    arm of a canary pointer; ``salt`` is its signed assignment salt (hex); ``version``
    orders the pointers of one channel (0: a pointer written before versions existed).
    """

    channel: str
    release: str
    serial: int
    bundle_sha256: str
    bundle_size: int
    expires: dt.datetime
    signers: tuple[str, ...]
    signed: VerifiedEnvelope | None = None  # what the cache stores (canonical_envelope)
    version: int = 0
    canary: CanaryArm | None = None
    salt: str | None = None

    @property
    def stable_weight(self) -> int:
        """Basis points of traffic the stable release gets (all of it without a canary)."""
        return TOTAL_WEIGHT - (self.canary.weight if self.canary is not None else 0)

    def describe(self) -> str:
        """``release v5, serial 5``, or ``release v5, serial 5; canary v6, serial 6 at
        10%``, for messages."""
        text = f"release {self.release}, serial {self.serial}"
        c = self.canary
        if c is not None:
            text += f"; canary {c.release}, serial {c.serial} at {percent(c.weight)}"
        return text


def percent(weight: int) -> str:
    """Basis points as a percentage: 1000 -> ``10%``, 25 -> ``0.25%``."""
    return f"{weight / 100:g}%"


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BundleError(f"{where}: signed payload is not a JSON object")
    return value


def _version(obj: dict[str, Any], where: str, *, required: bool) -> int:
    value = obj.get("version")
    if value is None and not required:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < VERSIONS:
        raise BundleError(
            f"{where}: version must be an integer from 1 to {VERSIONS - 1}, found {value!r}"
        )
    return value


def _arm(value: Any, index: int, where: str) -> tuple[str, CanaryArm]:
    here = f"{where} arm {index}"
    arm = _object(value, here)
    name = arm.get("arm")
    if name != _ARMS[index]:
        raise BundleError(f"{here}: expected arm {_ARMS[index]!r}, found {name!r}")
    weight = arm.get("weight")
    if not isinstance(weight, int) or isinstance(weight, bool) or not 0 < weight < TOTAL_WEIGHT:
        raise BundleError(
            f"{here}: weight must be an integer from 1 to {TOTAL_WEIGHT - 1} (basis points), "
            f"found {weight!r}"
        )
    bundle = f.field(arm, "bundle", dict, here)
    return name, CanaryArm(
        release=f.name(arm.get("release"), here),
        serial=f.serial(arm.get("serial"), here),
        bundle_sha256=f.digest(bundle.get("sha256"), f"{here} bundle"),
        bundle_size=f.size(bundle.get("size"), f"{here} bundle"),
        weight=weight,
    )


def _parse_canary(
    obj: dict[str, Any], signers: tuple[str, ...], verified: VerifiedEnvelope | None
) -> ChannelPointer:
    where = "channel pointer"
    arms = obj.get("arms")
    if not isinstance(arms, list) or len(arms) != len(_ARMS):
        raise BundleError(f"{where}: a canary pointer has exactly two arms, stable and canary")
    (_, stable), (_, canary) = (_arm(a, i, where) for i, a in enumerate(arms))
    if stable.weight + canary.weight != TOTAL_WEIGHT:
        raise BundleError(
            f"{where}: arm weights sum to {stable.weight + canary.weight}, not {TOTAL_WEIGHT}"
        )
    if canary.serial <= stable.serial:
        # A canary tries a newer release; anything else would let a pointer send traffic
        # below the stable release's serial, which rollback protection forbids.
        raise BundleError(
            f"{where}: the canary arm's serial {canary.serial} must be higher than the stable "
            f"arm's {stable.serial}"
        )
    salt = obj.get("salt")
    if not isinstance(salt, str) or not SALT.match(salt):
        raise BundleError(f"{where}: salt must be 32 lowercase hex digits, found {salt!r}")
    return ChannelPointer(
        channel=f.name(obj.get("channel"), where, "channel"),
        release=stable.release,
        serial=stable.serial,
        bundle_sha256=stable.bundle_sha256,
        bundle_size=stable.bundle_size,
        expires=parse_time(obj.get("expires"), f"{where}: 'expires'"),
        signers=signers,
        signed=verified,
        version=_version(obj, where, required=True),
        canary=canary,
        salt=salt,
    )


def _parse_pointer(
    payload: bytes, signers: tuple[str, ...], verified: VerifiedEnvelope | None = None
) -> ChannelPointer:
    where = "channel pointer"
    obj = _object(parse_canonical(payload, where=where, max_bytes=MAX_POINTER_BYTES), where)
    kind = obj.get("_type", CHANNEL_TYPE)  # pointers written before _type existed are v1
    if kind == CANARY_TYPE:
        return _parse_canary(obj, signers, verified)
    if kind != CHANNEL_TYPE:
        raise BundleError(
            f"{where}: _type is {kind!r}, a format this promptops does not read (it reads "
            f"{CHANNEL_TYPE!r} and {CANARY_TYPE!r}); upgrade promptops"
        )
    bundle = f.field(obj, "bundle", dict, where)
    return ChannelPointer(
        channel=f.name(obj.get("channel"), where, "channel"),
        release=f.name(obj.get("release"), where),
        serial=f.serial(obj.get("serial"), where),
        bundle_sha256=f.digest(bundle.get("sha256"), f"{where} bundle"),
        bundle_size=f.size(bundle.get("size"), f"{where} bundle"),
        expires=parse_time(obj.get("expires"), f"{where}: 'expires'"),
        signers=signers,
        signed=verified,
        version=_version(obj, where, required=False),
    )


def read_pointer_unverified(envelope: bytes) -> ChannelPointer:
    """Parse a channel pointer WITHOUT checking its signatures (``signers`` is empty).

    For authoring tools laying out files they just produced (publish, promote); never for
    deciding whether to trust a channel: use :func:`verify_channel_pointer`.

    Raises:
        BundleError: if the envelope or pointer is malformed.
    """
    env = parse_envelope(envelope, expected_type=CHANNEL_PAYLOAD_TYPE, max_bytes=MAX_POINTER_BYTES)
    return _parse_pointer(env.payload, ())


def verify_channel_pointer(
    envelope: bytes,
    trust: TrustRoot,
    *,
    now: dt.datetime,
    check_expiry: bool = True,
) -> ChannelPointer:
    """Verify a channel pointer's signatures (the channel role), then parse it.

    Raises:
        BundleError: if the envelope or pointer is malformed, oversized or not canonical.
        SignatureError: if too few distinct keys of the channel role signed it.
        ExpiredError: if the pointer expired before ``now`` (freeze protection).
    """
    verified = verify_envelope(
        envelope,
        trust.channel,
        expected_type=CHANNEL_PAYLOAD_TYPE,
        now=now,
        max_bytes=MAX_POINTER_BYTES,
        known=trust.signers,
    )
    pointer = _parse_pointer(verified.payload, verified.signers, verified)
    if check_expiry and pointer.expires < now:
        raise ExpiredError(pointer_expired_message(pointer))
    return pointer


def pointer_expired_message(pointer: ChannelPointer, suffix: str = "") -> str:
    """Why an expired pointer is refused, and how to fix it."""
    return (
        f"channel {pointer.channel!r} pointer ({pointer.describe()}) expired at "
        f"{format_time(pointer.expires)}; re-sign it with promptops publish --refresh "
        f"(a scheduled CI job){suffix}"
    )


class _Described(Protocol):
    """What a release manifest states that a pointer arm must agree with."""

    @property
    def release(self) -> str: ...
    @property
    def serial(self) -> int: ...
    @property
    def bundle_sha256(self) -> str: ...
    @property
    def bundle_size(self) -> int: ...


def check_pointer_matches(
    pointer: ChannelPointer, manifest: _Described, *, canary: bool = False
) -> None:
    """Refuse a pointer and a manifest that describe different releases (mix-and-match):
    the stable arm's release, or with ``canary`` the canary arm's.

    Raises:
        BundleError: naming the first field that disagrees.
    """
    arm: Any = pointer.canary if canary else pointer
    if arm is None:
        raise BundleError(f"channel {pointer.channel!r}: the pointer has no canary arm")
    what_arm = "the canary arm of channel" if canary else "channel"
    pairs = (
        ("release", arm.release, manifest.release),
        ("serial", arm.serial, manifest.serial),
        ("bundle sha256", arm.bundle_sha256, manifest.bundle_sha256),
        ("bundle size", arm.bundle_size, manifest.bundle_size),
    )
    for what, pointed, signed in pairs:
        if pointed != signed:
            raise BundleError(
                f"{what_arm} {pointer.channel!r} names {what} {pointed}, but the release "
                f"manifest says {signed}: pointer and release do not belong together "
                "(mix-and-match)"
            )


def pointer_order(pointer: ChannelPointer) -> int:
    """Where a pointer stands among its channel's pointers, as one number for the
    rollback memory: by its stable release's serial, then by its version. So a pointer for
    a newer release supersedes any older one whatever their versions (a pointer written
    in ``dist/`` and copied by ``publish`` counts its versions apart from the site's), and
    among the pointers of one stable release (re-signed ones, a canary moving, an abort)
    the higher version wins."""
    return pointer.serial * VERSIONS + pointer.version


def check_pointer_version(pointer: ChannelPointer, highest_seen: int | None) -> None:
    """Refuse a pointer older than one already trusted on its channel: for the same stable
    release, a lower ``version``, or none at all once a versioned pointer was seen (a
    mirror replaying yesterday's canary split, or the pointer from before an abort).
    ``highest_seen`` is a :func:`pointer_order`.

    Raises:
        RollbackError: naming both versions.
    """
    if highest_seen is None or pointer_order(pointer) >= highest_seen:
        return
    serial, version = divmod(highest_seen, VERSIONS)
    what = (
        f"pointer version {pointer.version}"
        if pointer.version
        else "an unversioned pointer (written before pointer versions existed)"
    )
    raise RollbackError(
        f"channel {pointer.channel!r}: {what} is older than pointer version {version} of "
        f"serial {serial} already seen ({pointer.describe()}); refusing an old pointer (move "
        "the channel with promptops promote, which signs a higher version)"
    )
