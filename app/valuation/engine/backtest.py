"""Backtest of predicted ranges against realised deal prices: coverage, rank correlation, log error."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import spearmanr

from .errors import InputError, Msg


@dataclass(frozen=True)
class BacktestStats:
    """Calibration figures for one group of deals."""

    n: int
    coverage_p10_p90: float
    spearman: float | None
    median_abs_log_error: float


def _stats(p10: np.ndarray, p50: np.ndarray, p90: np.ndarray, price: np.ndarray) -> BacktestStats:
    coverage = float(np.mean((price >= p10) & (price <= p90)))
    rho = None
    if price.shape[0] >= 3 and np.ptp(price) > 0 and np.ptp(p50) > 0:
        rho = float(spearmanr(p50, price).statistic)
    return BacktestStats(int(price.shape[0]), coverage, rho, float(np.median(np.abs(np.log(p50 / price)))))


def backtest(rows: Sequence[Mapping[str, Any]]) -> dict[str, BacktestStats]:
    """Stats overall ('all') and per field; rows carry p10, p50, p90, price and optionally field."""
    if not rows:
        raise InputError.single(
            "rows", "needs at least one prediction with a realised price", "至少需要一条带成交价的预测"
        )
    cols = {k: np.array([float(r[k]) for r in rows]) for k in ("p10", "p50", "p90", "price")}
    bad = [k for k, v in cols.items() if not (np.isfinite(v).all() and (v > 0).all())]
    if bad:
        raise InputError(
            dict.fromkeys(bad, Msg("must be finite and positive in every row", "每一行都必须是有限正数"))
        )
    if ((cols["p10"] > cols["p50"]) | (cols["p50"] > cols["p90"])).any():
        raise InputError.single(
            "p50", "needs p10 <= p50 <= p90 in every row", "每一行都需要 p10 <= p50 <= p90"
        )
    fields = np.array([str(r.get("field") or "unknown") for r in rows])
    out = {"all": _stats(cols["p10"], cols["p50"], cols["p90"], cols["price"])}
    for field in sorted(set(fields.tolist())):
        mask = fields == field
        out[field] = _stats(*(cols[k][mask] for k in ("p10", "p50", "p90", "price")))
    return out
