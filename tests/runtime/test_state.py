from __future__ import annotations

import pytest

from promptops.errors import BundleError
from promptops.runtime.state import Mode, TrustedState, parse_release_name
from tests.runtime.fixtures import CONFIG, NOW, TRUST, release_files


def test_release_name_from_a_digest_file() -> None:
    assert parse_release_name(b"v1.2-rc_3\n", pin="ab") == "v1.2-rc_3"
    with pytest.raises(BundleError, match=r"^digests/ab: expected a release name matching"):
        parse_release_name(b"../../etc/passwd", pin="ab")


def test_bundle_whose_index_disagrees_with_the_signed_prompt_digests_is_refused() -> None:
    bundle, envelope = release_files()
    state = TrustedState(TRUST, CONFIG, NOW, Mode(release="v1"))
    manifest = state.accept_manifest(envelope, None)
    state.accept_bundle(manifest, bundle).load("greet", max_bytes=10**6)  # honest pair
    forged = manifest._replace(prompts={"greet": "0" * 64})
    served = TrustedState(TRUST, CONFIG, NOW, Mode(release="v1")).accept_bundle(forged, bundle)
    with pytest.raises(BundleError, match=r"but the release signs 0{64}"):
        served.load("greet", max_bytes=10**6)
