"""Frozen, JSON-ready results: Decimals out, provenance for replay, additive drivers."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from .errors import EngineError

MONEY = Decimal("0.01")
SCORE = Decimal("0.0001")
FINE = Decimal("0.000001")
PERCENTILES = (5, 10, 50, 90, 95)
CURRENCY = "CNY"


def to_decimal(x: float, quantum: Decimal) -> Decimal:
    """Round a finite float to a Decimal; refuse NaN and infinity so they never leave the engine."""
    x = float(x)
    if not math.isfinite(x):
        raise EngineError(f"non-finite number {x} reached a result")
    out = Decimal(x).quantize(quantum, rounding=ROUND_HALF_UP)
    return abs(out) if out == 0 else out


def canonical_json(obj: Any) -> str:
    """Deterministic JSON (sorted keys, no NaN) for hashing and bit-identical comparison."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_json_default
    )


def _json_default(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def params_hash(params: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of validated parameters."""
    return hashlib.sha256(canonical_json(params).encode()).hexdigest()


def allocate(contributions: Sequence[float], total: Decimal, quantum: Decimal) -> list[Decimal]:
    """Round contributions so their Decimal sum equals the rounded total exactly (largest remainder)."""
    rounded = [to_decimal(c, quantum) for c in contributions]
    residual = total - sum(rounded, Decimal(0))
    if rounded and residual:
        i = max(range(len(rounded)), key=lambda k: abs(contributions[k]))
        rounded[i] += residual
    return rounded


@dataclass(frozen=True)
class Text:
    """A bilingual message (assumption, warning) with a stable code."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True)
class Driver:
    """One additive contribution to the value or score."""

    key: str
    label_zh: str
    label_en: str
    contribution: Decimal


@dataclass(frozen=True)
class Step:
    """One calculation step shown in the report."""

    key: str
    zh: str
    en: str
    value: Decimal | None = None
    unit: str = ""


@dataclass(frozen=True)
class Provenance:
    """Everything needed to replay the valuation bit for bit."""

    model_id: str
    model_version: str
    params_hash: str
    seed: int
    inputs: Mapping[str, Any]
    params: Mapping[str, Any]
    engine_version: str

    @property
    def model(self) -> str:
        """Model tag such as 'rfr@1.0.0'."""
        return f"{self.model_id}@{self.model_version}"


@dataclass(frozen=True)
class ValuationResult:
    """What one model says about one patent, with the reasons and the means to replay it."""

    model_id: str
    model_version: str
    kind: str
    value: Decimal | None
    currency: str | None
    provenance: Provenance
    percentiles: Mapping[str, Decimal] | None = None
    mean: Decimal | None = None
    prob_below_ask: Decimal | None = None
    drivers: tuple[Driver, ...] = ()
    steps: tuple[Step, ...] = ()
    assumptions: tuple[Text, ...] = ()
    warnings: tuple[Text, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form; Decimals become strings so nothing is lost."""
        return json.loads(canonical_json(_plain(self)))

    def fingerprint(self) -> str:
        """sha256 of the canonical dict, for quick replay comparison."""
        return hashlib.sha256(canonical_json(self.to_dict()).encode()).hexdigest()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ValuationResult:
        """Rebuild a stored result; to_dict() of the rebuilt result equals the stored dict."""
        dec = _dec_or_none
        return cls(
            model_id=data["model_id"],
            model_version=data["model_version"],
            kind=data["kind"],
            value=dec(data["value"]),
            currency=data["currency"],
            provenance=Provenance(**{k: v for k, v in data["provenance"].items() if k != "model"}),
            percentiles=None
            if data["percentiles"] is None
            else {k: Decimal(v) for k, v in data["percentiles"].items()},
            mean=dec(data["mean"]),
            prob_below_ask=dec(data["prob_below_ask"]),
            drivers=tuple(
                Driver(**d | {"contribution": Decimal(d["contribution"])}) for d in data["drivers"]
            ),
            steps=tuple(Step(**s | {"value": dec(s["value"])}) for s in data["steps"]),
            assumptions=tuple(Text(**t) for t in data["assumptions"]),
            warnings=tuple(Text(**t) for t in data["warnings"]),
            details=data["details"],
        )


def _dec_or_none(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _plain(obj: Any) -> Any:
    if hasattr(obj, "__dataclass_fields__"):
        data = {k: _plain(getattr(obj, k)) for k in obj.__dataclass_fields__}
        if isinstance(obj, Provenance):
            data["model"] = obj.model
            data["inputs"] = json.loads(canonical_json(obj.inputs))
            data["params"] = json.loads(canonical_json(obj.params))
        return data
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, float | np.floating):
        return to_decimal(obj, FINE)
    return obj


def diff_results(a: Mapping[str, Any], b: Mapping[str, Any], *, ignore_engine: bool = False) -> list[str]:
    """Paths where two result dicts differ; empty means an identical replay."""
    out: list[str] = []
    _diff(a, b, "", out, {"engine_version"} if ignore_engine else set())
    return out


def _diff(a: Any, b: Any, path: str, out: list[str], skip: set[str]) -> None:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for key in sorted(set(a) | set(b)):
            if key not in skip:
                _diff(a.get(key), b.get(key), f"{path}.{key}" if path else key, out, skip)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{path}[{i}]", out, skip)
    elif a != b:
        out.append(path)


@dataclass
class BatchResult:
    """Arrays of results for many patents; values where ok is False are 0 and explained by flags."""

    model_id: str
    model_version: str
    kind: str
    values: np.ndarray
    ok: np.ndarray
    params_hash: str
    seed: int
    percentiles: dict[str, np.ndarray] | None = None
    mean: np.ndarray | None = None
    prob_below_ask: np.ndarray | None = None
    flags: dict[str, np.ndarray] = field(default_factory=dict)
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.values.shape[0])

    @property
    def quantum(self) -> Decimal:
        """Rounding step for this kind of number."""
        return MONEY if self.kind == "monetary" else SCORE

    def row(self, i: int) -> dict[str, Any]:
        """One patent's figures as rounded Decimals, ready to store."""
        q = self.quantum
        row: dict[str, Any] = {"value": to_decimal(self.values[i], q) if self.ok[i] else None}
        if self.percentiles is not None and self.ok[i]:
            row["percentiles"] = {k: to_decimal(v[i], q) for k, v in self.percentiles.items()}
        if (
            self.prob_below_ask is not None
            and self.ok[i]
            and not self.flags.get("no_ask", np.zeros(len(self), bool))[i]
        ):
            row["prob_below_ask"] = to_decimal(self.prob_below_ask[i], SCORE)
        row["flags"] = sorted(k for k, v in self.flags.items() if v[i])
        return row

    def decimal_values(self) -> list[Decimal | None]:
        """All point values as rounded Decimals (None where not ok)."""
        q = self.quantum
        return [
            to_decimal(v, q) if ok else None
            for v, ok in zip(self.values.tolist(), self.ok.tolist(), strict=True)
        ]
