"""Empirical score-to-money calibration: a score's percentile in a cohort of scored patents, read
through the distribution of comparable deal prices. Pure: the service gathers the cohorts and deals.

A score is placed in the narrowest cohort (same office, IPC class and age band) that holds at least
``min_size`` scored patents; otherwise the cohort widens stepwise (IPC section, office, all). The
percentile q maps to money through a lognormal fitted to the deal prices (median, sigma) with the
score-price rank correlation rho (Gaussian copula): mid = median * exp(rho * sigma * z(q)), P10/P90
= mid * exp(-/+ 1.2816 * sigma * sqrt(1 - rho^2)). Without deals there is no evidence: the score is
shown as a percentile but stays out of the fair value range.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import ndtri
from scipy.stats import spearmanr

from .errors import ParameterError

Z90 = 1.2815515655446004
LEVELS = ("class", "section", "office", "all")  # narrowest first
MIN_COHORT = 30  # OECD practice flags cohorts under 30 patents
MIN_DEALS = 8  # fewer comparable deal prices than this are no evidence of a price distribution
MAX_POINTS = 101  # a cohort is stored as itself, or as its 101 percentiles when larger
MAX_RHO = 0.9
DEFAULTED_WIDENING = 1.25  # a mostly defaulted score: rho = 0 and the log spread a quarter wider
AGE_BANDS = ((0, 4), (5, 9), (10, 14), (15, 200))


def age_band(age_years: float | None) -> str | None:
    """'0-4', '5-9', '10-14' or '15+' for a patent's age in years (None when unknown)."""
    if age_years is None or not math.isfinite(age_years):
        return None
    for low, high in AGE_BANDS:
        if low <= age_years <= high:
            return f"{low}-{high}" if high < 200 else f"{low}+"
    return None


@dataclass(frozen=True)
class ScoredPatent:
    """One member of the reference population: its cohort keys and its score."""

    office: str
    ipc: str | None  # main IPC subclass or class, e.g. H01M
    age: str | None  # age band
    score: float


@dataclass(frozen=True)
class Cohort:
    """The cohort a score was placed in: its level, keys, size and (a summary of) its scores."""

    level: str
    keys: Mapping[str, str | None]
    n: int
    points: tuple[float, ...]

    def percentile(self, score: float) -> float:
        """Mid-rank percentile of a score among the cohort's points, kept inside (0, 1)."""
        pts = np.asarray(self.points)
        m = len(pts)
        below = np.searchsorted(pts, score, side="left")
        upto = np.searchsorted(pts, score, side="right")
        q = (below + upto) / 2.0 / m
        return float(min(max(q, 0.5 / m), 1.0 - 0.5 / m))


def _summary(scores: Sequence[float]) -> tuple[float, ...]:
    arr = np.sort(np.asarray(scores, dtype=float))
    if len(arr) > MAX_POINTS:
        arr = np.quantile(arr, np.linspace(0.0, 1.0, MAX_POINTS))
    return tuple(round(float(x), 6) for x in arr)


def _matches(member: ScoredPatent, level: str, office: str, ipc: str | None, age: str | None) -> bool:
    if level == "all":
        return True
    if member.office != office:
        return False
    if level == "office":
        return True
    if member.age != age or ipc is None or member.ipc is None:
        return False
    width = 3 if level == "class" else 1
    return member.ipc[:width] == ipc[:width]


def choose_cohort(
    population: Sequence[ScoredPatent],
    office: str,
    ipc: str | None,
    age: str | None,
    min_size: int = MIN_COHORT,
) -> Cohort | None:
    """The narrowest cohort with at least min_size members (the widest one if none has); None if empty."""
    keys_by_level = {
        "class": {"office": office, "ipc": None if ipc is None else ipc[:3], "age": age},
        "section": {"office": office, "ipc": None if ipc is None else ipc[:1], "age": age},
        "office": {"office": office},
        "all": {},
    }
    chosen = None
    for level in LEVELS:
        if level in ("class", "section") and (ipc is None or age is None):
            continue
        scores = [m.score for m in population if _matches(m, level, office, ipc, age)]
        if scores:
            chosen = Cohort(level, keys_by_level[level], len(scores), _summary(scores))
            if len(scores) >= min_size:
                return chosen
    return chosen


@dataclass(frozen=True)
class DealFit:
    """The lognormal of comparable deal prices and the score-price rank correlation."""

    n: int
    median: float
    sigma: float
    rho: float
    source: str
    date: str
    scored_deals: int = 0


def fit_deals(
    prices: Sequence[float],
    scores: Sequence[float | None] | None,
    source: str,
    date: str,
    min_deals: int = MIN_DEALS,
) -> DealFit | None:
    """Median and sigma of log deal prices, rho from the deals' own scores; None below min_deals."""
    p = np.asarray([x for x in prices if x is not None and x > 0 and math.isfinite(x)], dtype=float)
    if len(p) < min_deals:
        return None
    logs = np.log(p)
    rho, scored = 0.0, 0
    if scores is not None:
        pairs = [
            (s, math.log(x)) for s, x in zip(scores, prices, strict=True) if s is not None and x and x > 0
        ]
        scored = len(pairs)
        if scored >= min_deals and len({s for s, _ in pairs}) > 1:
            spearman = float(spearmanr([s for s, _ in pairs], [v for _, v in pairs]).statistic)
            # Spearman's rank correlation to the normal-copula correlation: 2 sin(pi rho_s / 6)
            rho = 2.0 * math.sin(math.pi * spearman / 6.0) if math.isfinite(spearman) else 0.0
    sigma = float(np.std(logs, ddof=1)) if len(p) > 1 else 0.0
    return DealFit(
        n=len(p),
        median=float(np.exp(np.mean(logs))),
        sigma=max(sigma, 1e-6),
        rho=min(max(rho, 0.0), MAX_RHO),
        source=source,
        date=date,
        scored_deals=scored,
    )


@dataclass(frozen=True)
class EmpiricalCalibration:
    """A cohort and a deal fit; to_money maps a score through both (the Calibration interface)."""

    cohort: Cohort | None
    deals: DealFit | None
    notes: tuple[str, ...] = field(default=())

    @property
    def has_evidence(self) -> bool:
        """Money only when there is both a cohort to rank in and deal prices to read."""
        return self.cohort is not None and self.deals is not None

    def to_money(self, score: float, informative: bool = True) -> tuple[float, float, float]:
        """(P10, P50, P90) in CNY; a mostly defaulted score says little about the patent: rho = 0 and
        a wider log spread, so its band is wider than any informative score's."""
        if not self.has_evidence:
            raise ParameterError.single(
                "calibration", "no deal evidence to map a score to money", "没有可将评分换算为金额的成交证据"
            )
        rho = self.deals.rho if informative else 0.0
        sigma = self.deals.sigma * (1.0 if informative else DEFAULTED_WIDENING)
        z = float(ndtri(self.cohort.percentile(score)))
        mid = self.deals.median * math.exp(rho * sigma * z)
        spread = math.exp(Z90 * sigma * math.sqrt(1.0 - rho**2))
        return mid / spread, mid, mid * spread

    def describe(self, score: float | None = None) -> dict[str, Any]:
        """Everything the report states and replay needs: cohort, n, median, sigma, rho, source, date."""
        out: dict[str, Any] = {"method": "empirical percentile", "evidence": self.has_evidence}
        if self.cohort is not None:
            out["cohort"] = {
                "level": self.cohort.level,
                "keys": dict(self.cohort.keys),
                "n": self.cohort.n,
                "points": list(self.cohort.points),
            }
            if score is not None:
                out["percentile"] = round(self.cohort.percentile(score), 6)
        if self.deals is not None:
            out["deals"] = {
                "n": self.deals.n,
                "median": self.deals.median,
                "sigma": self.deals.sigma,
                "rho": self.deals.rho,
                "source": self.deals.source,
                "date": self.deals.date,
                "scored_deals": self.deals.scored_deals,
            }
        return out

    @classmethod
    def from_description(cls, data: Mapping[str, Any]) -> EmpiricalCalibration:
        """Rebuild the calibration a stored valuation used (replay)."""
        cohort = data.get("cohort")
        deals = data.get("deals")
        return cls(
            None
            if cohort is None
            else Cohort(cohort["level"], cohort["keys"], int(cohort["n"]), tuple(cohort["points"])),
            None if deals is None else DealFit(**deals),
        )
