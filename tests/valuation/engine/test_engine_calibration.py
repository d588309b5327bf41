"""Empirical score calibration: cohorts widen stepwise and say which was used; deal prices give the
money; no deals means the score stays out of the range; mostly defaulted scores get wider bands."""

import math

import numpy as np
import pytest

from app.valuation.engine import ValuationResult, fair_value_range
from app.valuation.engine.calibration import (
    DealFit,
    EmpiricalCalibration,
    ScoredPatent,
    age_band,
    choose_cohort,
    fit_deals,
)


def _population():
    pop = [ScoredPatent("CN", "H01M", "5-9", float(s)) for s in range(10)]  # class H01, 10 patents
    pop += [ScoredPatent("CN", "H04L", "5-9", 50.0 + s) for s in range(15)]  # section H: 25
    pop += [ScoredPatent("CN", "G06F", "0-4", 20.0 + s) for s in range(20)]  # office CN: 45
    pop += [ScoredPatent("US", "H01M", "5-9", 70.0 + s) for s in range(40)]  # all: 85
    return pop


@pytest.mark.parametrize(
    ("min_size", "level", "n"), [(5, "class", 10), (20, "section", 25), (30, "office", 45), (60, "all", 85)]
)
def test_the_cohort_widens_stepwise_and_states_its_level_and_size(min_size, level, n):
    cohort = choose_cohort(_population(), "CN", "H01M", "5-9", min_size=min_size)
    assert (cohort.level, cohort.n) == (level, n)


def test_too_small_everywhere_uses_the_widest_cohort_and_an_empty_one_is_none():
    assert choose_cohort(_population(), "CN", "H01M", "5-9", min_size=1000).level == "all"
    assert choose_cohort([], "CN", "H01M", "5-9") is None


def test_percentile_is_the_mid_rank_within_the_cohort():
    cohort = choose_cohort(_population(), "CN", "H01M", "5-9", min_size=5)  # scores 0..9
    assert cohort.percentile(4.0) == pytest.approx(0.45)
    assert cohort.percentile(-1.0) == pytest.approx(0.05)  # kept inside (0, 1)
    assert age_band(3) == "0-4"
    assert age_band(12) == "10-14"
    assert age_band(30) == "15+"


def test_deal_fit_needs_enough_deals_and_reads_rho_from_the_deals_scores():
    rng = np.random.default_rng(1)
    scores = rng.normal(50, 10, 40)
    prices = np.exp(12 + 0.08 * (scores - 50) + rng.normal(0, 0.4, 40))
    fit = fit_deals(list(prices), list(scores), "src", "2026-11-25")
    assert fit.n == 40
    assert fit.scored_deals == 40
    assert fit.median == pytest.approx(math.exp(np.mean(np.log(prices))))
    assert fit.sigma == pytest.approx(np.std(np.log(prices), ddof=1))
    assert 0.6 < fit.rho <= 0.9
    assert fit_deals(list(prices[:5]), None, "src", "2026-11-25") is None
    unrelated = fit_deals(list(prices), list(rng.normal(0, 1, 40)), "src", "d")
    assert unrelated.rho < fit.rho


BASE = {
    "model_version": "1.0.0",
    "currency": None,
    "provenance": {
        "model_id": "m",
        "model_version": "1",
        "params_hash": "h",
        "seed": 0,
        "inputs": {},
        "params": {},
        "engine_version": "e",
    },
    "percentiles": None,
    "mean": None,
    "prob_below_ask": None,
    "drivers": [],
    "steps": [],
    "assumptions": [],
    "warnings": [],
}


def _score(value, defaulted=False):
    return ValuationResult.from_dict(
        BASE
        | {
            "model_id": "cnipa_pvd",
            "kind": "score",
            "value": str(value),
            "details": {"mostly_defaulted": defaulted},
        }
    )


def _money(value):
    return ValuationResult.from_dict(
        BASE
        | {
            "model_id": "market_comps",
            "kind": "monetary",
            "currency": "CNY",
            "value": str(value),
            "details": {},
        }
    )


def test_without_deal_evidence_the_score_stays_out_of_the_range():
    cal = EmpiricalCalibration(choose_cohort(_population(), "CN", "H01M", "5-9", 5), None)
    fvr = fair_value_range(
        [_score(6.0), _money(100_000)], {"cnipa_pvd": 0.5, "market_comps": 0.5}, {"cnipa_pvd": cal}
    )
    assert fvr.mid == 100_000
    assert [c["model"] for c in fvr.components] == ["market_comps@1.0.0"]
    assert "no_calibration_evidence_cnipa_pvd" in {w.code for w in fvr.warnings}


def test_a_mostly_defaulted_score_gets_a_warning_and_a_wider_range_even_when_rho_is_zero():
    cohort = choose_cohort(_population(), "CN", "H01M", "5-9", 5)
    for rho in (0.0, 0.5):
        cal = EmpiricalCalibration(cohort, DealFit(20, 300_000.0, 1.0, rho, "src", "d"))
        scored = fair_value_range([_score(6.0)], {"cnipa_pvd": 1.0}, {"cnipa_pvd": cal})
        defaulted = fair_value_range([_score(6.0, True)], {"cnipa_pvd": 1.0}, {"cnipa_pvd": cal})
        assert defaulted.high / defaulted.low > scored.high / scored.low
        assert "mostly_defaulted_cnipa_pvd" in {w.code for w in defaulted.warnings}
        assert "mostly_defaulted_cnipa_pvd" not in {w.code for w in scored.warnings}
        component = scored.components[0]["calibration"]
        assert component["cohort"]["level"] == "class"
        assert component["deals"]["median"] == 300_000.0
        assert EmpiricalCalibration.from_description(component).to_money(6.0) == cal.to_money(6.0)


def test_a_higher_percentile_gives_more_money_when_scores_predict_prices():
    cohort = choose_cohort(_population(), "CN", "H01M", "5-9", 5)
    cal = EmpiricalCalibration(cohort, DealFit(20, 300_000.0, 1.0, 0.5, "src", "d"))
    assert cal.to_money(8.0)[1] > cal.to_money(2.0)[1]
    assert cal.to_money(4.5)[1] == pytest.approx(300_000.0)
