"""Shared discounted-income core for relief-from-royalty and profit-split, vectorised over patents and draws.

Discount and growth factors are built by cumulative products (exact IEEE multiplication), so a
patent valued alone and the same patent valued inside a batch give bit-identical numbers.
Monte Carlo uses common random numbers: one set of draws (from the seed) shared by every patent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..distributions import around, sample
from ..result import PERCENTILES, Text

UNCERTAIN = ("revenue", "growth", "rate", "discount_rate", "years")
CLIP_WARN_SHARE = 0.01  # more clipped draws than this distort the range visibly
LABELS_ZH = {
    "revenue": "收入",
    "growth": "增长率",
    "rate": "费率",
    "discount_rate": "折现率",
    "years": "经济寿命",
}
LABELS_EN = {
    "revenue": "revenue",
    "growth": "growth rate",
    "rate": "rate",
    "discount_rate": "discount rate",
    "years": "economic life",
}
CHUNK_CELLS = 2_000_000


@dataclass(frozen=True)
class Draws:
    """Per-draw arrays (length D) of the uncertain quantities."""

    revenue: np.ndarray
    growth: np.ndarray
    rate: np.ndarray
    discount_rate: np.ndarray
    years: np.ndarray
    clipped: Mapping[str, float] = field(default_factory=dict)  # quantity -> share of draws clipped

    @property
    def size(self) -> int:
        """Number of draws."""
        return int(self.rate.shape[0])


def point_draws(points: Mapping[str, float]) -> Draws:
    """A single 'draw' holding the point estimates (the deterministic value)."""
    return Draws(**{k: np.array([float(points[k])]) for k in UNCERTAIN})


def sample_draws(
    points: Mapping[str, float],
    specs: Mapping[str, Any],
    bounds: Mapping[str, tuple[float, float]],
    seed: int,
    n: int,
    relative: Mapping[str, str] | None = None,
) -> Draws:
    """Draw n values per uncertain quantity; each quantity has its own child stream of the seed.

    With ``relative`` (quantity -> "offset"/"multiplier") a distribution is placed around the point
    estimate, so moving the point moves the range; without it (models up to 1.x) the distribution
    gives absolute values. Either way draws are clipped to the quantity's bounds.
    """
    children = np.random.SeedSequence(seed).spawn(len(UNCERTAIN))
    arrays = {}
    clipped = {}
    for name, child in zip(UNCERTAIN, children, strict=True):
        spec = specs.get(name)
        rng = np.random.Generator(np.random.PCG64(child))
        if spec is None:
            arrays[name] = np.full(n, float(points[name]))
        elif relative is None:
            arrays[name] = sample(spec, rng, n, bounds.get(name))
        else:
            drawn = around(float(points[name]), sample(spec, rng, n), spec, relative[name])
            low, high = bounds[name]
            clipped[name] = float(np.count_nonzero((drawn < low) | (drawn > high))) / max(n, 1)
            arrays[name] = np.clip(drawn, low, high, out=drawn)
    return Draws(**arrays, clipped=clipped)


def clipping_warnings(draws: Draws, limit: float = CLIP_WARN_SHARE) -> list[Text]:
    """Say so when more than ``limit`` of a quantity's draws fell outside its bounds and were clipped:
    the range then piles up at the bound (e.g. a 1 % royalty with a -2 % offset puts draws at zero)."""
    out = []
    for name, share in sorted(draws.clipped.items()):
        if share > limit:
            out.append(
                Text(
                    f"clipped_{name}",
                    f"{LABELS_ZH[name]}的抽样有 {share:.1%} 超出允许范围被截断：区间在边界处堆积，"
                    "请收窄分布或改用乘数形式。",
                    f"{share:.1%} of the {LABELS_EN[name]} draws fell outside the allowed range and were "
                    "clipped: the range piles up at the bound; narrow the distribution or use a multiplier.",
                )
            )
    return out


def _powers(base: np.ndarray, count: int, start_at_one: bool) -> np.ndarray:
    """Rows of base**1..count (or base**0..count-1) by cumulative product."""
    grid = np.repeat(base[:, None], max(count, 1), axis=1)[:, :count]
    out = np.cumprod(grid, axis=1)
    if start_at_one or count == 0:
        return out
    return np.concatenate([np.ones((base.shape[0], 1)), out[:, :-1]], axis=1)


def discount_factors(rates: np.ndarray, count: int, mid_year: bool) -> np.ndarray:
    """(D, count) factors 1/(1+r)^t, or 1/(1+r)^(t-0.5) for mid-year discounting."""
    factors = _powers(1.0 / (1.0 + rates), count, start_at_one=True)
    if mid_year:
        factors = factors * np.sqrt(1.0 + rates)[:, None]
    return factors


def tab_factor(rates: np.ndarray, tax_rate: float, amortisation_years: int, mid_year: bool) -> np.ndarray:
    """Tax-amortisation benefit 1/(1 - t*AF/n), AF the annuity factor over the tax life n."""
    annuity = discount_factors(rates, amortisation_years, mid_year).sum(axis=1)
    return 1.0 / (1.0 - tax_rate * annuity / amortisation_years)


@dataclass(frozen=True)
class IncomeTable:
    """Cumulative discounted revenue index per draw: C[d, k] = sum of the first k years."""

    flows: np.ndarray
    cumulative: np.ndarray
    horizon: int


def income_table(draws: Draws, revenues: Sequence[float] | None, horizon: int, mid_year: bool) -> IncomeTable:
    """Discounted revenue per year and draw, padded so fractional final years index safely."""
    disc = discount_factors(draws.discount_rate, horizon, mid_year)
    if revenues is None:
        path = _powers(1.0 + draws.growth, horizon, start_at_one=False)
    else:
        path = np.zeros((1, horizon))
        usable = min(len(revenues), horizon)
        path[0, :usable] = revenues[:usable]
    flows = np.zeros((draws.size, horizon + 1))
    flows[:, :horizon] = path * disc
    cumulative = np.zeros((draws.size, horizon + 1))
    np.cumsum(flows[:, :horizon], axis=1, out=cumulative[:, 1:])
    return IncomeTable(flows, cumulative, horizon)


def income_sum(table: IncomeTable, life: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """(P, D) discounted revenue over min(economic life, cap) years, with a partial final year."""
    n = np.minimum(life[None, :], cap[:, None])
    k = np.floor(n).astype(np.intp)
    frac = n - k
    width = table.horizon + 1
    idx = k + (np.arange(life.shape[0]) * width)[None, :]
    return table.cumulative.ravel()[idx] + frac * table.flows.ravel()[idx]


def horizon_for(cap: np.ndarray, life_max: float) -> int:
    """Years the income table must cover."""
    return int(np.ceil(min(float(cap.max(initial=0.0)), life_max)))


def summarise(values: np.ndarray, ask: np.ndarray | None) -> dict[str, np.ndarray]:
    """Mean, percentiles and P(value < ask) across the draws of each patent (rows)."""
    pct = np.percentile(values, PERCENTILES, axis=1)
    out = {f"p{p}": pct[i] for i, p in enumerate(PERCENTILES)}
    out["mean"] = values.mean(axis=1)
    if ask is not None:
        out["prob_below_ask"] = (values < ask[:, None]).mean(axis=1)
    return out


def chunks(n_rows: int, n_draws: int) -> list[slice]:
    """Row slices keeping each (rows x draws) matrix near CHUNK_CELLS cells."""
    size = max(1, CHUNK_CELLS // max(n_draws, 1))
    return [slice(i, min(i + size, n_rows)) for i in range(0, n_rows, size)]


def histogram(values: np.ndarray, bins: int = 30) -> dict[str, list[Any]]:
    """Histogram of one patent's draws for the report chart."""
    counts, edges = np.histogram(values, bins=bins)
    return {"edges": [round(e, 2) for e in edges.tolist()], "counts": counts.tolist()}
