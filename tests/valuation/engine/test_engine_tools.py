"""Weighting (AHP, entropy, fuzzy), ensemble with calibration, tornado, Sobol and backtest."""

import math
from decimal import Decimal

import numpy as np
import pytest

from app.valuation.engine import (
    Calibration,
    InconsistentMatrixError,
    ParameterError,
    ahp,
    backtest,
    combine_weights,
    entropy_weights,
    fair_value_range,
    fuzzy_evaluate,
    get,
    sobol_indices,
    tornado,
)

RFR = {
    "revenue": 1e6,
    "royalty_rate": 0.05,
    "discount_rate": 0.1,
    "years": 5.0,
    "draws": 2000,
    "royalty_rate_dist": {"dist": "uniform", "low": -0.02, "high": 0.02},
}


def test_ahp_consistent_matrix_weights_and_ratio():
    result = ahp([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    assert np.allclose(result.weights, [0.637, 0.258, 0.105], atol=1e-3)
    assert math.isclose(result.lambda_max, 3.0385, abs_tol=1e-4)
    assert math.isclose(result.cr, (result.lambda_max - 3) / 2 / 0.58)
    perfect = ahp([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]])
    assert np.allclose(perfect.weights, [4 / 7, 2 / 7, 1 / 7])
    assert perfect.cr < 1e-9


def test_ahp_refuses_inconsistent_judgements_naming_the_pair():
    matrix = [[1, 9, 1 / 9, 1], [1 / 9, 1, 9, 1], [9, 1 / 9, 1, 1], [1, 1, 1, 1]]
    with pytest.raises(InconsistentMatrixError) as err:
        ahp(matrix, labels=["stability", "term", "claims", "family"])
    assert err.value.cr > 0.10
    assert err.value.labels[0] in {"stability", "term", "claims"}
    assert "vs" in str(err.value)


@pytest.mark.parametrize("matrix", [[[1, 2], [2, 1]], [[1, -1], [-1, 1]], [[1, 2, 3]], [[2, 1], [1, 2]]])
def test_ahp_validates_reciprocity_positivity_and_shape(matrix):
    with pytest.raises(ParameterError) as err:
        ahp(matrix)
    assert err.value.field == "matrix"


def test_entropy_weights_favour_dispersed_criteria():
    data = [[1.0, 5.0, 3.0], [1.0, 1.0, 3.1], [1.0, 9.0, 2.9]]
    w = entropy_weights(data)
    assert math.isclose(w.sum(), 1.0)
    assert w[0] == 0.0
    assert w[1] > 0
    assert np.allclose(combine_weights([0.5, 0.5, 0.0], w, alpha=1.0), [0.5, 0.5, 0.0])


def test_fuzzy_comprehensive_evaluation_weighted_average():
    result = fuzzy_evaluate(
        [0.5, 0.3, 0.2], [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7]], grade_scores=[90, 70, 50]
    )
    assert np.allclose(result.membership, [0.38, 0.34, 0.28])
    assert math.isclose(result.score, 0.38 * 90 + 0.34 * 70 + 0.28 * 50)


def test_fair_value_range_weights_percentiles_and_needs_calibration_for_scores():
    rfr = get("rfr").value({"remaining_years": 10}, RFR, seed=1)
    cost = get("cost").value(
        {"remaining_years": 10, "patent_type": "invention"}, {"replacement_cost": 100_000.0}
    )
    band = fair_value_range([rfr, cost], {"rfr": 3.0, "cost": 1.0})
    expected_low = (3 * float(rfr.percentiles["p10"]) + float(cost.value)) / 4
    assert abs(float(band.low) - expected_low) < 0.01
    assert band.low <= band.mid <= band.high
    assert {c["weight"] for c in band.components} == {Decimal("0.7500"), Decimal("0.2500")}
    assert "cost_blended" in {w.code for w in band.warnings}
    score = get("cnipa_pvd").value({}, {})
    with pytest.raises(ParameterError, match="Calibration"):
        fair_value_range([rfr, score], {"rfr": 1.0, "cnipa_pvd": 1.0})
    calibrated = fair_value_range(
        [score], {"cnipa_pvd": 1.0}, {"cnipa_pvd": Calibration(median=200_000.0, score_max=10.0)}
    )
    cal = Calibration(median=200_000.0, score_max=10.0)
    assert math.isclose(cal.to_money(5.0)[1], 200_000.0)  # a mid-scale score maps to the median
    # no facts at all: every indicator defaulted, so the score is mapped without its correlation (rho 0)
    assert abs(float(calibrated.mid) - cal.to_money(float(score.value), informative=False)[1]) < 0.01
    assert "mostly_defaulted_cnipa_pvd" in {w.code for w in calibrated.warnings}
    assert calibrated.components[0]["calibration"]["sigma"] == 2.15


def test_calibration_is_monotone_and_wide():
    cal = Calibration(median=1e5)
    lows, mids, highs = zip(*(cal.to_money(s) for s in (10, 50, 90)), strict=True)
    assert mids[0] < mids[1] < mids[2]
    assert all(h / lo > 100 for lo, h in zip(lows, highs, strict=True))


def test_tornado_sorted_by_swing_and_covers_inputs():
    bars = tornado(get("rfr"), {"remaining_years": 8}, RFR)
    swings = [b.swing for b in bars]
    assert swings == sorted(swings, reverse=True)
    keys = {b.key for b in bars}
    assert {"royalty_rate", "discount_rate", "revenue", "remaining_years", "tax_rate"} <= keys
    assert "draws" not in keys
    rate = next(b for b in bars if b.key == "royalty_rate")
    assert rate.low_value < rate.high_value
    score_bars = tornado(get("cnipa_pvd"), {"remaining_years": 10}, {"scores": {"market_share": 6.0}})
    assert "scores.market_share" in {b.key for b in score_bars}


def test_sobol_indices_point_at_the_uncertain_parameter():
    params = RFR | {"discount_rate_dist": {"dist": "uniform", "low": -0.001, "high": 0.001}}
    indices = sobol_indices(get("rfr"), {"remaining_years": 8}, params, seed=3, n=2048)
    assert indices["rate"]["S1"] > 0.9
    assert indices["discount_rate"]["ST"] < 0.05


def test_backtest_coverage_rank_correlation_and_log_error():
    rows = [
        {"p10": 50, "p50": 100, "p90": 200, "price": 120, "field": "H04"},
        {"p10": 100, "p50": 200, "p90": 400, "price": 500, "field": "H04"},
        {"p10": 200, "p50": 400, "p90": 800, "price": 400, "field": "A61"},
        {"p10": 400, "p50": 800, "p90": 1600, "price": 1000, "field": "A61"},
    ]
    report = backtest(rows)
    assert report["all"].coverage_p10_p90 == 0.75
    assert math.isclose(report["all"].spearman, 0.8)  # price ranks 1, 3, 2, 4
    assert math.isclose(
        report["all"].median_abs_log_error, float(np.median(np.abs(np.log([100 / 120, 200 / 500, 1, 0.8]))))
    )
    assert report["H04"].n == 2
    assert report["H04"].spearman is None


def test_fair_value_range_is_zero_for_rights_no_longer_in_force():
    from app.valuation.engine import fair_value_range, get, in_force

    model = get("rfr")
    result = model.value({"remaining_years": 10}, RFR, seed=1)
    live = fair_value_range([result], {"rfr": 1.0})
    gone = fair_value_range([result], {"rfr": 1.0}, enforceable=False)
    assert live.mid > 0
    assert (gone.low, gone.mid, gone.high) == (0, 0, 0)
    assert gone.warnings[0].code == "not_in_force"
    assert [in_force(s) for s in ("valid", "pending", "lapsed", "expired", "invalid")] == [
        True, True, False, False, False
    ]  # fmt: skip
