"""Parameter/input validation names every bad field; results are Decimals, JSON-ready and replayable."""

import json
import math
from decimal import Decimal

import pytest

from app.valuation.engine import InputError, ParameterError, ValuationResult, get, replay, validate_params

RFR = {"revenue": 1_000_000.0, "royalty_rate": 0.05, "discount_rate": 0.1, "years": 5.0, "draws": 0}


def test_parameter_error_collects_every_bad_field():
    with pytest.raises(ParameterError) as err:
        validate_params(
            get("rfr"), {"revenue": "lots", "royalty_rate": 0.9, "discount_rate": math.nan, "bogus": 1}
        )
    assert set(err.value.errors) == {"revenue", "royalty_rate", "discount_rate", "bogus"}
    assert "outside" in err.value.errors["royalty_rate"]
    assert "finite" in err.value.errors["discount_rate"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        (RFR | {"revenue": None, "revenues": []}, "revenues"),
        (RFR | {"revenues": [1.0, 2.0]}, "revenues"),
        (RFR | {"draws": 2.5}, "draws"),
        (RFR | {"mid_year": "yes"}, "mid_year"),
        (RFR | {"years": math.inf}, "years"),
        (
            RFR | {"royalty_rate_dist": {"dist": "triangular", "low": 0.1, "mode": 0.05, "high": 0.2}},
            "royalty_rate_dist",
        ),
        (RFR | {"royalty_rate_dist": {"dist": "gamma"}}, "royalty_rate_dist"),
        (
            RFR | {"discount_rate_dist": {"dist": "lognormal", "median": -1, "sigma": 0.2}},
            "discount_rate_dist",
        ),
    ],
)
def test_bad_parameters_name_their_field(params, field):
    with pytest.raises(ParameterError) as err:
        get("rfr").value({"remaining_years": 10}, params)
    assert field in err.value.errors


def test_input_errors_name_the_field():
    with pytest.raises(InputError) as err:
        get("rfr").value({"remaining_years": 25}, RFR)
    assert err.value.field == "remaining_years"
    with pytest.raises(InputError) as err:
        get("rfr").value_batch({"remaining_years": [5, math.nan]}, RFR)
    assert "row 1" in err.value.errors["remaining_years"]


def test_result_leaves_as_decimals_and_round_trips_through_json():
    result = get("rfr").value(
        {"remaining_years": 10},
        RFR | {"draws": 500, "royalty_rate_dist": {"dist": "uniform", "low": 0.03, "high": 0.07}},
        seed=3,
    )
    assert isinstance(result.value, Decimal)
    assert result.value.as_tuple().exponent == -2
    data = json.loads(json.dumps(result.to_dict()))
    assert ValuationResult.from_dict(data).to_dict() == data
    assert data["provenance"]["model"] == "rfr@2.0.0"
    assert len(data["provenance"]["params_hash"]) == 64
    assert data["provenance"]["inputs"] == {"remaining_years": 10.0, "ask_price": None, "revenue": None}


def test_same_seed_is_bit_identical_and_replays():
    params = RFR | {"draws": 800, "growth_dist": {"dist": "pert", "low": -0.05, "mode": 0.03, "high": 0.1}}
    a = get("rfr").value({"remaining_years": 9, "ask_price": 150_000}, params, seed=11)
    b = get("rfr").value({"remaining_years": 9, "ask_price": 150_000}, params, seed=11)
    assert a.to_dict() == b.to_dict()
    assert a.fingerprint() == b.fingerprint()
    _, diffs = replay(a.to_dict())
    assert diffs == []
    c = get("rfr").value({"remaining_years": 9, "ask_price": 150_000}, params, seed=12)
    assert c.percentiles != a.percentiles


def test_parameter_hash_ignores_key_order_but_not_values():
    m = get("rfr")
    h1 = m.value({"remaining_years": 5}, dict(reversed(list(RFR.items())))).provenance.params_hash
    h2 = m.value({"remaining_years": 5}, RFR).provenance.params_hash
    h3 = m.value({"remaining_years": 5}, RFR | {"royalty_rate": 0.051}).provenance.params_hash
    assert h1 == h2 != h3


def test_bad_params_and_bad_inputs_are_reported_together():
    from app.valuation.engine import RequestError

    bad_params = RFR | {"royalty_rate": 0.9, "revenue": -5.0}
    with pytest.raises(RequestError) as err:
        get("rfr").value({"remaining_years": -1, "revenue": "x"}, bad_params)
    assert isinstance(err.value, ParameterError)
    assert isinstance(err.value, InputError)
    assert set(err.value.errors) == {"royalty_rate", "revenue", "remaining_years", "inputs.revenue"}
    assert set(err.value.param_errors) == {"royalty_rate", "revenue"}
    assert set(err.value.input_errors) == {"remaining_years", "revenue"}
    with pytest.raises(RequestError) as err:
        get("rfr").value_batch({"remaining_years": [3.0, 99.0]}, bad_params)
    assert set(err.value.errors) == {"royalty_rate", "revenue", "remaining_years"}


def test_one_kind_of_bad_field_keeps_its_own_error_class():
    from app.valuation.engine import RequestError

    with pytest.raises(InputError) as err:
        get("rfr").value({"remaining_years": -1}, RFR)
    assert not isinstance(err.value, RequestError | ParameterError)
    with pytest.raises(ParameterError) as err:
        get("rfr").value({"remaining_years": 1}, RFR | {"royalty_rate": 0.9})
    assert not isinstance(err.value, RequestError | InputError)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_field_errors_carry_chinese_and_english_messages():
    with pytest.raises(ParameterError) as err:
        validate_params(
            get("rfr"),
            {
                "revenue": "lots",
                "royalty_rate": 0.9,
                "discount_rate": math.nan,
                "bogus": 1,
                "royalty_rate_dist": {"dist": "pert", "low": 0.1, "mode": 0.5, "high": 0.2},
                "revenues": [1.0, "x"],
            },
        )
    zh, en = err.value.messages("zh"), err.value.messages("en")
    assert (
        set(zh)
        == set(en)
        == {"revenue", "royalty_rate", "discount_rate", "bogus", "royalty_rate_dist", "revenues"}
    )
    assert "超出允许范围" in zh["royalty_rate"]
    assert "outside" in en["royalty_rate"]
    assert zh["bogus"] == "未知字段"
    assert zh["royalty_rate_dist"] == "mode 必须介于 low 与 high 之间"
    assert zh["revenues"].startswith("第 1 项：")
    assert all(_has_chinese(m) for m in zh.values())
    assert not any(_has_chinese(m) for m in en.values())
    assert err.value.message("zh").startswith("参数无效：")
    assert str(err.value).startswith("invalid parameters: ")


@pytest.mark.parametrize(
    ("model_id", "params", "inputs"),
    [
        (
            "rfr",
            {"revenue": 1.0, "revenues": [1.0], "discount_rate": 0.1, "royalty_rate": 0.1},
            {"remaining_years": 5},
        ),
        (
            "profit_split",
            {"revenue": 1.0, "discount_rate": 0.1, "heuristic": "one_third"},
            {"remaining_years": 5},
        ),
        ("cost", {"method": "multiplier"}, {"remaining_years": 5}),
        ("cnipa_pvd", {"alpha": 0.9, "beta": 0.9, "gamma": 0.9}, {"remaining_years": 5}),
        ("market_comps", {}, {"remaining_years": 5, "comparables": [{"price": -1, "date": "soon"}]}),
        ("rfr", {"revenue": 1.0, "discount_rate": 0.1, "royalty_rate": 0.1}, {"remaining_years": "x"}),
        ("rfr", {"revenue": 1.0, "discount_rate": 0.1, "royalty_rate": 0.1}, {}),
    ],
)
def test_every_builtin_refusal_has_a_chinese_message(model_id, params, inputs):
    from app.valuation.engine.errors import FieldErrors

    with pytest.raises(FieldErrors) as err:
        get(model_id).value(inputs, params)
    assert all(_has_chinese(m) for m in err.value.messages("zh").values()), err.value.messages("zh")
    assert not any(_has_chinese(m) for m in err.value.messages("en").values())
