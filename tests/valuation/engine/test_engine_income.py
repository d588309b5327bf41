"""Relief from royalty and profit split against hand-computed values; batch equals single; MC ranges."""

import json
from decimal import Decimal

import numpy as np
import pytest

from app.valuation.engine import get

BASE = {
    "revenue": 1_000_000.0,
    "royalty_rate": 0.05,
    "tax_rate": 0.25,
    "discount_rate": 0.1,
    "years": 5.0,
    "draws": 0,
}


def by_hand(years: int, r: float = 0.1, growth: float = 0.0, mid: bool = False) -> float:
    """37,500 a year after tax, growing, discounted end-year (or mid-year)."""
    return sum(
        1e6 * (1 + growth) ** (t - 1) * 0.05 * 0.75 / (1 + r) ** (t - 0.5 if mid else t)
        for t in range(1, years + 1)
    )


def test_rfr_matches_the_annuity_by_hand():
    result = get("rfr").value({"remaining_years": 10}, BASE)
    assert result.value == Decimal("142154.50")  # 37,500 x 3.790787 (5-year annuity at 10 %)
    assert abs(float(result.value) - by_hand(5)) < 0.005
    assert result.percentiles is None


def test_drivers_sum_exactly_to_the_value():
    result = get("rfr").value({"remaining_years": 10}, BASE | {"growth": 0.07, "tax_amortisation": True})
    assert sum(d.contribution for d in result.drivers) == result.value
    assert [d.key for d in result.drivers][-1] == "tab"


def test_mid_year_growth_and_income_cap_at_remaining_term():
    model = get("rfr")
    mid = model.value({"remaining_years": 10}, BASE | {"mid_year": True, "growth": 0.04})
    assert abs(float(mid.value) - by_hand(5, growth=0.04, mid=True)) < 0.005
    capped = model.value({"remaining_years": 3}, BASE | {"years": 8.0})
    assert abs(float(capped.value) - by_hand(3)) < 0.005
    assert "life_capped" in {w.code for w in capped.warnings}
    half = model.value({"remaining_years": 2.5}, BASE)
    assert abs(float(half.value) - (by_hand(2) + 0.5 * 37_500 / 1.1**3)) < 0.005


def test_tax_amortisation_benefit_factor():
    annuity = sum(1.1**-t for t in range(1, 11))
    tab = 1 / (1 - 0.25 * annuity / 10)
    result = get("rfr").value(
        {"remaining_years": 10}, BASE | {"tax_amortisation": True, "amortisation_years": 10}
    )
    assert abs(float(result.value) - by_hand(5) * tab) < 0.01
    assert "tab_basis" in {a.code for a in result.assumptions}


def test_revenues_list_and_short_forecast_warning():
    result = get("rfr").value({"remaining_years": 10}, BASE | {"revenue": None, "revenues": [1e6, 2e6]})
    expected = (1e6 / 1.1 + 2e6 / 1.1**2) * 0.05 * 0.75
    assert abs(float(result.value) - expected) < 0.005
    assert "forecast_short" in {w.code for w in result.warnings}


def test_monte_carlo_percentiles_and_probability_below_ask():
    params = BASE | {
        "draws": 4000,
        "royalty_rate_dist": {"dist": "triangular", "low": -0.03, "mode": 0.0, "high": 0.03},
        "years_dist": {"dist": "uniform", "low": -2, "high": 2},
    }
    result = get("rfr").value({"remaining_years": 10, "ask_price": 140_000}, params, seed=5)
    p = result.percentiles
    assert p["p5"] < p["p10"] < p["p50"] < p["p90"] < p["p95"]
    assert Decimal("0.2") < result.prob_below_ask < Decimal("0.8")
    assert sum(result.details["histogram"]["counts"]) == 4000


def test_batch_rows_are_bit_identical_to_single_valuations():
    model = get("rfr")
    params = BASE | {
        "draws": 300,
        "discount_rate_dist": {"dist": "lognormal", "median": 1.0, "sigma": 0.3},
        "revenue_dist": {"dist": "pert", "low": 0.6, "mode": 1.0, "high": 1.5},
    }
    remaining = [1.5, 7.0, 20.0, 0.0]
    revenue = [5e5, 1e6, 3e6, 1e6]
    batch = model.value_batch(
        {"remaining_years": remaining, "revenue": revenue, "ask_price": [1e5] * 4}, params, seed=9
    )
    for i in range(4):
        single = model.value(
            {"remaining_years": remaining[i], "revenue": revenue[i], "ask_price": 1e5}, params, seed=9
        )
        row = batch.row(i)
        assert (row["value"], row["percentiles"], row["prob_below_ask"]) == (
            single.value,
            single.percentiles,
            single.prob_below_ask,
        )
    assert batch.values[3] == 0.0


def test_batch_is_chunked_without_changing_results(monkeypatch):
    from app.valuation.engine.models import income

    model = get("rfr")
    params = BASE | {"draws": 200, "growth_dist": {"dist": "uniform", "low": 0.0, "high": 0.1}}
    cols = {"remaining_years": np.linspace(0, 20, 50)}
    whole = model.value_batch(cols, params, seed=1)
    monkeypatch.setattr(income, "CHUNK_CELLS", 1000)
    parts = model.value_batch(cols, params, seed=1)
    assert np.array_equal(whole.percentiles["p50"], parts.percentiles["p50"])


def test_profit_split_profit_basis_and_heuristic_label():
    model = get("profit_split")
    base = {"revenue": 1e6, "discount_rate": 0.1, "years": 5.0, "draws": 0, "tax_rate": 0.25}
    result = model.value(
        {"remaining_years": 10}, base | {"basis": "profit", "profit_margin": 0.2, "heuristic": "one_quarter"}
    )
    assert abs(float(result.value) - by_hand(5)) < 0.005  # 25 % of a 20 % margin = 5 % of sales
    warning = next(w for w in result.warnings if w.code == "heuristic_one_quarter")
    assert "Uniloc v. Microsoft" in warning.en
    assert "Uniloc" in warning.zh
    sales = model.value({"remaining_years": 10}, base | {"split_rate": 0.05})
    assert sales.value == result.value


def test_profit_split_requires_a_margin_and_a_profit_basis_for_heuristics():
    from app.valuation.engine import ParameterError

    with pytest.raises(ParameterError) as err:
        get("profit_split").value(
            {"remaining_years": 10}, {"revenue": 1e6, "discount_rate": 0.1, "heuristic": "one_third"}
        )
    assert "heuristic" in err.value.errors


def test_batch_rows_may_leave_optional_facts_out():
    model = get("rfr")
    params = BASE | {"draws": 100, "royalty_rate_dist": {"dist": "uniform", "low": -0.02, "high": 0.02}}
    batch = model.value_batch(
        {"remaining_years": [10, 10], "revenue": [None, 2e6], "ask_price": [1e5, None]}, params
    )
    assert batch.row(0)["value"] == model.value({"remaining_years": 10, "ask_price": 1e5}, params).value
    assert "prob_below_ask" in batch.row(0)
    assert "prob_below_ask" not in batch.row(1)
    assert np.isfinite(batch.values).all()


def test_distributions_sit_around_the_point_and_are_clipped_to_bounds():
    model = get("rfr")
    params = BASE | {"draws": 2000, "royalty_rate_dist": {"dist": "uniform", "low": -0.01, "high": 0.01}}
    draws = model.draws(model.value({"remaining_years": 10}, params).provenance.params, 3, 2000)
    assert 0.04 <= draws.rate.min() < draws.rate.max() <= 0.06
    near_zero = BASE | {"royalty_rate": 0.005, "draws": 2000}
    near_zero["royalty_rate_dist"] = {"dist": "uniform", "low": -0.01, "high": 0.01}
    draws = model.draws(model.value({"remaining_years": 10}, near_zero).provenance.params, 3, 2000)
    assert draws.rate.min() == 0.0
    lognormal = BASE | {
        "draws": 2000,
        "discount_rate_dist": {"dist": "lognormal", "median": 1.0, "sigma": 0.2},
    }
    draws = model.draws(model.value({"remaining_years": 10}, lognormal).provenance.params, 3, 2000)
    assert abs(np.median(draws.discount_rate) - 0.1) < 0.005  # a multiplier of the point discount rate
    result = model.value({"remaining_years": 10}, params)
    assert result.details["distributions"] == {"rate": "point + uniform(low=-0.01, high=0.01)"}
    assert "mc_around_point" in {a.code for a in result.assumptions}


def test_version_1_keeps_absolute_distributions_and_replays_exactly():
    from app.valuation.engine import available, replay

    absolute = BASE | {
        "draws": 500,
        "royalty_rate_dist": {"dist": "triangular", "low": 0.02, "mode": 0.05, "high": 0.08},
    }
    old = get("rfr", "1.0.0").value({"remaining_years": 10}, absolute, seed=4)
    assert old.model_version == "1.0.0"
    assert "mc_around_point" not in {a.code for a in old.assumptions}
    fresh, paths = replay(json.loads(json.dumps(old.to_dict())))
    assert paths == []
    assert fresh.model_version == "1.0.0"
    assert get("rfr").version == "2.0.0"
    assert "rfr@1.0.0" not in {m.tag for m in available()}
    upgraded = get("rfr").upgrade_params(old.provenance.params, "1.0.0")
    assert upgraded["royalty_rate_dist"] == {"dist": "triangular", "low": -0.03, "mode": 0.0, "high": 0.03}
    new = get("rfr").value({"remaining_years": 10}, upgraded, seed=4)
    for key, value in old.percentiles.items():
        assert abs(new.percentiles[key] - value) <= Decimal("0.02")


def test_profit_split_version_1_params_upgrade_around_the_heuristic_share():
    params = {
        "revenue": 1e6,
        "discount_rate": 0.1,
        "basis": "profit",
        "profit_margin": 0.2,
        "heuristic": "one_quarter",
        "draws": 300,
        "split_rate_dist": {"dist": "lognormal", "median": 0.2, "sigma": 0.1},
    }
    old = get("profit_split", "1.0.0").value({"remaining_years": 8}, params, seed=2)
    upgraded = get("profit_split").upgrade_params(old.provenance.params, "1.0.0")
    assert upgraded["split_rate_dist"] == {"dist": "lognormal", "median": 0.8, "sigma": 0.1}
    new = get("profit_split").value({"remaining_years": 8}, upgraded, seed=2)
    assert abs(new.percentiles["p50"] - old.percentiles["p50"]) <= Decimal("0.02")
