"""What a :class:`~promptops.runtime.Registry` serves: one verified load, built lazily.

A :class:`Snapshot` holds the verified release (two during a canary, each a
:class:`Served` arm) and the status it was served with; a refresh builds a new snapshot
and swaps the reference, so a render never sees half of one release and half of another.
Each arm compiles its prompts on first use; a prompt with an experiment (ADR 0018) gets
an :class:`Assigned`, which compiles each of its arms' variants on first use. Choosing an
arm is a hash of the signed salt and the assignment key (``runtime/assign.py``).
"""

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from promptops.errors import BundleError, UsageError
from promptops.runtime.assign import BUCKETS, Key, Split
from promptops.runtime.bundle import Bundle
from promptops.runtime.render import Observe, Prompt
from promptops.runtime.request import Provenance
from promptops.runtime.state import Verified
from promptops.runtime.tools import ToolPolicy
from promptops.runtime.trust import ReleaseManifest

if TYPE_CHECKING:
    from promptops.runtime.snapshots import RegistryStatus

__all__ = ["Assigned", "Served", "Snapshot", "check_name", "named_variant", "prompt_variant"]

STABLE, CANARY = "stable", "canary"
BASE = "base"  # the variant name of the prompt as written (spec.BASE_VARIANT)


class Assigned:
    """A prompt with an experiment: its arms' prompts, chosen by key, compiled lazily."""

    __slots__ = ("_build", "_prompts", "_split")

    def __init__(self, split: Split[int], build: Callable[[int], Prompt], arms: int) -> None:
        self._split = split
        self._build = build
        self._prompts: list[Prompt | None] = [None] * arms

    def choose(self, key: Key | None) -> Prompt:
        """The prompt of the arm ``key`` is assigned to (``None``: per request).

        Raises:
            UsageError: if the key is neither a str nor an int.
            BundleError, RenderError: if the arm's variant does not compile.
        """
        i = self._split.choose(key)
        prompt = self._prompts[i]
        if prompt is None:
            prompt = self._prompts[i] = self._build(i)
        return prompt


def check_name(value: object, what: str) -> str:
    """``value``, a prompt id or variant name an application passes on (from its own
    callers, perhaps), once known to be a str.

    Raises:
        UsageError: if it is not a str.
    """
    if not isinstance(value, str):
        raise UsageError(f"a {what} is a str, not {type(value).__name__}")
    return value


def named_variant(obj: Mapping[str, Any], variant: str, where: str) -> str | None:
    """``variant`` as :func:`prompt_variant` takes it (``"base"`` -> ``None``), once the
    compiled prompt ``obj`` is known to declare it; ``where`` names the prompt in errors.

    Raises:
        UsageError: if it declares no such variant (with the names it has).
    """
    declared = obj.get("variants")
    names = list(declared) if isinstance(declared, dict) else []
    if variant != BASE and variant not in names:
        import difflib  # only on this error path

        hint = difflib.get_close_matches(variant, [BASE, *names], n=1)
        maybe = f"; did you mean {hint[0]!r}?" if hint else ""
        raise UsageError(
            f"{where} has no variant {variant!r} (variants: {', '.join([BASE, *names])}){maybe}"
        )
    return None if variant == BASE else variant


def prompt_variant(obj: Mapping[str, Any], variant: str | None) -> dict[str, Any]:
    """The compiled prompt object of ``variant`` (``None``: the prompt as written): the
    variant's compiled fields over the prompt's own.

    Raises:
        BundleError: if the prompt has no such variant.
    """
    base = {k: v for k, v in obj.items() if k not in ("variants", "experiment")}
    if variant is None:
        return base
    variants = obj.get("variants")
    overrides = variants.get(variant) if isinstance(variants, dict) else None
    if not isinstance(overrides, dict):
        raise BundleError(f"bundle: prompt {obj.get('id')!r} has no variant {variant!r}")
    return {**base, **overrides}


class Served:
    """One release of a snapshot, and the prompts compiled from it so far."""

    __slots__ = ("_new", "arm", "assigned", "bundle", "forced", "manifest", "policies", "prompts")

    def __init__(
        self,
        manifest: ReleaseManifest,
        bundle: Bundle,
        arm: str | None,
        provenance: Callable[..., Provenance],
    ) -> None:
        self.manifest = manifest
        self.bundle = bundle
        self.arm = arm  # "stable" or "canary" during a canary, else None
        self.prompts: dict[str, Prompt] = {}  # prompts without an experiment
        self.assigned: dict[str, Assigned] = {}  # prompts with one
        self.forced: dict[tuple[str, str], Prompt] = {}  # (id, variant) asked for by name
        self.policies: dict[str, ToolPolicy] = {}
        self._new = provenance

    def load(self, prompt_id: str, max_bytes: int) -> dict[str, Any]:
        """The compiled object of ``prompt_id``.

        Raises:
            UsageError: if the release has no such prompt (with a suggestion).
            BundleError: if its bytes do not hash to the signed digest.
        """
        bundle = self.bundle
        if prompt_id not in bundle:
            from promptops.runtime.suggest import hint  # only on this error path

            maybe = hint(prompt_id, bundle.ids)
            raise UsageError(f"release {self.manifest.release} has no prompt {prompt_id!r}{maybe}")
        return bundle.load(prompt_id, max_bytes=max_bytes)

    def compile(
        self, prompt_id: str, max_bytes: int, validate: bool, observe: Observe | None
    ) -> Prompt | Assigned:
        """Compile ``prompt_id`` (or, with an experiment, set up its arms) and keep it.

        Raises:
            UsageError: if the release has no such prompt.
            BundleError: if its bytes or its experiment are malformed.
            RenderError: if a template fails to compile.
        """
        obj = self.load(prompt_id, max_bytes)
        experiment = obj.get("experiment")
        digest = self.bundle.digest(prompt_id)
        if experiment is None:
            prompt = Prompt(
                prompt_variant(obj, None),
                self._new(prompt_id=prompt_id, prompt_digest=digest, arm=self.arm),
                validate=validate,
                observe=observe,
            )
            self.prompts[prompt_id] = prompt
            return prompt
        name, salt, arms = _experiment(prompt_id, experiment)

        def build(i: int) -> Prompt:
            arm, variant = arms[i][0], arms[i][1]
            provenance = self._new(
                prompt_id=prompt_id,
                prompt_digest=digest,
                arm=self.arm,
                variant=variant,
                experiment=name,
                experiment_arm=arm,
            )
            return Prompt(
                prompt_variant(obj, variant), provenance, validate=validate, observe=observe
            )

        split = Split(salt, list(range(len(arms))), [w for _, _, w in arms])
        assigned = self.assigned[prompt_id] = Assigned(split, build, len(arms))
        return assigned

    def variant(
        self, prompt_id: str, variant: str, max_bytes: int, validate: bool, observe: Observe | None
    ) -> Prompt:
        """Variant ``variant`` of ``prompt_id`` (``"base"``: the prompt as written), asked for
        by name rather than assigned: its provenance names the variant and no experiment
        (its outcomes are not the experiment's random sample).

        Raises:
            UsageError: if the release has no such prompt, or the prompt no such variant.
            BundleError: if its bytes are malformed.
            RenderError: if a template fails to compile.
        """
        prompt = self.forced.get((prompt_id, variant))
        if prompt is not None:
            return prompt
        obj = self.load(prompt_id, max_bytes)
        chosen = named_variant(
            obj, variant, f"prompt {prompt_id!r} of release {self.manifest.release}"
        )
        provenance = self._new(
            prompt_id=prompt_id, prompt_digest=self.bundle.digest(prompt_id), arm=self.arm,
            variant=chosen,
        )  # fmt: skip
        prompt = Prompt(prompt_variant(obj, chosen), provenance, validate=validate, observe=observe)
        self.forced[(prompt_id, variant)] = prompt
        return prompt


def _experiment(pid: str, data: Any) -> tuple[str, bytes, list[tuple[str, str | None, int]]]:
    """(name, salt, [(arm, variant or None, weight)]) of a compiled experiment.

    Raises:
        BundleError: if it is malformed.
    """
    try:
        name, salt = str(data["name"]), str(data["salt"]).encode()
        arms = [
            (str(a["name"]), None if a["variant"] is None else str(a["variant"]), a["weight"])
            for a in data["arms"]
        ]
        if len(arms) < 2:
            raise ValueError("an experiment needs two or more arms")
        if sum(w for _, _, w in arms) != BUCKETS or not all(
            isinstance(w, int) and w > 0 for _, _, w in arms
        ):
            raise ValueError(f"weights must be positive integers summing to {BUCKETS}")
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError(f"bundle: prompt {pid!r} has a malformed experiment ({exc})") from exc
    return name, salt, arms


class Snapshot:
    """One verified load and everything built from it, swapped in whole."""

    __slots__ = ("canary", "refused", "split", "stable", "status", "verified")

    def __init__(
        self,
        verified: Verified,
        status: "RegistryStatus",
        stable: Served,
        canary: Served | None = None,
        refused: str | None = None,
    ) -> None:
        self.verified = verified
        self.status = status
        self.stable = stable
        self.canary = canary
        self.refused = refused  # set once the release may no longer be served
        pointer = verified.pointer
        self.split: Split[Served] | None = None
        if canary is not None and pointer is not None and pointer.canary is not None:
            weights = (pointer.stable_weight, pointer.canary.weight)
            salt = bytes.fromhex(pointer.salt or "")
            self.split = Split(salt, (stable, canary), weights)

    def serve(self, key: Key | None) -> Served:
        """The release ``key`` is assigned to (the only one without a canary)."""
        split = self.split
        if split is None:
            return self.stable
        return split.choose(key)
