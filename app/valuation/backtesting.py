"""Backtest each monetary model against the closed deals: coverage of P10-P90, Spearman, log error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.valuation import engine
from app.valuation.batch import model_batch
from app.valuation.engine import BacktestStats, EngineError
from app.valuation.inputs import model_inputs
from app.valuation.models import ClosedDeal
from app.valuation.services import COMPARABLES, ValuationConfig, load_config, model_for
from app.valuation.weights import MONETARY_CANDIDATES


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


def backtest_model(model_id: str, config: ValuationConfig, deals: list[ClosedDeal]) -> ModelBacktest | None:
    ps = config.sets.get(model_id)
    if ps is None or not deals:
        return None
    model = model_for(ps)
    points, skipped = [], 0
    for deal, row in zip(deals, _rows(model, deals, ps.params, config.seed, config.comparables), strict=True):
        band = _band(row)
        if band is None:
            skipped += 1
            continue
        points.append(Point(deal.reference, (deal.field or "?")[:1], *band, float(deal.price)))
    try:
        stats = engine.backtest([p.__dict__ for p in points]) if points else {}
    except EngineError:
        stats = {}
    return ModelBacktest(model_id, ps.tag, points, stats, skipped, any(d.is_generated for d in deals))


def run_backtest(config: ValuationConfig | None = None) -> list[ModelBacktest]:
    """Every monetary model with an active parameter set, by IPC section (the deal's field)."""
    config = config or load_config()
    deals = list(db.session.scalars(select(ClosedDeal).order_by(ClosedDeal.closed_on, ClosedDeal.id)))
    out = []
    for model_id in MONETARY_CANDIDATES:
        result = backtest_model(model_id, config, deals)
        if result is not None:
            out.append(result)
    return out
