"""Parameter and input schemas, and the validation that turns raw JSON into trusted values."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from numbers import Integral, Real
from typing import Any

import numpy as np

from .distributions import parse_distribution
from .errors import InputError, Msg, ParameterError

FLOAT = "float"
INT = "int"
BOOL = "bool"
FLOAT_LIST = "list[float]"
DISTRIBUTION = "distribution"
CHOICE = "choice"
MAPPING = "mapping"
STR = "str"
STR_LIST = "list[str]"
RECORDS = "records"
NUMERIC_TYPES = (FLOAT, INT)
REQUIRED = Msg("is required", "必填")


@dataclass(frozen=True)
class FieldSpec:
    """One named, typed, bounded field with bilingual help text."""

    name: str
    type: str
    unit: str = ""
    default: Any = None
    bounds: tuple[float, float] | None = None
    description_zh: str = ""
    description_en: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False
    min_length: int = 1
    keys: tuple[str, ...] | None = None
    value_type: str = FLOAT
    sensitivity: bool = True
    relative: str = ""  # distributions only: "offset" / "multiplier" around the point estimate, "" absolute

    def to_dict(self) -> dict[str, Any]:
        """Describe the field for forms, the CLI and the API."""
        return {
            "name": self.name,
            "type": self.type,
            "unit": self.unit,
            "default": self.default,
            "bounds": list(self.bounds) if self.bounds else None,
            "choices": list(self.choices),
            "required": self.required,
            "description_zh": self.description_zh,
            "description_en": self.description_en,
            "relative": self.relative,
        }


@dataclass(frozen=True)
class ParamSpec(FieldSpec):
    """A model parameter, owned and tuned by assessors."""


@dataclass(frozen=True)
class InputSpec(FieldSpec):
    """A patent fact a model reads."""


class _Bad(ValueError):
    """Internal signal carrying one field's message (English and Chinese)."""

    def __init__(self, en: str | Msg, zh: str | None = None) -> None:
        self.msg = en if isinstance(en, Msg) and zh is None else Msg(str(en), zh)
        super().__init__(self.msg.en)

    def wrap(self, en: str, zh: str) -> _Bad:
        """The same problem inside a context such as a row or an item."""
        return _Bad(self.msg.wrap(en, zh))


def _check_bounds(x: float, bounds: tuple[float, float] | None) -> None:
    if bounds is not None and not bounds[0] <= x <= bounds[1]:
        raise _Bad(
            f"{x} is outside [{bounds[0]}, {bounds[1]}]", f"{x} 超出允许范围 [{bounds[0]}, {bounds[1]}]"
        )


def _as_float(raw: Any, bounds: tuple[float, float] | None) -> float:
    if isinstance(raw, bool | np.bool_) or not isinstance(raw, Real | Decimal):
        raise _Bad(f"expected a number, got {type(raw).__name__}", f"应为数字，实际为 {type(raw).__name__}")
    x = float(raw)
    if not math.isfinite(x):
        raise _Bad("must be a finite number", "必须是有限数值")
    _check_bounds(x, bounds)
    return x


def _as_int(raw: Any, bounds: tuple[float, float] | None) -> int:
    if isinstance(raw, Real) and not isinstance(raw, Integral | bool) and float(raw).is_integer():
        raw = int(raw)
    if isinstance(raw, bool | np.bool_) or not isinstance(raw, Integral):
        raise _Bad(f"expected an integer, got {type(raw).__name__}", f"应为整数，实际为 {type(raw).__name__}")
    _check_bounds(int(raw), bounds)
    return int(raw)


def _as_bool(raw: Any, _spec: FieldSpec) -> bool:
    if not isinstance(raw, bool | np.bool_):
        raise _Bad(
            f"expected true or false, got {type(raw).__name__}",
            f"应为 true 或 false，实际为 {type(raw).__name__}",
        )
    return bool(raw)


def _as_float_list(raw: Any, spec: FieldSpec) -> list[float]:
    if isinstance(raw, str | bytes | Mapping) or not isinstance(raw, Sequence | np.ndarray):
        raise _Bad("expected a list of numbers", "应为数字列表")
    if len(raw) < spec.min_length:
        if spec.min_length == 1:
            raise _Bad("must not be empty", "不能为空")
        raise _Bad(f"needs at least {spec.min_length} values", f"至少需要 {spec.min_length} 个值")
    out = []
    for i, item in enumerate(raw):
        try:
            out.append(_as_float(item, spec.bounds))
        except _Bad as exc:
            raise exc.wrap(f"item {i}: {{}}", f"第 {i} 项：{{}}") from None
    return out


def _as_choice(raw: Any, spec: FieldSpec) -> str:
    if raw not in spec.choices:
        raise _Bad(
            f"{raw!r} is not one of {', '.join(spec.choices)}",
            f"{raw!r} 不在可选值 {', '.join(spec.choices)} 之中",
        )
    return str(raw)


def _as_str(raw: Any, spec: FieldSpec) -> str:
    if not isinstance(raw, str):
        raise _Bad(f"expected text, got {type(raw).__name__}", f"应为文本，实际为 {type(raw).__name__}")
    if spec.choices and raw not in spec.choices:
        raise _Bad(
            f"{raw!r} is not one of {', '.join(spec.choices)}",
            f"{raw!r} 不在可选值 {', '.join(spec.choices)} 之中",
        )
    return raw


def _as_str_list(raw: Any, _spec: FieldSpec) -> list[str]:
    if isinstance(raw, str) or not isinstance(raw, Sequence | np.ndarray):
        raise _Bad("expected a list of text values", "应为文本列表")
    if not all(isinstance(x, str) for x in raw):
        raise _Bad("every item must be text", "每一项都必须是文本")
    return list(raw)


def _json_safe(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise _Bad(
            f"must be plain JSON data with finite numbers ({exc})",
            f"必须是只含有限数值的普通 JSON 数据（{exc}）",
        ) from None


def _as_mapping(raw: Any, spec: FieldSpec) -> dict[str, Any]:
    if not isinstance(raw, Mapping) or not all(isinstance(k, str) for k in raw):
        raise _Bad("expected a mapping with text keys", "应为以文本为键的映射")
    if spec.keys is not None:
        unknown = sorted(set(raw) - set(spec.keys))
        if unknown:
            raise _Bad(f"unknown keys: {', '.join(unknown)}", f"未知的键：{', '.join(unknown)}")
    if spec.value_type != FLOAT:
        return _json_safe(dict(raw))
    out = {}
    for key, item in raw.items():
        try:
            out[key] = _as_float(item, spec.bounds)
        except _Bad as exc:
            raise exc.wrap(f"{key}: {{}}", f"{key}：{{}}") from None
    return out


def _as_records(raw: Any, _spec: FieldSpec) -> list[dict[str, Any]]:
    if isinstance(raw, str | Mapping) or not isinstance(raw, Sequence):
        raise _Bad("expected a list of records", "应为记录列表")
    if not all(isinstance(r, Mapping) for r in raw):
        raise _Bad("every item must be a mapping", "每一项都必须是映射")
    return _json_safe([dict(r) for r in raw])


def _as_distribution(raw: Any, spec: FieldSpec) -> dict[str, Any]:
    try:
        return parse_distribution(raw, spec.bounds, relative=spec.relative)
    except ValueError as exc:
        raise _Bad(exc.args[0] if exc.args else str(exc)) from None


_CONVERTERS: dict[str, Callable[[Any, FieldSpec], Any]] = {
    FLOAT: lambda raw, spec: _as_float(raw, spec.bounds),
    INT: lambda raw, spec: _as_int(raw, spec.bounds),
    BOOL: _as_bool,
    FLOAT_LIST: _as_float_list,
    DISTRIBUTION: _as_distribution,
    CHOICE: _as_choice,
    MAPPING: _as_mapping,
    STR: _as_str,
    STR_LIST: _as_str_list,
    RECORDS: _as_records,
}


def convert_field(spec: FieldSpec, raw: Any) -> Any:
    """Convert one raw value, raising ValueError with a message for the field."""
    return _CONVERTERS[spec.type](raw, spec)


def _validate(
    specs: Sequence[FieldSpec], raw: Mapping[str, Any] | None, *, strict: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    raw = dict(raw or {})
    errors: dict[str, str] = {}
    if strict:
        known = {s.name for s in specs}
        errors.update(dict.fromkeys(sorted(set(raw) - known), Msg("unknown field", "未知字段")))
    out: dict[str, Any] = {}
    for spec in specs:
        value = raw.get(spec.name)
        if value is None:
            if spec.required and spec.default is None:
                errors[spec.name] = REQUIRED
            out[spec.name] = spec.default
            continue
        try:
            out[spec.name] = convert_field(spec, value)
        except _Bad as exc:
            errors[spec.name] = exc.msg
    return out, errors


def validate_params(model: Any, raw_params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return trusted parameters with defaults filled, or raise one ParameterError listing every bad field."""
    params, errors = _validate(model.params_schema, raw_params, strict=True)
    if not errors:
        errors.update(model.check_params(params))
    if errors:
        raise ParameterError(errors)
    return params


def validate_inputs(model: Any, raw_inputs: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the declared patent facts (extras dropped), or raise one InputError listing every bad field."""
    inputs, errors = _validate(model.input_schema, raw_inputs, strict=False)
    if not errors:
        errors.update(model.check_inputs(inputs))
    if errors:
        raise InputError(errors)
    return inputs


def _numeric_column(spec: FieldSpec, column: Any, n: int) -> np.ndarray:
    """Float array; for optional fields a None row becomes NaN, which models read as 'not known'."""
    missing = None
    if not isinstance(column, np.ndarray):
        column = list(column)
        missing = np.array([x is None for x in column], dtype=bool)
        if missing.any():
            if spec.required:
                raise _Bad(REQUIRED).wrap(
                    f"row {int(np.argmax(missing))}: {{}}", f"第 {int(np.argmax(missing))} 行：{{}}"
                )
            fill = spec.bounds[0] if spec.bounds else 0.0
            column = [fill if x is None else x for x in column]
    try:
        arr = np.asarray(column, dtype=float)
    except (TypeError, ValueError):
        raise _Bad("expected numbers in every row", "每一行都应为数字") from None
    if arr.shape != (n,):
        raise _Bad(f"expected {n} rows, got shape {arr.shape}", f"应有 {n} 行，实际形状为 {arr.shape}")
    finite = np.isfinite(arr)
    if not finite.all():
        row = int(np.argmin(finite))
        raise _Bad(f"row {row}: must be a finite number", f"第 {row} 行：必须是有限数值")
    arr = _in_bounds(spec, arr)
    if missing is not None and missing.any():
        arr = np.where(missing, np.nan if spec.default is None else float(spec.default), arr)
    return arr


def _in_bounds(spec: FieldSpec, arr: np.ndarray) -> np.ndarray:
    if spec.bounds is not None:
        bad = (arr < spec.bounds[0]) | (arr > spec.bounds[1])
        if bad.any():
            i = int(np.argmax(bad))
            low, high = spec.bounds
            raise _Bad(
                f"row {i}: {arr[i]} is outside [{low}, {high}]",
                f"第 {i} 行：{arr[i]} 超出允许范围 [{low}, {high}]",
            )
    if spec.type == INT and not np.array_equal(arr, np.floor(arr)):
        raise _Bad("expected whole numbers", "应为整数")
    return arr


def _object_column(spec: FieldSpec, column: Any, n: int) -> list[Any]:
    values = list(column)
    if len(values) != n:
        raise _Bad(f"expected {n} rows, got {len(values)}", f"应有 {n} 行，实际为 {len(values)} 行")
    check = _CONVERTERS[spec.type]
    out = []
    for i, value in enumerate(values):
        if value is None:
            if spec.required and spec.default is None:
                raise _Bad(REQUIRED).wrap(f"row {i}: {{}}", f"第 {i} 行：{{}}")
            out.append(spec.default)
            continue
        try:
            out.append(check(value, spec))
        except _Bad as exc:
            raise exc.wrap(f"row {i}: {{}}", f"第 {i} 行：{{}}") from None
    return out


def batch_length(batch: Mapping[str, Any]) -> int:
    """Number of patents in a columnar batch (all columns must agree)."""
    lengths = {len(v) for v in batch.values() if not isinstance(v, str | Mapping)}
    if len(lengths) != 1:
        raise InputError.single(
            "batch",
            f"columns must have one common length, got {sorted(lengths)}",
            f"各列长度必须一致，实际为 {sorted(lengths)}",
        )
    return lengths.pop()


def validate_input_batch(
    model: Any, batch: Mapping[str, Any], shared: tuple[str, ...] = ()
) -> tuple[dict[str, Any], int]:
    """Validate a columnar batch: numeric columns become float arrays, others lists; shared columns stay whole."""
    columns = {k: v for k, v in batch.items() if k not in shared}
    n = batch_length(columns)
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in model.input_schema:
        if spec.name in shared and batch.get(spec.name) is not None:
            try:
                out[spec.name] = convert_field(spec, batch[spec.name])
            except _Bad as exc:
                errors[spec.name] = exc.msg
            continue
        column = columns.get(spec.name)
        if column is None:
            if spec.required and spec.default is None:
                errors[spec.name] = REQUIRED
            out[spec.name] = None if spec.default is None else _fill(spec, n)
            continue
        try:
            if spec.type in NUMERIC_TYPES:
                out[spec.name] = _numeric_column(spec, column, n)
            else:
                out[spec.name] = _object_column(spec, column, n)
        except _Bad as exc:
            errors[spec.name] = exc.msg
    if errors:
        raise InputError(errors)
    return out, n


def _fill(spec: FieldSpec, n: int) -> Any:
    if spec.type in NUMERIC_TYPES:
        return np.full(n, float(spec.default))
    return [spec.default] * n


def rows_to_columns(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Turn a list of per-patent dicts into the columnar batch value_batch expects."""
    keys = sorted({k for r in rows for k in r})
    return {k: [r.get(k) for r in rows] for k in keys}


def schema_errors(specs: Sequence[FieldSpec]) -> list[str]:
    """Problems in a model's declared schema, checked once at registration."""
    problems = []
    names = [s.name for s in specs]
    problems += [f"duplicate field {n}" for n in sorted({n for n in names if names.count(n) > 1})]
    problems += [f"{s.name}: unknown type {s.type}" for s in specs if s.type not in _CONVERTERS]
    problems += [f"{s.name}: choice without choices" for s in specs if s.type == CHOICE and not s.choices]
    return problems


__all__ = [
    "BOOL",
    "CHOICE",
    "DISTRIBUTION",
    "FLOAT",
    "FLOAT_LIST",
    "INT",
    "MAPPING",
    "RECORDS",
    "STR",
    "STR_LIST",
    "FieldSpec",
    "InputSpec",
    "ParamSpec",
    "batch_length",
    "convert_field",
    "rows_to_columns",
    "schema_errors",
    "validate_input_batch",
    "validate_inputs",
    "validate_params",
]
