"""The model interface every valuation method implements, built-in or plugin."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np

from .errors import InputError, ParameterError, raise_collected
from .result import (
    CURRENCY,
    FINE,
    MONEY,
    SCORE,
    BatchResult,
    Driver,
    Provenance,
    Step,
    Text,
    ValuationResult,
    allocate,
    params_hash,
    to_decimal,
)
from .schema import InputSpec, ParamSpec, validate_input_batch, validate_inputs, validate_params
from .version import engine_version

MONETARY = "monetary"
SCORE_KIND = "score"
DriverRow = tuple[str, str, str, float]
StepRow = tuple[str, str, str, float | None, str]


class Model:
    """Base class: declare id, version, names, kind and schemas; implement evaluate (and evaluate_batch)."""

    id: ClassVar[str] = ""
    version: ClassVar[str] = "0.0.0"
    name_zh: ClassVar[str] = ""
    name_en: ClassVar[str] = ""
    kind: ClassVar[str] = MONETARY
    stochastic: ClassVar[bool] = False
    params_schema: ClassVar[tuple[ParamSpec, ...]] = ()
    input_schema: ClassVar[tuple[InputSpec, ...]] = ()
    shared_inputs: ClassVar[tuple[str, ...]] = ()
    limitations_zh: ClassVar[str] = ""
    limitations_en: ClassVar[str] = ""

    @property
    def tag(self) -> str:
        """id@version, recorded with every saved result."""
        return f"{self.id}@{self.version}"

    def check_params(self, params: Mapping[str, Any]) -> dict[str, str]:
        """Cross-field parameter rules; return {field: message}."""
        return {}

    def upgrade_params(self, params: Mapping[str, Any], from_version: str | None) -> dict[str, Any]:
        """Parameters saved for an earlier version of this model, rewritten for this version."""
        return dict(params)

    def check_inputs(self, inputs: Mapping[str, Any]) -> dict[str, str]:
        """Cross-field input rules; return {field: message}."""
        return {}

    def value(
        self, inputs: Mapping[str, Any] | None, params: Mapping[str, Any] | None, seed: int = 0
    ) -> ValuationResult:
        """Validate parameters and inputs (reporting every bad field of both), then value one patent."""
        p, row = _validated(lambda: validate_params(self, params), lambda: validate_inputs(self, inputs))
        result = self.evaluate(row, p, int(seed))
        _refuse_unstorable(result)
        return result

    def value_batch(
        self, inputs_batch: Mapping[str, Any], params: Mapping[str, Any] | None, seed: int = 0
    ) -> BatchResult:
        """Validate, then value many patents at once (columnar inputs: name -> sequence)."""
        p, (columns, n) = _validated(
            lambda: validate_params(self, params),
            lambda: validate_input_batch(self, inputs_batch, self.shared_inputs),
        )
        return self.evaluate_batch(columns, n, p, int(seed))

    def point_value(self, inputs: Mapping[str, Any], params: Mapping[str, Any]) -> float:
        """Deterministic value used by sensitivity analysis; override with a fast path."""
        result = self.value(inputs, params, 0)
        return 0.0 if result.value is None else float(result.value)

    def evaluate(self, inputs: dict[str, Any], params: dict[str, Any], seed: int) -> ValuationResult:
        """Value one patent from validated inputs and parameters."""
        raise NotImplementedError

    def evaluate_batch(
        self, columns: dict[str, Any], n: int, params: dict[str, Any], seed: int
    ) -> BatchResult:
        """Fallback batch path: one evaluate() per row (built-in models override with numpy)."""
        values = np.zeros(n)
        ok = np.zeros(n, dtype=bool)
        for i in range(n):
            row = {k: v if k in self.shared_inputs else _cell(v, i) for k, v in columns.items()}
            result = self.evaluate(row, params, seed)
            if result.value is not None:
                values[i], ok[i] = float(result.value), True
        return self.batch(values, ok, params, seed)

    def batch(
        self, values: np.ndarray, ok: np.ndarray, params: Mapping[str, Any], seed: int, **extra: Any
    ) -> BatchResult:
        """Wrap arrays in a BatchResult carrying this model's identity."""
        return BatchResult(self.id, self.version, self.kind, values, ok, params_hash(params), seed, **extra)

    def describe(self) -> dict[str, Any]:
        """Schema and names for the CLI, API and workbench."""
        return {
            "id": self.id,
            "version": self.version,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "kind": self.kind,
            "stochastic": self.stochastic,
            "params": [s.to_dict() for s in self.params_schema],
            "inputs": [s.to_dict() for s in self.input_schema],
            "limitations_zh": self.limitations_zh,
            "limitations_en": self.limitations_en,
        }

    def make_result(
        self,
        inputs: Mapping[str, Any],
        params: Mapping[str, Any],
        seed: int,
        *,
        value: float | None,
        drivers: Sequence[DriverRow] = (),
        steps: Iterable[StepRow] = (),
        assumptions: Iterable[Text] = (),
        warnings: Iterable[Text] = (),
        details: Mapping[str, Any] | None = None,
        percentiles: Mapping[str, float] | None = None,
        mean: float | None = None,
        prob_below_ask: float | None = None,
    ) -> ValuationResult:
        """Round everything to Decimals and attach provenance."""
        q = MONEY if self.kind == MONETARY else SCORE
        dec_value = None if value is None else to_decimal(value, q)
        shares = allocate([d[3] for d in drivers], dec_value, q) if dec_value is not None else []
        return ValuationResult(
            model_id=self.id,
            model_version=self.version,
            kind=self.kind,
            value=dec_value,
            currency=CURRENCY if self.kind == MONETARY else None,
            provenance=Provenance(
                self.id, self.version, params_hash(params), seed, dict(inputs), dict(params), engine_version()
            ),
            percentiles=None
            if percentiles is None
            else {k: to_decimal(v, q) for k, v in percentiles.items()},
            mean=None if mean is None else to_decimal(mean, q),
            prob_below_ask=None if prob_below_ask is None else to_decimal(prob_below_ask, SCORE),
            drivers=tuple(Driver(d[0], d[1], d[2], c) for d, c in zip(drivers, shares, strict=False)),
            steps=tuple(
                Step(s[0], s[1], s[2], None if s[3] is None else to_decimal(s[3], _step_q(s[4], q)), s[4])
                for s in steps
            ),
            assumptions=tuple(assumptions),
            warnings=tuple(warnings),
            details=dict(details or {}),
        )


def _validated(check_params: Callable[[], Any], check_inputs: Callable[[], Any]) -> tuple[Any, Any]:
    """Run both validations so one request learns about every bad field, not only the inputs'."""
    params = inputs = None
    param_error = input_error = None
    try:
        params = check_params()
    except ParameterError as error:
        param_error = error
    try:
        inputs = check_inputs()
    except InputError as error:
        input_error = error
    raise_collected(param_error, input_error)
    return params, inputs


def _step_q(unit: str, default: Any) -> Any:
    return MONEY if unit == "CNY" else (default if unit in {"", "score"} else FINE)


def _cell(column: Any, i: int) -> Any:
    if isinstance(column, np.ndarray):
        return column[i].item()
    if isinstance(column, list):
        return column[i]
    return column


# Valuations are stored as NUMERIC(18, 2); a figure at or past this comes from inputs no patent has
# (e.g. CNY 10 trillion revenue doubling every year), so it is refused rather than stored or shown.
MAX_AMOUNT = Decimal(10) ** 15


def _refuse_unstorable(result: ValuationResult) -> None:
    if result.kind != "monetary" or result.value is None:
        return
    check_storable([result.value, *(result.percentiles or {}).values()])


def check_storable(figures: Iterable[Decimal | None]) -> None:
    """Refuse monetary figures the stored columns cannot hold (the bulk path checks each row too)."""
    if any(figure is not None and abs(Decimal(figure)) >= MAX_AMOUNT for figure in figures):
        raise InputError.single(
            "revenue",
            "The result exceeds CNY 1,000 trillion: check the revenue and its growth.",
            "结果超过一千万亿元：请检查收入及其增长率。",
        )
