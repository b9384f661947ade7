"""The names the eval command offers, and the package's lazily loaded names."""

from __future__ import annotations

import promptops.evals as evals
from promptops.errors import UsageError
from promptops.evals.formats import FORMATS
from promptops.evals.names import FORMAT_NAMES, PROVIDER_NAMES
from promptops.evals.providers import make_provider


def test_format_names_are_the_formats() -> None:
    assert tuple(FORMATS) == FORMAT_NAMES


def test_every_provider_name_is_one_make_provider_knows() -> None:
    for name in PROVIDER_NAMES:
        try:
            provider = make_provider(name, config=evals.EvalConfig(), env={})
        except UsageError as exc:  # its SDK (an optional extra) is not installed here
            assert "unknown provider" not in str(exc)
            assert "pip install" in str(exc)
        else:
            provider.close()


def test_package_names_all_resolve() -> None:
    for name in evals.__all__:
        assert getattr(evals, name) is not None
    assert set(evals.__all__) <= set(dir(evals))
