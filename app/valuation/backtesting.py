"""Backtest against the closed deals: coverage of P10-P90, Spearman, log error, per deal type.

The ensemble users see is tested as well as each model, beside a naive baseline (the other deals'
median and P10-P90): a model that does not beat the baseline adds nothing yet, and the page says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select

from app.extensions import db
from app.valuation import engine
from app.valuation.batch import light_result, model_batch
from app.valuation.calibration import calibrations_for
from app.valuation.engine import BacktestStats, EngineError
from app.valuation.inputs import model_inputs
from app.valuation.models import BASELINE_ID, ENSEMBLE_ID, ClosedDeal
from app.valuation.services import COMPARABLES, ValuationConfig, load_config, model_for, range_from, today
from app.valuation.weights import MONETARY_CANDIDATES, calibrations, models_used, weights_for


@dataclass(frozen=True)
class Point:
    """One deal: the model's band and the realised price."""

    deal: str
    field: str
    p10: float
    p50: float
    p90: float
    price: float


@dataclass
class ModelBacktest:
    model_id: str
    parameter_set: str
    points: list[Point]
    stats: dict[str, BacktestStats]
    skipped: int  # deals the model gave no positive value for
    generated: bool  # True while any deal is generated demo data


def _band(row: Mapping[str, Any]) -> tuple[float, float, float] | None:
    if row is None or row["value"] is None:
        return None
    pct = row.get("percentiles") or {}
    value = float(row["value"])
    band = tuple(float(pct[k]) if k in pct else value for k in ("p10", "p50", "p90"))
    return band if min(band) > 0 else None


def _rows(
    model: engine.Model,
    deals: list[ClosedDeal],
    params: Mapping[str, Any],
    seed: int,
    comps: list[dict[str, Any]],
) -> list[dict[str, Any] | None]:
    inputs = [model_inputs(model, deal.snapshot) for deal in deals]
    if COMPARABLES not in model.shared_inputs:
        return model_batch(model, inputs, params, seed, {})
    out = []
    for deal, one in zip(deals, inputs, strict=True):  # leave the deal itself out of its comparables
        others = [c for c in comps if c["id"] != deal.reference]
        out += model_batch(model, [one], params, seed, {COMPARABLES: others})
    return out


def _result(name: str, tag: str, deals: list[ClosedDeal], bands: list[tuple | None]) -> ModelBacktest:
    """Stats overall and per deal type (a licence and an assignment are different prices)."""
    points, skipped = [], 0
    for deal, band in zip(deals, bands, strict=True):
        if band is None:
            skipped += 1
            continue
        points.append(Point(deal.reference, deal.deal_type, *band, float(deal.price)))
    try:
        stats = engine.backtest([p.__dict__ for p in points]) if points else {}
    except EngineError:
        stats = {}
    return ModelBacktest(name, tag, points, stats, skipped, any(d.is_generated for d in deals))


def _model_rows(
    model_id: str, config: ValuationConfig, deals: list[ClosedDeal]
) -> list[dict[str, Any] | None]:
    ps = config.sets[model_id]
    return _rows(model_for(ps), deals, ps.params, config.seed, config.comparables)


def backtest_model(model_id: str, config: ValuationConfig, deals: list[ClosedDeal]) -> ModelBacktest | None:
    ps = config.sets.get(model_id)
    if ps is None or not deals:
        return None
    return _result(model_id, ps.tag, deals, [_band(r) for r in _model_rows(model_id, config, deals)])


def backtest_ensemble(config: ValuationConfig, deals: list[ClosedDeal]) -> ModelBacktest | None:
    """The range users see: every weighted model combined exactly as for a listing of the deal's type."""
    if not deals:
        return None
    rows = {
        m: _model_rows(m, config, deals) for m in sorted(models_used(config.ensemble)) if m in config.sets
    }
    bands: list[tuple | None] = []
    day = today()
    for i, deal in enumerate(deals):
        results = [light_result(r[i]) for r in rows.values() if r[i] is not None]
        facts = dict(deal.snapshot) | {"deal_type": deal.deal_type}
        # the score approach is calibrated as for users, without the deal being predicted
        cals = calibrations(config.ensemble) | calibrations_for(
            config, facts, deal.deal_type, day.isoformat(), day.year, exclude_deal=deal.id
        )
        fvr = range_from(results, weights_for(config.ensemble, deal.deal_type), cals, facts)
        band = None if fvr is None else (float(fvr.low), float(fvr.mid), float(fvr.high))
        bands.append(band if band and min(band) > 0 else None)
    return _result(ENSEMBLE_ID, config.sets[ENSEMBLE_ID].tag, deals, bands)


def backtest_baseline(deals: list[ClosedDeal]) -> ModelBacktest | None:
    """The naive rival: each deal predicted by the other deals of its type (median, P10-P90)."""
    bands: list[tuple | None] = []
    for deal in deals:
        others = [float(d.price) for d in deals if d.id != deal.id and d.deal_type == deal.deal_type]
        if len(others) < 3:
            bands.append(None)
            continue
        p10, p50, p90 = np.percentile(others, [10, 50, 90])
        bands.append((float(p10), float(p50), float(p90)))
    return _result(BASELINE_ID, "leave-one-out", deals, bands) if deals else None


def run_backtest(config: ValuationConfig | None = None) -> list[ModelBacktest]:
    """The baseline, the ensemble and every monetary model, overall and per deal type."""
    config = config or load_config()
    deals = list(db.session.scalars(select(ClosedDeal).order_by(ClosedDeal.closed_on, ClosedDeal.id)))
    candidates = [backtest_baseline(deals), backtest_ensemble(config, deals)]
    candidates += [backtest_model(m, config, deals) for m in MONETARY_CANDIDATES]
    return [r for r in candidates if r is not None]
