from __future__ import annotations

import pydantic
import pytest

from promptops.spec import EvalCase


def test_min_pass_may_not_exceed_repeat() -> None:
    with pytest.raises(pydantic.ValidationError, match=r"min_pass \(3\) is larger than repeat"):
        EvalCase.model_validate({"name": "c", "repeat": 2, "min_pass": 3})


def test_min_pass_within_repeat_is_accepted() -> None:
    case = EvalCase.model_validate({"name": "c", "repeat": 3, "min_pass": 2, "assert": []})
    assert (case.repeat, case.min_pass) == (3, 2)
