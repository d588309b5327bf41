"""Regression tests for issue 9's robustness findings (each failed on the old engine)."""

import pytest

from app.valuation.engine import ParameterError, get

COMP = {"id": "d1", "price": 5e5, "deal_type": "assignment", "ipc_main": "H01M", "remaining_years": 10.0}


def test_market_comps_with_no_closed_deals_gives_no_value_instead_of_raising():
    result = get("market_comps").value({"remaining_years": 10.0, "comparables": []}, {}, 1)
    assert result.value is None or result.value == 0
    batch = get("market_comps").value_batch({"remaining_years": [10.0, 5.0], "comparables": []}, {}, 1)
    assert not batch.ok.any()


@pytest.mark.parametrize("model_id", ["real_option_bs", "real_option_binomial"])
def test_a_real_option_on_a_patent_with_no_term_left_is_worthless(model_id):
    params = {"underlying_value": 2e6, "exercise_cost": 5e5, "volatility": 0.5, "years": 3.0, "steps": 50}
    if model_id == "real_option_bs":
        params.pop("steps")
    assert float(get(model_id).value({"remaining_years": 0.0}, params, 1).value) == 0.0
    assert float(get(model_id).value({"remaining_years": 2.0}, params, 1).value) > 1.5e6


def test_binomial_tree_in_log_space_and_a_named_error_where_the_limit_remains():
    model = get("real_option_binomial")
    base = {"exercise_cost": 1e5, "risk_free_rate": 0.0, "years": 30.0, "steps": 5000, "volatility": 3.0}
    with pytest.raises(ParameterError) as caught:  # sigma*sqrt(T*steps) = 1,162: nodes of e^1162
        model.value({"remaining_years": 20.0}, base | {"underlying_value": 1e6}, 1)
    assert "volatility" in caught.value.errors
    # u ** steps overflowed before even when the node prices themselves are small
    small = base | {"underlying_value": 1e-6, "volatility": 1.2, "steps": 2000, "years": 20.0}
    assert float(model.value({"remaining_years": 20.0}, small, 1).value) >= 0


def test_more_than_one_percent_clipped_draws_gives_a_warning():
    params = {
        "revenue": 1e6,
        "royalty_rate": 0.01,
        "discount_rate": 0.12,
        "draws": 2000,
        "royalty_rate_dist": {"dist": "triangular", "low": -0.02, "mode": 0.0, "high": 0.02},
    }
    result = get("rfr").value({"remaining_years": 10.0}, params, 7)
    assert "clipped_rate" in {w.code for w in result.warnings}
    narrow = params | {"royalty_rate_dist": {"dist": "triangular", "low": -0.005, "mode": 0.0, "high": 0.005}}
    assert "clipped_rate" not in {
        w.code for w in get("rfr").value({"remaining_years": 10.0}, narrow, 7).warnings
    }


def test_us_patents_use_the_us_maintenance_fee_table_not_the_cn_annual_fees():
    params = {"method": "floor_only"}
    cn = get("cost").value({"remaining_years": 10.0, "annual_fee_year": 11, "jurisdiction": "CN"}, params)
    us = get("cost").value({"remaining_years": 10.0, "annual_fee_year": 11, "jurisdiction": "US"}, params)
    assert float(cn.details["renewal_fee_floor"]) == 4000.0
    assert float(us.details["renewal_fee_floor"]) == pytest.approx(4040.0 / 4 * 7.10)  # 7.5-year fee, 4 years
    design = get("cost").value(
        {"remaining_years": 5.0, "patent_type": "design", "annual_fee_year": 8, "jurisdiction": "US"}, params
    )
    assert float(design.value) == 0.0  # US designs pay no maintenance fees


def test_ahp_names_the_reversed_judgement_as_the_most_inconsistent_pair():
    import numpy as np

    from app.valuation.engine import InconsistentMatrixError
    from app.valuation.engine.weighting import ahp

    w = np.array([8.0, 4.0, 2.0, 1.0])
    matrix = w[:, None] / w[None, :]
    matrix[0, 3], matrix[3, 0] = 1 / 8, 8.0  # A vs D typed the wrong way round
    with pytest.raises(InconsistentMatrixError) as caught:
        ahp(matrix.tolist(), labels=["A", "B", "C", "D"])
    assert caught.value.labels == ("A", "D")
