"""Version-1 parameters the seed activates: illustrative starting points for assessors to tune.

The figures sit inside the public evidence of the valuation brief (royalty 2-7 % of sales, a
14 % discount rate for early-stage technology, 25 % tax); they are demo defaults, not advice.
Distributions on rates are offsets around the point estimates (rfr / profit_split 2.0.0): a royalty
rate of 4 % with offsets -2 / 0 / +3 points spans 2-7 %, and moves with the rate when it is edited.
"""

from __future__ import annotations

from typing import Any

MC_DRAWS = 2000
_TRI = "triangular"

DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    "rfr": {
        "revenue": 3_000_000.0,
        "growth": 0.03,
        "royalty_rate": 0.04,
        "discount_rate": 0.14,
        "tax_rate": 0.25,
        "years": 10.0,
        "draws": MC_DRAWS,
        "revenue_dist": {"dist": "lognormal", "median": 1.0, "sigma": 0.5},
        "royalty_rate_dist": {"dist": _TRI, "low": -0.02, "mode": 0.0, "high": 0.03},
        "discount_rate_dist": {"dist": _TRI, "low": -0.03, "mode": 0.0, "high": 0.04},
    },
    "profit_split": {
        "revenue": 3_000_000.0,
        "growth": 0.03,
        "split_rate": 0.25,
        "profit_margin": 0.15,
        "discount_rate": 0.14,
        "tax_rate": 0.25,
        "years": 10.0,
        "draws": MC_DRAWS,
        "split_rate_dist": {"dist": _TRI, "low": -0.09, "mode": 0.0, "high": 0.08},
    },
    "market_comps": {},
    "cost": {"method": "replacement", "replacement_cost": 400_000.0, "functional_obsolescence": 0.1},
    "real_option_bs": {
        "underlying_value": 3_000_000.0,
        "exercise_cost": 2_500_000.0,
        "volatility": 0.6,
        "years": 3.0,
    },
    "real_option_binomial": {
        "underlying_value": 3_000_000.0,
        "exercise_cost": 2_500_000.0,
        "volatility": 0.6,
        "years": 3.0,
        "steps": 200,
    },
    "cnipa_pvd": {},
    "gbt42748": {},
    "oecd_indicators": {},
}

_WEIGHTS = {"rfr": 0.5, "market_comps": 0.3, "cnipa_pvd": 0.2}
DEFAULT_ENSEMBLE: dict[str, Any] = {
    "weights": {
        "default": dict(_WEIGHTS),
        "assignment": dict(_WEIGHTS),
        "licence": {"rfr": 0.6, "market_comps": 0.2, "cnipa_pvd": 0.2},
    },
    # A score read as a market percentile; median CNY 800k. rho = 0.5 lets the score explain a quarter
    # of log-value variance, far more than PatVal's 2.7 %: a demo choice assessors should revisit.
    "calibrations": {
        "cnipa_pvd": {"median": 800_000.0, "sigma": 1.2, "rho": 0.5, "score_min": 0.0, "score_max": 10.0},
        "gbt42748": {"median": 800_000.0, "sigma": 1.2, "rho": 0.5, "score_min": 0.0, "score_max": 100.0},
    },
}
