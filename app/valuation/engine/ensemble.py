"""Fair value range: assessor-weighted combination of monetary results; scores reach money only via a Calibration."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from scipy.special import ndtri

from .errors import EngineError, ParameterError
from .result import CURRENCY, MONEY, Text, ValuationResult, to_decimal

Z90 = 1.2815515655446004  # standard normal quantile at 0.90


@dataclass(frozen=True)
class Calibration:
    """Lognormal quantile map from a score to money, with every parameter stated.

    The score's position q in [score_min, score_max] is read as a market percentile; log value is
    normal with the given median and sigma (PatVal-like skew: sigma near 2.15), and the score's
    normal quantile z explains a share rho^2 of the log-value variance. So
    mid = median * exp(rho * sigma * z), low/high = mid * exp(-/+ 1.2816 * sigma * sqrt(1 - rho^2)).
    """

    median: float
    sigma: float = 2.15
    rho: float = math.sqrt(0.027)
    score_min: float = 0.0
    score_max: float = 100.0
    source: str = "assessor calibration"

    def __post_init__(self) -> None:
        if not (
            self.median > 0 and self.sigma > 0 and 0 <= self.rho <= 1 and self.score_max > self.score_min
        ):
            raise ParameterError.single(
                "calibration",
                "needs median > 0, sigma > 0, 0 <= rho <= 1, score_max > score_min",
                "需要 median > 0、sigma > 0、0 <= rho <= 1、score_max > score_min",
            )

    def to_money(self, score: float, informative: bool = True) -> tuple[float, float, float]:
        """(low, mid, high) in CNY for a score: P10, P50, P90 of the conditional lognormal.

        A score resting mostly on default indicator values says nothing about this patent: it is
        then mapped with rho = 0, the unconditional (wider) distribution around the median."""
        rho = self.rho if informative else 0.0
        q = min(max((score - self.score_min) / (self.score_max - self.score_min), 0.005), 0.995)
        mid = self.median * math.exp(rho * self.sigma * float(ndtri(q)))
        spread = math.exp(Z90 * self.sigma * math.sqrt(1.0 - rho**2))
        return mid / spread, mid, mid * spread

    def describe(self, score: float | None = None) -> dict[str, Any]:
        """Parameters for the report."""
        return {
            "method": "lognormal quantile map",
            "median": self.median,
            "sigma": self.sigma,
            "rho": self.rho,
            "score_min": self.score_min,
            "score_max": self.score_max,
            "source": self.source,
        }


@dataclass(frozen=True)
class FairValueRange:
    """The listing's range (P10/P50/P90 where available) and how it was built."""

    low: Decimal
    mid: Decimal
    high: Decimal
    currency: str
    components: tuple[dict[str, Any], ...]
    warnings: tuple[Text, ...]


def _band(result: ValuationResult) -> tuple[float, float, float, str]:
    pct = result.percentiles
    if pct and {"p10", "p50", "p90"} <= set(pct):
        return float(pct["p10"]), float(pct["p50"]), float(pct["p90"]), "percentiles"
    v = float(result.value)
    return v, v, v, "point"


# Engine legal-status words for rights that can no longer be enforced.
NOT_IN_FORCE = frozenset({"lapsed", "expired", "invalid"})

NOT_IN_FORCE_WARNING = Text(
    "not_in_force",
    "专利权已终止（失效、期满或被宣告无效），不再有排他性收益，公允价值区间为零；"
    "各模型的结果仅供参考，恢复权利的可能需另行评估。",
    "The patent is no longer in force (lapsed, expired or invalidated): it earns nothing from "
    "exclusivity, so the fair value range is zero. The models' results are for reference only; "
    "any chance of restoring the rights must be assessed separately.",
)


def _defaulted_warning(model_id: str) -> Text:
    from .registry import get  # the registry imports the models, which import this module's siblings

    try:
        model = get(model_id)
        zh, en = model.name_zh, model.name_en
    except EngineError:
        zh = en = model_id
    return Text(
        f"mostly_defaulted_{model_id}",
        f"{zh}的指标过半未打分而使用默认分：该评分不含本专利的信息，按未经条件化的（更宽的）分布换算为金额。",
        f"More than half of the indicators of the {en} fell back to the default score: the score says little "
        "about this patent, so it is mapped to money with the unconditional (wider) distribution.",
    )


def _no_evidence_warning(model_id: str) -> Text:
    return Text(
        f"no_calibration_evidence_{model_id}",
        "没有可比成交价格可将评分换算为金额：评分法仅以同组百分位列示，未计入公允价值区间。",
        "There are no comparable deal prices to turn the score into money: the score approach is shown "
        "as a percentile in its cohort only and is left out of the fair value range.",
    )


def in_force(legal_status: str | None) -> bool:
    """Whether a patent with this engine status word can still be enforced (pending counts)."""
    return legal_status not in NOT_IN_FORCE


def fair_value_range(
    results: Sequence[ValuationResult],
    weights: Mapping[str, float],
    calibrations: Mapping[str, Calibration] | None = None,
    *,
    enforceable: bool = True,
    reason: Text | None = None,
) -> FairValueRange:
    """Weighted average of each model's P10/P50/P90 (Vincentisation); weights are keyed by model id.

    Score models and comparables know nothing of a lapse, so rights no longer in force are
    decided here: every approach, the score component included, counts as zero, with the reason.
    """
    if not enforceable:
        return _not_in_force(results, weights, reason)
    calibrations = calibrations or {}
    parts: list[tuple[float, float, float, float, dict[str, Any]]] = []
    warnings: list[Text] = []
    for result in results:
        w = weights.get(result.model_id)
        if w is None or not math.isfinite(w) or w < 0:
            raise ParameterError.single(
                "weights",
                f"needs a finite weight >= 0 for {result.model_id}",
                f"{result.model_id} 需要不小于 0 的有限权重",
            )
        if w == 0:
            continue
        if result.value is None:
            warnings.append(
                Text(
                    f"skipped_{result.model_id}",
                    f"{result.model_id} 无结果，未计入",
                    f"{result.model_id} gave no value and was left out",
                )
            )
            continue
        if result.kind == "score":
            if result.model_id not in calibrations:
                raise ParameterError.single(
                    "calibrations",
                    f"score model {result.model_id} needs an explicit Calibration",
                    f"评分模型 {result.model_id} 需要明确的货币校准",
                )
            calibration = calibrations[result.model_id]
            if not getattr(calibration, "has_evidence", True):
                warnings.append(_no_evidence_warning(result.model_id))
                continue
            defaulted = bool((result.details or {}).get("mostly_defaulted"))
            low, mid, high = calibration.to_money(float(result.value), informative=not defaulted)
            basis = "calibration"
            if defaulted:
                warnings.append(_defaulted_warning(result.model_id))
        else:
            low, mid, high, basis = _band(result)
        if result.model_id == "cost":
            warnings.append(
                Text(
                    "cost_blended",
                    "成本法（下限）被计入公允价值区间",
                    "The cost approach (a floor) is blended into the range",
                )
            )
        info = {"model": f"{result.model_id}@{result.model_version}", "basis": basis}
        if basis == "calibration":
            info["calibration"] = calibrations[result.model_id].describe(float(result.value))
        parts.append((w, low, mid, high, info))
    total = sum(p[0] for p in parts)
    if not parts or total <= 0:
        raise ParameterError.single(
            "results", "no result with a positive weight to combine", "没有权重为正的结果可以合并"
        )
    agg = [sum(p[0] * p[k] for p in parts) / total for k in (1, 2, 3)]
    components = tuple(
        p[4]
        | {
            "weight": to_decimal(p[0] / total, Decimal("0.0001")),
            "low": to_decimal(p[1], MONEY),
            "mid": to_decimal(p[2], MONEY),
            "high": to_decimal(p[3], MONEY),
        }
        for p in parts
    )
    return FairValueRange(*(to_decimal(x, MONEY) for x in agg), CURRENCY, components, tuple(warnings))


def _not_in_force(
    results: Sequence[ValuationResult], weights: Mapping[str, float], reason: Text | None
) -> FairValueRange:
    zero = to_decimal(0.0, MONEY)
    components = tuple(
        {
            "model": f"{r.model_id}@{r.model_version}",
            "basis": "not_in_force",
            "weight": to_decimal(0.0, Decimal("0.0001")),
            "low": zero,
            "mid": zero,
            "high": zero,
        }
        for r in results
        if weights.get(r.model_id)
    )
    warnings = (reason, NOT_IN_FORCE_WARNING) if reason is not None else (NOT_IN_FORCE_WARNING,)
    return FairValueRange(zero, zero, zero, CURRENCY, components, warnings)


def scale_range(fvr: FairValueRange, factor: float, notes: tuple[Text, ...] = ()) -> FairValueRange:
    """The range times a factor in [0, 1] (probability of grant, income lost to a licence), with notes."""
    if not 0.0 <= factor <= 1.0 or not math.isfinite(factor):
        raise ParameterError.single("factor", "needs a factor between 0 and 1", "系数须介于 0 与 1 之间")
    if factor == 1.0:
        return FairValueRange(fvr.low, fvr.mid, fvr.high, fvr.currency, fvr.components, notes + fvr.warnings)
    low, mid, high = (to_decimal(float(x) * factor, MONEY) for x in (fvr.low, fvr.mid, fvr.high))
    return FairValueRange(low, mid, high, fvr.currency, fvr.components, notes + fvr.warnings)


@dataclass(frozen=True)
class Combined:
    """The combined distribution behind a range, read back from its components.

    The range is a Vincent average: its quantile function is the weighted average of the
    approaches' quantile functions. Each approach is known by its P10/P50/P90, so its quantile
    function is taken as a two-piece lognormal through them (log-linear in the normal score z, a
    different slope below and above the median; linear in z where a quantile is not positive, and
    flat for a point value). A score approach mapped by a Calibration is exactly lognormal, so its
    mean is exact. The conclusion stays the P50; the mean and P(value < ask) come from this same
    distribution, scaled like the range (probability of grant, income lost to a licence).
    """

    parts: tuple[tuple[float, float, float, float], ...]  # (weight, low, mid, high), weights summing to 1
    scale: float = 1.0

    @classmethod
    def of(cls, mid: Any, components: Sequence[Mapping[str, Any]]) -> Combined:
        parts = [
            (float(c["weight"]), float(c["low"]), float(c["mid"]), float(c["high"]))
            for c in components
            if float(c.get("weight") or 0) > 0
        ]
        total = sum(p[0] for p in parts)
        if total <= 0:
            return cls((), 0.0)
        parts = [(w / total, lo, m, hi) for w, lo, m, hi in parts]
        centre = sum(w * m for w, _lo, m, _hi in parts)
        scale = float(mid) / centre if centre > 0 else 1.0
        return cls(tuple(parts), scale)

    @classmethod
    def comonotonic(cls, dists: Sequence[Combined]) -> Combined:
        """The sum of several values taken at the same quantile (a bundle: its range is the sum of
        the patents' percentiles, so its P50 is the sum of their P50s)."""
        return cls(tuple((d.scale * w, lo, m, hi) for d in dists for w, lo, m, hi in d.parts), 1.0)

    @staticmethod
    def _piece(low: float, mid: float, high: float, z: float) -> float:
        edge = low if z < 0 else high
        if low > 0 and mid > 0:
            return mid * math.exp(z * math.log(mid / low if z < 0 else high / mid) / Z90)
        return max(mid + z * abs(mid - edge) / Z90, 0.0)

    def quantile_z(self, z: float) -> float:
        """The value at normal score z (z = 0 is the P50)."""
        return self.scale * sum(w * self._piece(lo, m, hi, z) for w, lo, m, hi in self.parts)

    def mean(self) -> float:
        """Sum of weight x each approach's mean: the mean of a Vincent average."""
        total = 0.0
        for w, lo, m, hi in self.parts:
            if lo > 0 and m > 0:
                s1, s2 = math.log(m / lo) / Z90, math.log(hi / m) / Z90
                part = m * (math.exp(s1 * s1 / 2) * _phi(-s1) + math.exp(s2 * s2 / 2) * _phi(s2))
            else:
                part = m + ((hi - m) - (m - lo)) / Z90 / math.sqrt(2 * math.pi)
            total += w * part
        return self.scale * total

    def prob_below(self, ask: float) -> float:
        """P(value < ask): the normal probability of the score where the quantile function meets the ask."""
        lo_z, hi_z = -8.0, 8.0
        if self.quantile_z(lo_z) >= ask:
            return 0.0
        if self.quantile_z(hi_z) < ask:
            return 1.0
        for _ in range(80):
            z = (lo_z + hi_z) / 2
            if self.quantile_z(z) < ask:
                lo_z = z
            else:
                hi_z = z
        return _phi((lo_z + hi_z) / 2)


def _phi(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))
