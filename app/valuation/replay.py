"""Replay: re-run stored valuations from their snapshots and report every one that differs."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.valuation import engine
from app.valuation.batch import light_result, model_batch
from app.valuation.calibration import stored_calibrations
from app.valuation.engine import Calibration, EngineError, ValuationResult
from app.valuation.engine.result import canonical_json
from app.valuation.models import (
    BATCH_FORM,
    ENSEMBLE_ROW,
    FULL_FORM,
    ClosedDeal,
    ParameterSet,
    StoredValuation,
)
from app.valuation.services import COMPARABLES, _headline, _range_dict, effective_weights, range_from
from app.valuation.weights import weights_for

HEADLINE = ("value", "low", "mid", "high")


@dataclass(frozen=True)
class Difference:
    """One stored valuation that did not replay identically."""

    valuation_id: int
    patent_id: int
    model: str
    paths: tuple[str, ...]


@dataclass
class ReplayReport:
    checked: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def _columns_diff(row: StoredValuation, expected: Mapping[str, Any]) -> list[str]:
    out = []
    for key in HEADLINE:
        stored, fresh = getattr(row, key), expected.get(key)
        if (stored is None) != (fresh is None) or (stored is not None and Decimal(stored) != Decimal(fresh)):
            out.append(f"column.{key}")
    return out


class _Comparables:
    """Closed deals restored from the reference kept in bulk rows (deals are immutable snapshots)."""

    def __init__(self) -> None:
        self.cache: dict[str, list[dict[str, Any]] | None] = {}

    def restore(self, ref: Mapping[str, Any]) -> list[dict[str, Any]] | None:
        key = ref.get("sha256", "")
        if key not in self.cache:
            ids = list(ref.get("ids", []))
            deals = {
                d.reference: d
                for d in db.session.scalars(select(ClosedDeal).where(ClosedDeal.reference.in_(ids)))
            }
            records = [deals[i].as_comparable() for i in ids if i in deals]
            same = hashlib.sha256(canonical_json(records).encode()).hexdigest() == key
            self.cache[key] = records if same and len(records) == len(ids) else None
        return self.cache[key]


def _replay_full(row: StoredValuation, ignore_engine: bool) -> list[str]:
    try:
        fresh, paths = engine.replay(row.result, ignore_engine=ignore_engine)
    except (EngineError, KeyError, TypeError) as error:
        return [f"error: {error}"]
    data = fresh.to_dict()
    return paths + _columns_diff(row, _headline(data["kind"], data["value"], data["percentiles"]))


def _replay_batch(
    rows: Sequence[StoredValuation], comps: _Comparables, ignore_engine: bool
) -> dict[int, list[str]]:
    """Rows of one model, parameter set and seed, re-run together through the batch path."""
    first = rows[0]
    try:
        model = engine.get(first.model_id, first.model_version)
    except EngineError as error:
        return {r.id: [f"error: {error}"] for r in rows}
    params = db.session.get(ParameterSet, first.parameter_set_id).params
    inputs, out = [], {}
    shared: dict[str, Any] = {}
    for row in rows:
        snap = dict(row.input_snapshot)
        if COMPARABLES in snap:
            shared[COMPARABLES] = comps.restore(snap.pop(COMPARABLES))
        inputs.append(snap)
    if COMPARABLES in model.shared_inputs and shared.get(COMPARABLES) is None:
        return {r.id: ["input_snapshot.comparables"] for r in rows}
    fresh = model_batch(model, inputs, params, first.seed, shared)
    skip = {"engine_version"} if ignore_engine else set()
    for row, new in zip(rows, fresh, strict=True):
        if new is None:
            out[row.id] = ["error: the engine refused the stored inputs"]
            continue
        paths = engine.diff_results(_strip(row.result, skip), _strip(new, skip))
        out[row.id] = paths + _columns_diff(row, _headline(new["kind"], new["value"], new["percentiles"]))
    return out


def _strip(data: Mapping[str, Any], skip: set[str]) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    for key in skip:
        data.get("provenance", {}).pop(key, None)
    return data


def _ensemble_inputs(row: StoredValuation) -> tuple[dict[str, float], dict[str, Any]]:
    """Weights and calibrations: copied into older rows, otherwise those of the referenced parameter set."""
    snap = row.input_snapshot
    if "weights" in snap:
        return snap["weights"], snap["calibrations"]
    params = db.session.get(ParameterSet, row.parameter_set_id).params
    return weights_for(params, row.listing_type), params["calibrations"]


def _replay_ensemble(row: StoredValuation, components: Iterable[StoredValuation]) -> list[str]:
    weights, calibrations = _ensemble_inputs(row)
    results: list[ValuationResult] = []
    for comp in components:
        if comp.model_id in weights:
            data = comp.result
            results.append(
                ValuationResult.from_dict(data) if comp.result_form == FULL_FORM else light_result(data)
            )
    cals = {m: Calibration(**spec, source="ensemble parameter set") for m, spec in calibrations.items()}
    cals |= stored_calibrations(row.result)  # the empirical calibration the range was made with
    facts = row.input_snapshot.get("facts", {})
    fvr = range_from(results, weights, cals, facts)
    fresh = _range_dict(fvr, effective_weights(weights, facts))
    if "mean" not in row.result:  # stored before ranges kept their mean: nothing to compare
        fresh.pop("mean", None)
    paths = engine.diff_results(row.result, fresh)
    return paths + _columns_diff(
        row, {"value": fresh["mid"], "low": fresh["low"], "mid": fresh["mid"], "high": fresh["high"]}
    )


def replay(
    *,
    only_current: bool = True,
    ignore_engine: bool = False,
    chunk: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> ReplayReport:
    """Re-run stored valuations (current ones by default, all with only_current=False)."""
    report = ReplayReport()
    query = select(StoredValuation.id).order_by(StoredValuation.id)
    if only_current:
        query = query.where(StoredValuation.is_current.is_(True))
    ids = list(db.session.scalars(query))
    comps = _Comparables()
    for start in range(0, len(ids), chunk):
        rows = db.session.scalars(
            select(StoredValuation).where(StoredValuation.id.in_(ids[start : start + chunk]))
        ).all()
        _replay_rows(list(rows), comps, ignore_engine, report)
        if progress:
            progress(len(rows))
        for row in rows:  # keep memory flat on big replays without detaching the caller's objects
            db.session.expunge(row)
    return report


def _replay_rows(
    rows: list[StoredValuation], comps: _Comparables, ignore_engine: bool, report: ReplayReport
) -> None:
    found: dict[int, list[str]] = {}
    groups: dict[tuple, list[StoredValuation]] = defaultdict(list)
    ensembles = [r for r in rows if r.kind == ENSEMBLE_ROW]
    for row in rows:
        if row.kind == ENSEMBLE_ROW:
            continue
        if row.result_form == BATCH_FORM:
            groups[(row.model_id, row.model_version, row.parameter_set_id, row.seed)].append(row)
        else:
            found[row.id] = _replay_full(row, ignore_engine)
    for group in groups.values():
        found.update(_replay_batch(group, comps, ignore_engine))
    run_ids = [r.run_id for r in ensembles]
    members: dict[str, list[StoredValuation]] = defaultdict(list)
    for start in range(0, len(run_ids), 900):
        part = run_ids[start : start + 900]
        for comp in db.session.scalars(
            select(StoredValuation).where(
                StoredValuation.run_id.in_(part), StoredValuation.kind != ENSEMBLE_ROW
            )
        ):
            members[comp.run_id].append(comp)
    for row in ensembles:
        # combined in model-id order, as both valuation paths do (the database returns rows in any order)
        found[row.id] = _replay_ensemble(row, sorted(members[row.run_id], key=lambda r: r.model_id))
    by_id = {r.id: r for r in rows}
    for row_id, paths in sorted(found.items()):
        report.checked += 1
        if paths:
            row = by_id[row_id]
            report.differences.append(Difference(row.id, row.patent_id, row.model_tag, tuple(paths)))
