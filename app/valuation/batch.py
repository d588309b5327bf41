"""Bulk path: value many patents per model with the engine's vectorised batch, then combine and store.

Used by ``flask valuation revalue``, by RQ workers, by the preview of a draft (without storing) and
by the benchmark. Rows keep ``BatchResult.row`` figures; the report page upgrades a patent to a
full result when someone opens it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.catalogue.models import Patent
from app.core.models import utcnow
from app.extensions import db
from app.valuation import engine, income
from app.valuation.engine import EngineError, FairValueRange, Provenance, ValuationResult
from app.valuation.engine.base import check_storable
from app.valuation.engine.errors import FieldErrors
from app.valuation.engine.result import CURRENCY
from app.valuation.inputs import model_inputs, patent_facts
from app.valuation.loading import facts_by_id
from app.valuation.search_values import SEARCH_LISTING_TYPE, publish_midpoints
from app.valuation.services import (
    COMPARABLES,
    ValuationConfig,
    _needed,
    combine,
    model_for,
    today,
)
from app.valuation.storing import bulk_rows, store_encoded

CHUNK = 5000  # patents per batch call: bounds memory and lets the progress bar move


@dataclass
class Entry:
    """One patent to value in bulk."""

    patent_id: int
    facts: dict[str, Any]
    listing_type: str = "default"


def entries_for(patents: Sequence[Patent], on: dt.date | None = None) -> list[Entry]:
    """Facts of each patent (default listing type until the market capability supplies listings)."""
    day = on or today()
    return [Entry(p.id, patent_facts(p, on=day)) for p in patents]


def _batch_dict(
    model: engine.Model, row: Mapping[str, Any], params_hash: str, seed: int, version: str
) -> dict[str, Any]:
    pct = row.get("percentiles")
    return {
        "model_id": model.id,
        "model_version": model.version,
        "kind": model.kind,
        "value": None if row["value"] is None else str(row["value"]),
        "currency": CURRENCY if model.kind == engine.MONETARY else None,
        "percentiles": None if pct is None else {k: str(v) for k, v in pct.items()},
        "prob_below_ask": None if row.get("prob_below_ask") is None else str(row["prob_below_ask"]),
        "flags": row["flags"],
        "provenance": {
            "model_id": model.id,
            "model_version": model.version,
            "params_hash": params_hash,
            "seed": seed,
            "engine_version": version,
        },
    }


def model_batch(
    model: engine.Model,
    inputs: Sequence[dict[str, Any]],
    params: Mapping[str, Any],
    seed: int,
    shared: Mapping[str, Any],
    refused: dict[int, dict[str, str]] | None = None,
) -> list[dict[str, Any] | None]:
    """Batch rows for one model; when the batch is refused, value row by row and mark failures None."""
    columns: dict[str, Any] = engine.rows_to_columns(inputs)
    return column_batch(model, columns, len(inputs), lambda: list(inputs), params, seed, shared, refused)


def reason(error: EngineError) -> dict[str, str]:
    """Why the engine refused a patent, in both languages (stored with the patent's range row)."""
    if isinstance(error, FieldErrors):
        return {"zh": error.message("zh"), "en": error.message("en")}
    return {"zh": str(error), "en": str(error)}


def column_batch(
    model: engine.Model,
    columns: dict[str, Any],
    n: int,
    rows: Callable[[], list[dict[str, Any]]],
    params: Mapping[str, Any],
    seed: int,
    shared: Mapping[str, Any],
    refused: dict[int, dict[str, str]] | None = None,
) -> list[dict[str, Any] | None]:
    """Batch rows from columnar inputs; ``rows`` gives per-patent inputs for the row-by-row fallback.

    Like the interactive path, a monetary figure beyond the stored NUMERIC(18, 2) columns is
    refused: that patent gets no row from this model and ``refused[i]`` says why; the others go on.
    """
    refused = {} if refused is None else refused
    columns = columns | {k: v for k, v in shared.items() if k in model.shared_inputs}
    version = engine.engine_version()
    try:
        result = model.value_batch(columns, params, seed)
    except EngineError as error:
        if n == 1:
            refused[0] = reason(error)
            return [None]
        out: list[dict[str, Any] | None] = []
        for i, one in enumerate(rows()):
            own: dict[int, dict[str, str]] = {}
            out += model_batch(model, [one], params, seed, shared, own)
            if own:
                refused[i] = own[0]
        return out
    out = []
    for i in range(len(result)):
        row = result.row(i)
        if model.kind == engine.MONETARY and row["value"] is not None:
            try:
                check_storable([row["value"], *(row.get("percentiles") or {}).values()])
            except EngineError as error:
                refused[i] = reason(error)
                out.append(None)
                continue
        out.append(_batch_dict(model, row, result.params_hash, seed, version))
    return out


def fact_columns(model: engine.Model, facts: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """The columns model_inputs + rows_to_columns would give: declared facts, all-None columns left out."""
    out = {}
    for spec in model.input_schema:
        column = [f.get(spec.name) for f in facts]
        if any(v is not None for v in column):
            out[spec.name] = column
    return out


def light_result(data: Mapping[str, Any]) -> ValuationResult:
    """A ValuationResult carrying only what the ensemble reads (value, percentiles, kind)."""
    pct = data.get("percentiles")
    return ValuationResult(
        model_id=data["model_id"],
        model_version=data["model_version"],
        kind=data["kind"],
        value=None if data["value"] is None else Decimal(data["value"]),
        currency=data.get("currency"),
        provenance=_NO_PROVENANCE,
        percentiles=None if pct is None else {k: Decimal(v) for k, v in pct.items()},
        details={"mostly_defaulted": True} if "mostly_defaulted" in (data.get("flags") or ()) else {},
    )


_NO_PROVENANCE = Provenance("", "", "", 0, {}, {}, "")


def snapshot_inputs(
    model: engine.Model, inputs: Mapping[str, Any], config: ValuationConfig
) -> dict[str, Any]:
    """Model inputs as stored in bulk rows: the shared comparables list becomes a reference."""
    if COMPARABLES in model.shared_inputs:
        return {**inputs, COMPARABLES: config.comparables_ref}
    return dict(inputs)


Failures = dict[int, dict[str, dict[str, str]]]  # patent id -> model id -> why it was refused (zh, en)


def value_entries(
    entries: Sequence[Entry], config: ValuationConfig, failures: Failures | None = None
) -> dict[str, list[dict[str, Any] | None]]:
    """Per model: the batch result dict of each patent (None where the model refused it, and why
    in ``failures``)."""
    failures = {} if failures is None else failures
    results: dict[str, list[dict[str, Any] | None]] = {}
    facts = [e.facts for e in entries]
    for model_id in _needed(config):
        ps = config.sets[model_id]
        model = model_for(ps)
        refused: dict[int, dict[str, str]] = {}
        results[model_id] = column_batch(
            model,
            fact_columns(model, facts),
            len(entries),
            lambda model=model: [model_inputs(model, f) for f in facts],
            ps.params,
            config.seed,
            {COMPARABLES: config.comparables},
            refused,
        )
        _own_inputs(model, ps.params, entries, config, results[model_id], refused)
        for i, why in refused.items():
            if results[model_id][i] is None:
                failures.setdefault(entries[i].patent_id, {})[model_id] = why
    return results


def _own_inputs(
    model: engine.Model,
    params: Mapping[str, Any],
    entries: Sequence[Entry],
    config: ValuationConfig,
    out: list[dict[str, Any] | None],
    refused: dict[int, dict[str, str]],
) -> None:
    """Patents with their own income inputs are valued one by one with those inputs (few patents;
    the full result keeps the parameters used, so the row replays from its own provenance)."""
    if model.id not in income.INCOME_MODELS:
        return
    for i, entry in enumerate(entries):
        if not income.has_revenue(entry.facts):
            continue
        try:
            result = model.value(
                model_inputs(model, entry.facts),
                income.patent_params(model.id, params, entry.facts),
                config.seed,
            )
        except EngineError as error:
            out[i] = None
            refused[i] = reason(error)
            continue
        refused.pop(i, None)
        out[i] = result.to_dict()


def ranges(
    entries: Sequence[Entry], config: ValuationConfig, results: Mapping[str, Sequence[dict[str, Any] | None]]
) -> list[FairValueRange | None]:
    """The fair value range of each patent from the batch results."""
    out = []
    for i, entry in enumerate(entries):
        light = [light_result(rows[i]) for rows in results.values() if rows[i] is not None]
        out.append(combine(config, entry.listing_type, light, entry.facts))
    return out


def value_and_store(
    entries: Sequence[Entry],
    config: ValuationConfig,
    actor_id: int | None = None,
    failures: Failures | None = None,
) -> int:
    """Value a chunk of patents in bulk and store their rows (a refusal is stored with the patent's
    range row and added to ``failures``); returns the count."""
    failures = {} if failures is None else failures
    results = value_entries(entries, config, failures)
    fvrs = ranges(entries, config, results)
    store_encoded(bulk_rows(entries, config, results, fvrs, actor_id, utcnow(), failures))
    publish_midpoints(
        db.session,
        {
            e.patent_id: f.mid
            if f and f.currency == "CNY" and e.listing_type == SEARCH_LISTING_TYPE
            else None
            for e, f in zip(entries, fvrs, strict=True)
        },
    )
    return len(entries)


def patent_ids(only_stale: bool = False) -> list[int]:
    """Ids of the patents to revalue: all, or those without a current valuation."""
    from app.valuation.models import StoredValuation

    query = select(Patent.id).order_by(Patent.id)
    if only_stale:
        current = select(StoredValuation.patent_id).where(StoredValuation.is_current.is_(True))
        query = query.where(Patent.id.not_in(current))
    return list(db.session.scalars(query))


def load_patents(ids: Sequence[int]) -> list[Patent]:
    query = (
        select(Patent)
        .where(Patent.id.in_(list(ids)))
        .options(
            selectinload(Patent.classifications),
            selectinload(Patent.pledges),
            selectinload(Patent.events),
            selectinload(Patent.licences),
        )
    )
    return list(db.session.scalars(query))


def revalue(
    ids: Sequence[int],
    config: ValuationConfig,
    actor_id: int | None = None,
    progress: Callable[[int], None] | None = None,
    chunk: int = CHUNK,
    failures: Failures | None = None,
) -> int:
    """Value and store the given patents chunk by chunk, committing each chunk; what a model refused
    for a patent (e.g. a value beyond the stored columns) goes to ``failures`` and the run goes on."""
    done = 0
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        entries = [Entry(pid, facts) for pid, facts in facts_by_id(part, today())]
        done += value_and_store(entries, config, actor_id, failures)
        db.session.commit()
        if progress:
            progress(len(part))
    return done
