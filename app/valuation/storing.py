"""Storing bulk valuations fast: JSON encoded once, shared where identical, inserted in chunks.

A bulk run writes one row per model and one range row per patent. Encoding their two JSON columns
row by row through the ORM type was most of the time spent; here

- each patent's facts are encoded once, fact by fact, and the model snapshots and the range
  snapshot are joined from those fragments;
- what every row of one model shares (model id and version, provenance) is encoded once per run
  and spliced in front of the row's own figures;
- the range row refers to the ensemble parameter set (``parameter_set_id``) instead of copying its
  weights and calibrations into every row; replay reads them from that immutable version;
- the JSON text goes to the database as it is (cast to JSON on PostgreSQL), in executemany chunks,
  after one UPDATE retires the patents' previous rows.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import JSON, Text, bindparam, cast, insert, update

from app.extensions import db
from app.valuation import engine
from app.valuation.engine import FairValueRange
from app.valuation.models import BATCH_FORM, ENSEMBLE_ID, ENSEMBLE_ROW, FULL_FORM, MODEL_ROW, StoredValuation
from app.valuation.services import (
    COMPARABLES,
    ValuationConfig,
    _headline,
    _needed,
    _range_dict,
    effective_weights,
    model_for,
)
from app.valuation.weights import weights_for

INSERT_CHUNK = 5000
JSON_COLUMNS = ("input_snapshot", "result")
SHARED_VALUES = ("created_at", "is_current", "seed", "created_by_id")  # one value per chunk: processed once


def _default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return str(obj)
    raise TypeError(f"cannot store {type(obj).__name__} as JSON")


encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_default).encode


def _value(v: Any) -> str:
    """One JSON value; the common scalar types without the encoder's call overhead."""
    kind = type(v)
    if kind is float:
        return encode(v) if v != v or v in (float("inf"), float("-inf")) else repr(v)
    if kind is int:
        return repr(v)
    if v is None:
        return "null"
    if kind is str:
        return encode_basestring(v)
    return encode(v)


class EncodedFacts:
    """One patent's facts as JSON fragments ('"key":value'), encoded once and shared by its snapshots."""

    __slots__ = ("parts",)
    _keys: dict[str, str] = {}

    def __init__(self, facts: Mapping[str, Any]) -> None:
        keys = self._keys
        parts = {}
        for key, value in facts.items():
            prefix = keys.get(key)
            if prefix is None:
                prefix = keys[key] = f"{encode_basestring(key)}:"
            parts[key] = (prefix + _value(value), value is None)
        self.parts = parts

    def subset(self, names: Iterable[str], extra: str = "") -> str:
        """The facts a model reads (None values left out, as model_inputs does), plus shared data."""
        parts = self.parts
        chosen = [parts[k][0] for k in names if k in parts and not parts[k][1]]
        if extra:
            chosen.append(extra)
        return "{" + ",".join(chosen) + "}"

    def whole(self) -> str:
        return "{" + ",".join(p[0] for p in self.parts.values()) + "}"


def splice(prefix: str, own: Mapping[str, Any]) -> str:
    """A JSON object from a pre-encoded prefix ('{...,') and the row's own keys."""
    body = encode(own)
    return prefix + body[1:] if len(body) > 2 else prefix[:-1] + "}"


def shared_prefix(shared: Mapping[str, Any]) -> str:
    return encode(dict(shared))[:-1] + ","


class ModelPlan:
    """What every bulk row of one model shares within a run."""

    SHARED = ("model_id", "model_version", "kind", "currency", "provenance")

    def __init__(self, model_id: str, config: ValuationConfig, sample: Mapping[str, Any]) -> None:
        self.ps = config.sets[model_id]
        model = model_for(self.ps)
        self.names = [s.name for s in model.input_schema]
        self.extra = ""
        if COMPARABLES in model.shared_inputs:
            self.extra = f"{encode_basestring(COMPARABLES)}:{encode(config.comparables_ref)}"
        self.shared = {k: sample[k] for k in self.SHARED}
        self.prefix = shared_prefix(self.shared)
        self.base = {
            "kind": MODEL_ROW,
            "model_id": self.ps.model_id,
            "model_version": sample["model_version"],
            "parameter_set_id": self.ps.id,
            "parameter_set_version": self.ps.version,
        }

    def result_json(self, data: Mapping[str, Any]) -> str:
        if any(data[k] != v for k, v in self.shared.items()):  # not shared after all: encode it whole
            return encode(data)
        return splice(self.prefix, {k: v for k, v in data.items() if k not in self.SHARED})


def bulk_rows(
    entries: Sequence[Any],
    config: ValuationConfig,
    results: Mapping[str, Sequence[dict[str, Any] | None]],
    fvrs: Sequence[FairValueRange | None],
    actor_id: int | None,
    now: dt.datetime,
    failures: Mapping[int, Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Every row of a bulk chunk, JSON columns already encoded (refusals kept with the range row)."""
    plans = {}
    for model_id, rows in results.items():
        sample = next((r for r in rows if r is not None), None)
        if sample is not None:
            plans[model_id] = ModelPlan(model_id, config, sample)
    common = {"seed": config.seed, "code_version": engine.engine_version(), "is_current": True}
    common |= {"created_by_id": actor_id, "created_at": now}
    ensemble = config.sets[ENSEMBLE_ID]
    set_ids = encode(config.set_ids())
    needed_by_type: dict[str, set[str]] = {}
    out: list[dict[str, Any]] = []
    for i, entry in enumerate(entries):
        run_id = uuid.uuid4().hex
        lt = entry.listing_type
        needed = needed_by_type.get(lt)
        if needed is None:
            needed = needed_by_type[lt] = set(_needed(config, lt))
        facts = EncodedFacts(entry.facts)
        head = {"run_id": run_id, "patent_id": entry.patent_id, "listing_type": lt, "result_form": BATCH_FORM}
        for model_id, plan in plans.items():
            data = results[model_id][i]
            if data is None or model_id not in needed:
                continue
            out.append(
                {
                    **head,
                    "result_form": FULL_FORM if "drivers" in data else BATCH_FORM,  # patent-specific inputs
                    **common,
                    **plan.base,
                    "input_snapshot": facts.subset(plan.names, plan.extra),
                    "result": plan.result_json(data),
                    **_headline(data["kind"], data.get("value"), data.get("percentiles")),
                }
            )
        out.append(
            _ensemble(
                head,
                common,
                ensemble,
                facts,
                set_ids,
                fvrs[i],
                effective_weights(weights_for(config.ensemble, lt), entry.facts),
                (failures or {}).get(entry.patent_id),
            )
        )
    return out


def _ensemble(
    head: dict[str, Any],
    common: dict[str, Any],
    ensemble: Any,
    facts: EncodedFacts,
    set_ids: str,
    fvr: FairValueRange | None,
    weights: Mapping[str, float],
    refused: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    snapshot = (
        f'{{"facts":{facts.whole()},"parameter_sets":{set_ids},"listing_type":{_value(head["listing_type"])}'
    )
    # Models that refused this patent and why (e.g. a value beyond the stored columns).
    snapshot += f',"refused":{encode(dict(refused))}}}' if refused else "}"
    money = {"low": fvr.low, "mid": fvr.mid, "high": fvr.high, "currency": fvr.currency} if fvr else {}
    return {
        **head,
        **common,
        "kind": ENSEMBLE_ROW,
        "model_id": ENSEMBLE_ID,
        "model_version": ensemble.model_version or "1.0.0",
        "parameter_set_id": ensemble.id,
        "parameter_set_version": ensemble.version,
        "input_snapshot": snapshot,
        "result": encode(_range_dict(fvr, weights)),
        "value": fvr.mid if fvr else None,
        "low": None,
        "mid": None,
        "high": None,
        "currency": None,
        **money,
    }


def retire_current(patent_ids: Sequence[int], listing_type: str) -> None:
    """One UPDATE: the patents' current rows of this listing type stop being current."""
    if not patent_ids:
        return
    db.session.execute(
        update(StoredValuation)
        .where(
            StoredValuation.is_current.is_(True),
            StoredValuation.listing_type == listing_type,
            StoredValuation.patent_id.in_(list(patent_ids)),
        )
        .values(is_current=False)
    )


class _Insert:
    """The INSERT compiled once for the session's database, with each column's bind processor.

    Rows go to the driver's executemany directly: JSON columns are already text, and the values that
    are the same for every row of a chunk (seed, code version, timestamps ...) are processed once.
    """

    def __init__(self) -> None:
        table = StoredValuation.__table__
        dialect = db.session.get_bind().dialect
        on_postgres = dialect.name == "postgresql"
        values = {}
        self.names = [c.name for c in table.columns if not c.primary_key]
        self.processors = {}
        for column in table.columns:
            if column.primary_key:
                continue
            if column.name in JSON_COLUMNS:
                param = bindparam(column.name, type_=Text())
                values[column.name] = cast(param, JSON) if on_postgres else param
            else:
                values[column.name] = bindparam(column.name, type_=column.type)
                processor = column.type.bind_processor(dialect)
                if processor is not None:
                    self.processors[column.name] = processor
        compiled = insert(table).values(values).compile(dialect=dialect)
        self.sql = str(compiled)
        self.order = list(compiled.positiontup) if compiled.positional else None

    def params(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        order = self.order or self.names
        convert = [
            (i, self.processors[n], n in SHARED_VALUES) for i, n in enumerate(order) if n in self.processors
        ]
        cache: dict[tuple[int, Any], Any] = {}
        out = []
        for row in rows:
            values = [row.get(n) for n in order]
            for i, processor, shared in convert:
                value = values[i]
                if value is None:
                    continue
                if shared:
                    key = (i, value)
                    if key not in cache:
                        cache[key] = processor(value)
                    values[i] = cache[key]
                else:
                    values[i] = processor(value)
            out.append(tuple(values) if self.order is not None else dict(zip(order, values, strict=True)))
        return out


def store_encoded(rows: Sequence[Mapping[str, Any]]) -> None:
    """Retire the patents' previous rows, then insert these (JSON columns given as text) in chunks."""
    for listing_type in sorted({r["listing_type"] for r in rows}):
        retire_current(
            sorted({r["patent_id"] for r in rows if r["listing_type"] == listing_type}), listing_type
        )
    statement = _Insert()
    connection = db.session.connection()
    for start in range(0, len(rows), INSERT_CHUNK):
        connection.exec_driver_sql(statement.sql, statement.params(rows[start : start + INSERT_CHUNK]))
