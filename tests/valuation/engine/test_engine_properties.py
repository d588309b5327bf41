"""Property tests: monotone where theory says so, reproducible by seed, never NaN."""

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from app.valuation.engine import get

FAST = settings(max_examples=25, deadline=None)
rates = st.floats(0.0, 0.5)
discounts = st.floats(0.0, 1.0)
remaining = st.floats(0.0, 20.0)


def rfr(royalty: float, discount: float, rem: float, **extra) -> float:
    params = {
        "revenue": 1e6,
        "growth": 0.03,
        "royalty_rate": royalty,
        "discount_rate": discount,
        "draws": 0,
    } | extra
    return get("rfr").point_value(
        {"remaining_years": rem}, get("rfr").value({"remaining_years": rem}, params).provenance.params
    )


@FAST
@given(rates, rates, discounts, remaining)
def test_rfr_rises_with_royalty_rate(a, b, discount, rem):
    lo, hi = sorted((a, b))
    assert rfr(lo, discount, rem) <= rfr(hi, discount, rem)


@FAST
@given(rates, discounts, discounts, remaining, st.booleans())
def test_rfr_falls_with_discount_rate(royalty, a, b, rem, mid):
    lo, hi = sorted((a, b))
    assert rfr(royalty, hi, rem, mid_year=mid) <= rfr(royalty, lo, rem, mid_year=mid) * (1 + 1e-12)


@FAST
@given(
    st.floats(0.01, 3.0),
    st.floats(0.01, 3.0),
    st.floats(1.0, 1e6),
    st.floats(1.0, 1e6),
    st.floats(0.01, 10.0),
)
def test_call_value_rises_with_volatility(a, b, s, k, t):
    lo, hi = sorted((a, b))
    model = get("real_option_bs")
    base = {"underlying_value": s, "exercise_cost": k, "risk_free_rate": 0.03, "years": t}
    assert (
        model.point_value({"remaining_years": 20}, base | {"volatility": lo})
        <= model.point_value({"remaining_years": 20}, base | {"volatility": hi}) * (1 + 1e-9) + 1e-9
    )


distribution = st.one_of(
    st.none(),
    st.tuples(st.floats(-0.2, 0.2), st.floats(-0.2, 0.2), st.floats(-0.2, 0.2)).map(
        lambda t: {"dist": "pert", "low": min(t), "mode": sorted(t)[1], "high": max(t) + 0.01}
    ),
    st.floats(0.2, 3.0).map(lambda m: {"dist": "lognormal", "median": m, "sigma": 0.5}),
)


@settings(max_examples=20, deadline=None)
@given(
    rates,
    discounts,
    remaining,
    st.floats(0.5, 20.0),
    distribution,
    distribution,
    st.integers(0, 2**32 - 1),
    st.booleans(),
)
def test_no_nan_and_same_seed_bit_identical(royalty, discount, rem, years, rate_dist, disc_dist, seed, tab):
    params = {
        "revenue": 5e5,
        "royalty_rate": royalty,
        "discount_rate": discount,
        "years": years,
        "draws": 300,
        "royalty_rate_dist": rate_dist,
        "discount_rate_dist": disc_dist,
        "tax_amortisation": tab,
        "years_dist": {"dist": "triangular", "low": 0.5 - years, "mode": 0.0, "high": 20.0 - years},
    }
    model = get("rfr")
    first = model.value({"remaining_years": rem, "ask_price": 1e5}, params, seed).to_dict()
    again = model.value({"remaining_years": rem, "ask_price": 1e5}, params, seed).to_dict()
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    numbers = [first["value"], first["mean"], *(first["percentiles"] or {}).values()]
    assert all(math.isfinite(float(x)) for x in numbers)


offsets = st.tuples(st.floats(-0.05, 0.0), st.floats(0.0, 0.05)).map(
    lambda t: {"dist": "triangular", "low": t[0] - 0.001, "mode": 0.0, "high": t[1] + 0.001}
)


@FAST
@given(st.floats(0.06, 0.3), st.floats(0.06, 0.3), offsets, st.integers(0, 2**32 - 1))
def test_rfr_range_moves_with_the_point_royalty_rate(a, b, rate_dist, seed):
    lo, hi = sorted((a, b))
    params = {"revenue": 1e6, "discount_rate": 0.12, "draws": 400, "royalty_rate_dist": rate_dist}
    model = get("rfr")
    low = model.value({"remaining_years": 12}, params | {"royalty_rate": lo}, seed).percentiles
    high = model.value({"remaining_years": 12}, params | {"royalty_rate": hi}, seed).percentiles
    assert all(low[k] <= high[k] for k in low)
    if hi - lo >= 0.001:  # the draws sit around the point, so the whole range moves with it
        assert all(low[k] < high[k] for k in low)


@FAST
@given(st.floats(0.1, 0.8), st.floats(0.1, 0.8), offsets, st.integers(0, 2**32 - 1))
def test_profit_split_range_moves_with_the_point_split_rate(a, b, split_dist, seed):
    lo, hi = sorted((a, b))
    params = {
        "revenue": 1e6,
        "discount_rate": 0.12,
        "basis": "profit",
        "profit_margin": 0.2,
        "draws": 400,
        "split_rate_dist": split_dist,
    }
    model = get("profit_split")
    low = model.value({"remaining_years": 12}, params | {"split_rate": lo}, seed).percentiles
    high = model.value({"remaining_years": 12}, params | {"split_rate": hi}, seed).percentiles
    assert all(low[k] <= high[k] for k in low)
    if hi - lo >= 0.005:
        assert all(low[k] < high[k] for k in low)
