"""Gathers what the empirical score calibration needs: the scored patents (stored current score rows
with office, IPC and age) and the platform's closed deal prices, scored with the same model.

Computed once per valuation run (kept in ``ValuationConfig.cache``); the engine's
``EmpiricalCalibration`` does the arithmetic. The calibration used is stored with each range
(component ``calibration``, or the no-evidence warning), so replay rebuilds it from the row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from app.catalogue.models import Patent, PatentClassification
from app.extensions import db
from app.valuation import engine
from app.valuation.engine.calibration import (
    MIN_COHORT,
    MIN_DEALS,
    Cohort,
    DealFit,
    EmpiricalCalibration,
    ScoredPatent,
    age_band,
    choose_cohort,
    fit_deals,
)
from app.valuation.engine.schema import rows_to_columns
from app.valuation.engine.tables import FEE_OFFICES
from app.valuation.inputs import model_inputs
from app.valuation.models import MODEL_ROW, ClosedDeal, StoredValuation
from app.valuation.weights import SCORE_CANDIDATES

CACHE_KEY = "score_calibration"
PLATFORM_SOURCE = "platform_deals"


def _office(code: str | None) -> str:
    office = (code or "CN").upper()
    return office if office in FEE_OFFICES else "other"


def _main_ipc(patent_ids: Sequence[int]) -> dict[int, str]:
    out: dict[int, tuple[bool, int, str]] = {}
    for start in range(0, len(patent_ids), 900):
        rows = db.session.execute(
            select(
                PatentClassification.patent_id,
                PatentClassification.is_main,
                PatentClassification.position,
                PatentClassification.subclass,
            ).where(
                PatentClassification.patent_id.in_(list(patent_ids[start : start + 900])),
                PatentClassification.scheme == "ipc",
                PatentClassification.subclass.is_not(None),
            )
        )
        for pid, is_main, position, subclass in rows:
            rank = (not is_main, position, subclass)
            if pid not in out or rank < out[pid]:
                out[pid] = rank
    return {pid: rank[2] for pid, rank in out.items()}


def population(model_id: str, year: int) -> list[ScoredPatent]:
    """Every patent with a current stored score of this model (ownership valuations), with its keys."""
    rows = db.session.execute(
        select(StoredValuation.patent_id, StoredValuation.value, Patent.jurisdiction, Patent.filing_date)
        .join(Patent, Patent.id == StoredValuation.patent_id)
        .where(
            StoredValuation.model_id == model_id,
            StoredValuation.kind == MODEL_ROW,
            StoredValuation.is_current.is_(True),
            StoredValuation.listing_type == "default",
            StoredValuation.value.is_not(None),
        )
        .order_by(StoredValuation.patent_id)
    ).all()
    ipc = _main_ipc([r[0] for r in rows])
    return [
        ScoredPatent(
            _office(office),
            ipc.get(pid),
            age_band(None if filed is None else year - filed.year),
            float(value),
        )
        for pid, value, office, filed in rows
    ]


def _deal_scores(ps: Any, deals: Sequence[ClosedDeal]) -> list[float | None] | None:
    """The score model applied to each deal's snapshot at closing (None when it refuses them)."""
    if ps is None or not deals:
        return None
    model = engine.get(ps.model_id, ps.model_version)
    rows = [model_inputs(model, deal.snapshot or {}) for deal in deals]
    try:
        batch = model.value_batch(rows_to_columns(rows), ps.params, 0)
    except engine.EngineError:
        return None
    return [float(v) if ok else None for v, ok in zip(batch.values, batch.ok, strict=True)]


def deal_fit(ps: Any, deal_type: str, on_text: str, exclude_deal: int | None = None) -> DealFit | None:
    """Lognormal of the deal prices of this type (all deals when too few), rho from the deals' scores;
    the backtest leaves out the deal it predicts."""
    deals = [
        d
        for d in db.session.scalars(
            select(ClosedDeal)
            .where(ClosedDeal.currency == "CNY")
            .order_by(ClosedDeal.closed_on, ClosedDeal.id)
        )
        if d.id != exclude_deal
    ]
    same = [d for d in deals if d.deal_type == deal_type]
    chosen = same if len(same) >= MIN_DEALS else deals
    if not chosen:
        return None
    generated = sum(1 for d in chosen if d.is_generated)
    source = {
        "kind": PLATFORM_SOURCE,
        "deal_type": deal_type if chosen is same else "all",
        "generated": generated,
        "latest": max(d.closed_on for d in chosen).isoformat(),
    }
    return fit_deals(
        [float(d.price) for d in chosen], _deal_scores(ps, chosen), _source_text(source), on_text
    )


def _source_text(source: Mapping[str, Any]) -> str:
    """A compact, language-neutral record of where the prices came from; the report words it."""
    return "|".join(f"{k}={source[k]}" for k in ("kind", "deal_type", "generated", "latest"))


def source_parts(text: str) -> dict[str, str]:
    """The stored source record back as a dict (for the report's wording)."""
    return dict(part.split("=", 1) for part in (text or "").split("|") if "=" in part)


def _state(config: Any) -> dict[str, Any]:
    return config.cache.setdefault(CACHE_KEY, {"population": {}, "groups": {}, "deals": {}})


def _cohort(config: Any, model_id: str, facts: Mapping[str, Any], year: int) -> Cohort | None:
    state = _state(config)
    if model_id not in state["population"]:
        state["population"][model_id] = population(model_id, year)
    filed = facts.get("filing_year")
    key = (
        model_id,
        facts.get("jurisdiction") or "CN",
        facts.get("ipc_main"),
        age_band(None if filed is None else year - int(filed)),
    )
    if key not in state["groups"]:
        state["groups"][key] = choose_cohort(state["population"][model_id], *key[1:], min_size=MIN_COHORT)
    return state["groups"][key]


def calibrations_for(
    config: Any,
    facts: Mapping[str, Any],
    listing_type: str,
    on_text: str,
    year: int,
    exclude_deal: int | None = None,
) -> dict[str, EmpiricalCalibration]:
    """One empirical calibration per score model the ensemble can weight (exclude_deal: the deal a
    backtest predicts stays out of the price distribution)."""
    state = _state(config)
    deal_type = "licence" if listing_type == "licence" else "assignment"
    out = {}
    for model_id in SCORE_CANDIDATES:
        ps = config.sets.get(model_id)
        key = (model_id, deal_type, exclude_deal)
        if key not in state["deals"]:
            state["deals"][key] = deal_fit(ps, deal_type, on_text, exclude_deal)
        out[model_id] = EmpiricalCalibration(_cohort(config, model_id, facts, year), state["deals"][key])
    return out


def stored_calibrations(result: Mapping[str, Any]) -> dict[str, EmpiricalCalibration]:
    """The calibrations a stored range used, rebuilt for replay (empty for rows made before them)."""
    out: dict[str, EmpiricalCalibration] = {}
    for component in result.get("components") or []:
        described = component.get("calibration") or {}
        if described.get("method") == "empirical percentile":
            out[component["model"].split("@")[0]] = EmpiricalCalibration.from_description(described)
    for warning in result.get("warnings") or []:
        key = warning.get("code", "")
        if key.startswith("no_calibration_evidence_"):
            out[key.removeprefix("no_calibration_evidence_")] = EmpiricalCalibration(None, None)
    return out
