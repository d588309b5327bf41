"""Valuing patents with the active parameter sets, and storing exactly what was shown.

One valuation run of a patent = one stored row per model (its own result) plus one ensemble row
(the fair value range). The interactive path keeps the engine's full result (drivers, steps,
histogram); the batch path keeps the figures of ``BatchResult.row``. Both use one platform seed
(common random numbers), so a patent gets the same range either way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.accounts.models import User
from app.catalogue.models import Patent
from app.core.errors import Conflict
from app.core.models import utcnow
from app.core.page_cache import versioned_memo
from app.extensions import db
from app.valuation import engine, income, paramsets
from app.valuation.calibration import calibrations_for
from app.valuation.engine import EngineError, FairValueRange, ValuationResult
from app.valuation.engine.result import CURRENCY, MONEY, Provenance, canonical_json, to_decimal
from app.valuation.inputs import model_inputs, patent_facts
from app.valuation.models import (
    ENSEMBLE_ID,
    ENSEMBLE_ROW,
    FULL_FORM,
    MODEL_ROW,
    ClosedDeal,
    ParameterSet,
    StoredValuation,
)
from app.valuation.search_values import SEARCH_LISTING_TYPE, publish_midpoints
from app.valuation.weights import FLOOR_MODEL, calibrations, models_used, weights_for

PLATFORM_SEED = 20261125  # one seed for every patent: common random numbers make ranges comparable
COMPARABLES = "comparables"


@dataclass
class ValuationConfig:
    """The parameter sets (active, or a draft being previewed) and the shared data a run uses."""

    sets: dict[str, ParameterSet]
    comparables: list[dict[str, Any]]
    seed: int = PLATFORM_SEED
    cache: dict[str, Any] = field(default_factory=dict)  # data gathered once per run (score calibration)

    @property
    def ensemble(self) -> dict[str, Any]:
        return self.sets[ENSEMBLE_ID].params

    @cached_property
    def comparables_ref(self) -> dict[str, Any]:
        """A short reference stored instead of the full list in bulk rows (computed once per run)."""
        ids = [c["id"] for c in self.comparables]
        return {"ids": ids, "sha256": hashlib.sha256(canonical_json(self.comparables).encode()).hexdigest()}

    def set_ids(self) -> dict[str, int]:
        return {m: ps.id for m, ps in sorted(self.sets.items())}


@dataclass
class Outcome:
    """One patent's valuation as shown: the range, each model's result, and what could not be valued."""

    patent_id: int
    listing_type: str
    range: FairValueRange | None
    results: dict[str, ValuationResult] = field(default_factory=dict)
    errors: dict[str, dict[str, str]] = field(default_factory=dict)
    run_id: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)  # what storing writes (or would write)


def model_for(ps: ParameterSet) -> engine.Model:
    """The engine model version a parameter set was checked against: its parameters mean what they
    meant then (e.g. rfr 1.0.0 read distributions as absolute values, 2.0.0 as offsets)."""
    return engine.get(ps.model_id, ps.model_version)


def today() -> dt.date:
    return utcnow().date()


def comparables() -> list[dict[str, Any]]:
    """Every closed deal as a comparable record, oldest first (stable order for hashing); read once
    per data version, as every valuation and report view needs them (treat the list as read-only)."""

    def read() -> list[dict[str, Any]]:
        deals = db.session.scalars(select(ClosedDeal).order_by(ClosedDeal.closed_on, ClosedDeal.id))
        return [deal.as_comparable() for deal in deals]

    return versioned_memo("valuation.comparables", (), read)


def load_config(override: ParameterSet | None = None) -> ValuationConfig:
    """Active parameter sets, with one set replaced when previewing a draft."""
    sets = paramsets.active_sets()
    if override is not None:
        sets[override.model_id] = override
    if ENSEMBLE_ID not in sets:
        raise Conflict(_("No ensemble weights are active yet: an assessor must approve a first version."))
    return ValuationConfig(sets, comparables())


def _shared(config: ValuationConfig) -> dict[str, Any]:
    return {COMPARABLES: config.comparables}


def _needed(config: ValuationConfig, listing_type: str | None = None) -> list[str]:
    if listing_type is None:
        wanted = models_used(config.ensemble)
    else:
        wanted = set(weights_for(config.ensemble, listing_type)) | {FLOOR_MODEL}
    return sorted(m for m in wanted if m in config.sets)


def _headline(kind: str, value: Any, percentiles: Mapping[str, Any] | None) -> dict[str, Decimal | None]:
    if value is None:
        return {"value": None, "low": None, "mid": None, "high": None, "currency": None}
    value = Decimal(value)
    if kind != engine.MONETARY:
        return {"value": value, "low": None, "mid": None, "high": None, "currency": None}
    pct = percentiles or {}
    low, mid, high = (Decimal(pct[k]) if k in pct else value for k in ("p10", "p50", "p90"))
    return {"value": value, "low": low, "mid": mid, "high": high, "currency": CURRENCY}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _range_dict(fvr: FairValueRange | None, weights: Mapping[str, float]) -> dict[str, Any]:
    """The range as stored: Decimals as strings, exactly as canonical JSON would write them."""
    if fvr is None:
        return {
            "low": None,
            "mid": None,
            "high": None,
            "currency": None,
            "components": [],
            "warnings": [],
            "weights": dict(weights),
        }
    components = [
        {k: _text(v) if isinstance(v, Decimal) else v for k, v in c.items()} for c in fvr.components
    ]
    mean = engine.Combined.of(fvr.mid, fvr.components).mean()
    return {
        "low": str(fvr.low),
        "mid": str(fvr.mid),
        "high": str(fvr.high),
        "mean": str(to_decimal(mean, MONEY)),  # of the combined distribution; the conclusion is the mid (P50)
        "currency": fvr.currency,
        "components": components,
        "warnings": [w.__dict__ for w in fvr.warnings],
        "weights": dict(weights),
    }


def effective_weights(weights: Mapping[str, float], facts: Mapping[str, Any]) -> dict[str, float]:
    """The assessors' weights less the income approaches while they run on platform defaults."""
    if income.has_revenue(facts):
        return dict(weights)
    return {m: w for m, w in weights.items() if m not in income.INCOME_MODELS}


def range_from(
    results: Iterable[ValuationResult],
    weights: Mapping[str, float],
    cals: Mapping[str, engine.Calibration],
    facts: Mapping[str, Any],
) -> FairValueRange | None:
    """Combine, then apply what the facts say about the right: not in force, an application that may
    not be granted, an exclusive licence that takes income away. Shared by valuing and replaying."""
    used = effective_weights(weights, facts)
    usable = [r for r in results if r.model_id in used]
    enforceable = engine.in_force(facts.get("legal_status"))
    try:
        fvr = engine.fair_value_range(
            usable, used, cals, enforceable=enforceable, reason=rights_reason(facts)
        )
    except engine.ParameterError:
        return None
    notes = [] if used == dict(weights) or not enforceable else [income.ILLUSTRATIVE]
    factor = 1.0
    p_grant = income.grant_probability(facts)
    if p_grant is not None and enforceable:
        factor *= p_grant
        notes.append(_grant_note(p_grant))
    taken = income.licence_share(facts) if facts.get("deal_type") == "assignment" else 0.0
    if taken > 0 and enforceable:
        factor *= 1.0 - taken
        notes.append(_licence_note(taken))
    return engine.scale_range(fvr, factor, tuple(notes))


def _grant_note(p: float) -> engine.Text:
    return engine.Text(
        "probability_of_grant",
        f"尚在审查中的申请：价值已乘以授权概率 {p:.0%}（可由权利人或评估师修改）。",
        f"A pending application: the value is multiplied by the probability of grant, {p:.0%} "
        "(the owner or an assessor can change it).",
    )


def _licence_note(share: float) -> engine.Text:
    return engine.Text(
        "exclusive_licence_in_force",
        f"独占（排他）许可在有效期内：被许可领域和地域的收益归被许可人，约占剩余期限的 {share:.0%}，"
        "转让价值相应降低；许可使用费收入须作为收入另行录入才会计入。",
        f"An exclusive (or sole) licence is in force: the licensed field's and territory's income goes "
        f"to the licensee for about {share:.0%} of the remaining term, so an assignment is worth less; "
        "royalties receivable count only when entered as revenue.",
    )


def combine(
    config: ValuationConfig,
    listing_type: str,
    results: Iterable[ValuationResult],
    facts: Mapping[str, Any],
) -> FairValueRange | None:
    """The fair value range of the listing type's weighted models; None when nothing usable remains."""
    day = today()
    cals = calibrations(config.ensemble) | calibrations_for(
        config, facts, listing_type, day.isoformat(), day.year
    )
    return range_from(results, weights_for(config.ensemble, listing_type), cals, facts)


def rights_reason(facts: Mapping[str, Any]) -> engine.Text | None:
    """Why the right is not in force, as stored with the facts (None while it is, or for older rows)."""
    reason = (facts.get("rights") or {}).get("reason")
    return None if reason is None else engine.Text(**reason)


def _model_row(
    run_id: str,
    patent_id: int,
    ps: ParameterSet,
    listing_type: str,
    seed: int,
    snapshot: dict[str, Any],
    result: dict[str, Any],
    form: str,
    actor_id: int | None,
    now: dt.datetime,
) -> dict[str, Any]:
    head = _headline(result["kind"], result.get("value"), result.get("percentiles"))
    return {
        "run_id": run_id,
        "patent_id": patent_id,
        "kind": MODEL_ROW,
        "model_id": ps.model_id,
        "model_version": result["model_version"],
        "parameter_set_id": ps.id,
        "parameter_set_version": ps.version,
        "listing_type": listing_type,
        "seed": seed,
        "input_snapshot": snapshot,
        "result": result,
        "result_form": form,
        "code_version": engine.engine_version(),
        "is_current": True,
        "created_by_id": actor_id,
        "created_at": now,
        **head,
    }


def _ensemble_row(
    run_id: str,
    patent_id: int,
    config: ValuationConfig,
    listing_type: str,
    facts: Mapping[str, Any],
    fvr: FairValueRange | None,
    form: str,
    actor_id: int | None,
    now: dt.datetime,
) -> dict[str, Any]:
    ps = config.sets[ENSEMBLE_ID]
    weights = effective_weights(weights_for(config.ensemble, listing_type), facts)
    # The weights and calibrations are those of the ensemble parameter set the row references
    # (immutable once submitted), so they are not copied into every row.
    snapshot = {"facts": dict(facts), "parameter_sets": config.set_ids(), "listing_type": listing_type}
    result = _range_dict(fvr, weights)
    money = {"low": fvr.low, "mid": fvr.mid, "high": fvr.high, "currency": fvr.currency} if fvr else {}
    return {
        "run_id": run_id,
        "patent_id": patent_id,
        "kind": ENSEMBLE_ROW,
        "model_id": ENSEMBLE_ID,
        "model_version": ps.model_version or "1.0.0",
        "parameter_set_id": ps.id,
        "parameter_set_version": ps.version,
        "listing_type": listing_type,
        "seed": config.seed,
        "input_snapshot": json.loads(canonical_json(snapshot)),
        "result": result,
        "result_form": form,
        "code_version": engine.engine_version(),
        "is_current": True,
        "created_by_id": actor_id,
        "created_at": now,
        "value": fvr.mid if fvr else None,
        "low": None,
        "mid": None,
        "high": None,
        "currency": None,
        **money,
    }


def _retire_current(patent_ids: Sequence[int], listing_type: str) -> None:
    """Un-flag the patents' current rows of one listing type: a licence valuation never replaces
    the ownership value that search shows."""
    for start in range(0, len(patent_ids), 900):
        chunk = list(patent_ids[start : start + 900])
        db.session.execute(
            update(StoredValuation)
            .where(
                StoredValuation.patent_id.in_(chunk),
                StoredValuation.is_current.is_(True),
                StoredValuation.listing_type == listing_type,
            )
            .values(is_current=False)
        )


def store_rows(rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows at once (bulk path), after un-flagging the patents' previous rows."""
    for listing_type in sorted({r["listing_type"] for r in rows}):
        _retire_current(
            sorted({r["patent_id"] for r in rows if r["listing_type"] == listing_type}), listing_type
        )
    for start in range(0, len(rows), 5000):
        db.session.execute(StoredValuation.__table__.insert(), list(rows[start : start + 5000]))


def facts_for(
    patent: Patent, on: dt.date, listing_type: str = "default", ask_price: Decimal | None = None
) -> dict[str, Any]:
    """The patent's facts with its income inputs for the listing type (an ownership valuation reads
    the "default" inputs, a licence the licence's)."""
    record = income.get_input(patent.id, listing_type) or (
        income.get_input(patent.id, "default") if listing_type == "assignment" else None
    )
    return patent_facts(patent, on=on, listing_type=listing_type, ask_price=ask_price, income=record)


def value_patent(
    patent: Patent,
    actor: User | None = None,
    *,
    config: ValuationConfig | None = None,
    listing_type: str = "default",
    ask_price: Decimal | None = None,
    on: dt.date | None = None,
    store: bool = True,
) -> Outcome:
    """Value one patent with full explanations; stores one row per model and the range row."""
    config = config or load_config()
    facts = facts_for(patent, on or today(), listing_type, ask_price)
    outcome = Outcome(patent.id, listing_type, None, run_id=uuid.uuid4().hex)
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for model_id in _needed(config, listing_type):
        ps = config.sets[model_id]
        model = model_for(ps)
        inputs = model_inputs(model, facts, _shared(config))
        try:
            result = model.value(inputs, income.patent_params(model_id, ps.params, facts), config.seed)
        except EngineError as error:
            outcome.errors[model_id] = getattr(error, "errors", {"model": str(error)})
            continue
        outcome.results[model_id] = result
        data = result.to_dict()
        rows.append(
            _model_row(
                outcome.run_id,
                patent.id,
                ps,
                listing_type,
                config.seed,
                data["provenance"]["inputs"],
                data,
                FULL_FORM,
                actor.id if actor else None,
                now,
            )
        )
    outcome.range = combine(config, listing_type, outcome.results.values(), facts)
    rows.append(
        _ensemble_row(
            outcome.run_id,
            patent.id,
            config,
            listing_type,
            facts,
            outcome.range,
            FULL_FORM,
            actor.id if actor else None,
            now,
        )
    )
    outcome.rows = rows
    if store:
        store_rows(rows)
        if listing_type == SEARCH_LISTING_TYPE:
            mid = outcome.range.mid if outcome.range and outcome.range.currency == "CNY" else None
            publish_midpoints(db.session, {patent.id: mid})
    return outcome


def current_rows(patent_id: int, listing_type: str = "default") -> list[StoredValuation]:
    """The rows currently shown for a patent and listing type: the ensemble row first, then models by id."""
    rows = db.session.scalars(
        select(StoredValuation).where(
            StoredValuation.patent_id == patent_id,
            StoredValuation.is_current.is_(True),
            StoredValuation.listing_type == listing_type,
        )
    ).all()
    return sorted(rows, key=lambda r: (r.kind != ENSEMBLE_ROW, r.model_id))


def is_stale(ensemble_row: StoredValuation, config: ValuationConfig, facts: Mapping[str, Any]) -> bool:
    """True when parameter sets or the patent's facts changed since the row was stored."""
    snap = ensemble_row.input_snapshot
    used = {
        m: i
        for m, i in config.set_ids().items()
        if m in _needed(config, ensemble_row.listing_type) or m == ENSEMBLE_ID
    }
    stored = {m: i for m, i in snap.get("parameter_sets", {}).items() if m in used}
    return stored != used or json.loads(canonical_json(dict(facts))) != snap.get("facts")


def shown_valuation(
    patent: Patent, actor: User | None = None, *, full: bool = True, listing_type: str = "default"
) -> list[StoredValuation]:
    """The valuation to show: the stored rows while they are current, else a fresh valuation that is
    computed (once per unchanged inputs, then cached) but not stored: a GET never writes. Storing
    happens on a write by an authorised user (``value_patent``) or in the batch."""
    rows = current_rows(patent.id, listing_type)
    head = rows[0] if rows and rows[0].kind == ENSEMBLE_ROW else None
    try:
        config = load_config()
    except Conflict:
        return rows
    facts = facts_for(patent, today(), listing_type)
    if (
        head is not None
        and not is_stale(head, config, facts)
        and not (full and head.result_form != FULL_FORM)
    ):
        return rows
    key = _cache_key(patent.id, listing_type, config, facts)
    cached = _SHOWN.get(key)
    if cached is None:
        outcome = value_patent(patent, actor, config=config, listing_type=listing_type, store=False)
        cached = sorted(
            (StoredValuation(**row) for row in outcome.rows),
            key=lambda r: (r.kind != ENSEMBLE_ROW, r.model_id),
        )
        _remember(key, cached)
    return cached


SHOWN_CACHE_SIZE = 512  # fresh, unstored valuations kept per process (a report and its charts share one)
_SHOWN: OrderedDict[str, list[StoredValuation]] = OrderedDict()


def _cache_key(patent_id: int, listing_type: str, config: ValuationConfig, facts: Mapping[str, Any]) -> str:
    """Changes whenever anything the valuation reads changes: facts, parameter sets, comparables, seed."""
    material = {
        "patent": patent_id,
        "listing_type": listing_type,
        "facts": facts,
        "sets": config.set_ids(),
        "comparables": config.comparables_ref["sha256"],
        "seed": config.seed,
        "engine": engine.engine_version(),
    }
    return hashlib.sha256(canonical_json(material).encode()).hexdigest()


def _remember(key: str, rows: list[StoredValuation]) -> None:
    _SHOWN[key] = rows
    _SHOWN.move_to_end(key)
    while len(_SHOWN) > SHOWN_CACHE_SIZE:
        _SHOWN.popitem(last=False)


def provenance_of(row: StoredValuation) -> Provenance:
    """The engine provenance of a stored model row."""
    prov = row.result["provenance"]
    return Provenance(
        prov["model_id"],
        prov["model_version"],
        prov["params_hash"],
        prov["seed"],
        prov.get("inputs", row.input_snapshot),
        prov.get("params", {}),
        prov["engine_version"],
    )


def run_model(
    model_id: str, params: Mapping[str, Any] | None, inputs: Mapping[str, Any] | None, seed: int = 0
) -> dict[str, Any]:
    """The CLI and API contract: run one model on given inputs; EngineError propagates with field names."""
    return engine.run(model_id, inputs, params, seed).to_dict()
