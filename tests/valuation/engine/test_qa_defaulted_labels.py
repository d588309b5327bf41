"""The 'not scored, default used' warning names the indicators in words, never their keys (QA pass)."""

import re

import pytest

from app.valuation.engine import get


@pytest.mark.parametrize("model", ["cnipa_pvd", "gbt42748"])
def test_defaulted_warning_names_indicators_not_keys(model):
    result = get(model).value({"remaining_years": 10, "legal_status": "valid"}, {})
    warning = next(w for w in result.warnings if w.code == "defaulted")
    assert not re.search(r"[a-z]+_[a-z_]+", warning.zh), warning.zh
    assert not re.search(r"[a-z]+_[a-z_]+", warning.en), warning.en
    assert not re.search(r"[A-Za-z]{3,}", warning.zh.split("：", 1)[1]), warning.zh
