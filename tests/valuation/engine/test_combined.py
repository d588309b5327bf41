"""The combined distribution behind a range: its mean and P(value < ask) agree with its percentiles."""

import math

import pytest

from app.valuation.engine import Combined
from app.valuation.engine.ensemble import Z90


def lognormal(median: float, sigma: float, weight: float = 1.0) -> dict:
    return {
        "weight": weight,
        "low": median * math.exp(-Z90 * sigma),
        "mid": median,
        "high": median * math.exp(Z90 * sigma),
    }


def test_a_lognormal_approach_has_its_exact_mean_and_percentiles():
    dist = Combined.of(100.0, [lognormal(100.0, 0.8)])
    assert dist.mean() == pytest.approx(100.0 * math.exp(0.8**2 / 2), rel=1e-12)
    assert dist.prob_below(100.0) == pytest.approx(0.5, abs=1e-9)
    assert dist.prob_below(100.0 * math.exp(Z90 * 0.8)) == pytest.approx(0.9, abs=1e-9)
    assert dist.prob_below(100.0 * math.exp(-Z90 * 0.8)) == pytest.approx(0.1, abs=1e-9)


def test_the_mix_is_a_vincent_average_and_the_mean_lies_above_the_skewed_median():
    parts = [lognormal(100.0, 0.5, 0.25), lognormal(300.0, 1.5, 0.75)]
    dist = Combined.of(250.0, parts)  # P50 = 0.25 x 100 + 0.75 x 300
    assert dist.quantile_z(0.0) == pytest.approx(250.0)
    expected_mean = 0.25 * 100 * math.exp(0.125) + 0.75 * 300 * math.exp(1.125)
    assert dist.mean() == pytest.approx(expected_mean, rel=1e-12)
    assert dist.mean() > 250.0
    assert dist.prob_below(250.0) == pytest.approx(0.5, abs=1e-9)


def test_scaling_follows_the_range_and_points_and_zero_are_handled():
    dist = Combined.of(50.0, [lognormal(100.0, 0.5)])  # the range was halved (probability of grant 50 %)
    assert dist.quantile_z(0.0) == pytest.approx(50.0)
    assert dist.mean() == pytest.approx(50.0 * math.exp(0.125))
    point = Combined.of(10.0, [{"weight": 1, "low": 10, "mid": 10, "high": 10}])
    assert (point.mean(), point.prob_below(9.99), point.prob_below(10.01)) == (10.0, 0.0, 1.0)
    dead = Combined.of(0, [{"weight": 0, "low": 0, "mid": 0, "high": 0}])  # not in force
    assert (dead.mean(), dead.prob_below(1.0)) == (0.0, 1.0)


def test_a_bundle_adds_quantiles():
    a, b = Combined.of(100.0, [lognormal(100.0, 0.5)]), Combined.of(300.0, [lognormal(300.0, 0.5)])
    both = Combined.comonotonic([a, b])
    assert both.quantile_z(0.0) == pytest.approx(400.0)
    assert both.mean() == pytest.approx(a.mean() + b.mean())
    assert both.prob_below(400.0 * math.exp(Z90 * 0.5)) == pytest.approx(0.9, abs=1e-9)
