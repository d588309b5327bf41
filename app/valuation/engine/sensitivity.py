"""Sensitivity: one-at-a-time tornado for every model, Sobol indices for Monte Carlo income models."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .base import Model
from .errors import EngineError, ParameterError
from .schema import FLOAT, FLOAT_LIST, INT, MAPPING, FieldSpec, validate_inputs, validate_params


@dataclass(frozen=True)
class TornadoBar:
    """Value at the low and high setting of one input or parameter."""

    key: str
    source: str
    label_zh: str
    label_en: str
    base_setting: float
    low_setting: float
    high_setting: float
    low_value: float
    high_value: float
    swing: float

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for charts."""
        return asdict(self)


def _settings(x: float, spec: FieldSpec, spread: float) -> tuple[float, float]:
    """x*(1-spread) and x*(1+spread) within bounds; zero moves by +/- spread/10 (suits rates)."""
    low, high = (x * (1 - spread), x * (1 + spread)) if x != 0 else (-spread / 10, spread / 10)
    low, high = min(low, high), max(low, high)
    if spec.bounds is not None:
        low, high = max(low, spec.bounds[0]), min(high, spec.bounds[1])
    if spec.type == INT:
        low, high = float(round(low)), float(round(high))
    return low, high


def _targets(
    model: Model, inputs: Mapping[str, Any], params: Mapping[str, Any]
) -> list[tuple[str, str, FieldSpec, Any]]:
    out = []
    for source, specs, values in (
        ("param", model.params_schema, params),
        ("input", model.input_schema, inputs),
    ):
        for spec in specs:
            value = values.get(spec.name)
            if not spec.sensitivity or value is None:
                continue
            if spec.type in (FLOAT, INT, FLOAT_LIST):
                out.append((spec.name, source, spec, value))
            elif spec.type == MAPPING and spec.value_type == FLOAT:
                out += [(f"{spec.name}.{k}", source, spec, v) for k, v in value.items()]
    return out


def _with(values: Mapping[str, Any], key: str, setting: Any) -> dict[str, Any]:
    out = dict(values)
    name, _, sub = key.partition(".")
    out[name] = dict(out[name]) | {sub: setting} if sub else setting
    return out


def tornado(
    model: Model, inputs: Mapping[str, Any], params: Mapping[str, Any], seed: int = 0, spread: float = 0.2
) -> list[TornadoBar]:
    """Swing of the deterministic value when each numeric input/parameter moves by +/- spread; widest first."""
    p, x = validate_params(model, params), validate_inputs(model, inputs)
    base = model.point_value(x, p)
    bars = []
    for key, source, spec, value in _targets(model, x, p):
        if isinstance(value, list):
            lo_set, hi_set, settings = (
                1 - spread,
                1 + spread,
                ([v * (1 - spread) for v in value], [v * (1 + spread) for v in value]),
            )
        else:
            lo_set, hi_set = _settings(float(value), spec, spread)
            settings = (
                int(lo_set) if spec.type == INT else lo_set,
                int(hi_set) if spec.type == INT else hi_set,
            )
        try:
            values = [
                model.point_value(_with(x, key, s), p)
                if source == "input"
                else model.point_value(x, _with(p, key, s))
                for s in settings
            ]
        except EngineError:
            continue
        bars.append(
            TornadoBar(
                key,
                source,
                spec.description_zh or key,
                spec.description_en or key,
                1.0 if isinstance(value, list) else float(value),
                lo_set,
                hi_set,
                values[0],
                values[1],
                abs(values[1] - values[0]),
            )
        )
    del base
    return sorted(bars, key=lambda b: -b.swing)


def sobol_indices(
    model: Model, inputs: Mapping[str, Any], params: Mapping[str, Any], seed: int = 0, n: int = 4096
) -> dict[str, dict[str, float]]:
    """First-order and total Sobol indices (Saltelli sampling, Jansen estimators) over the model's distributions."""
    from .models import income

    p, x = validate_params(model, params), validate_inputs(model, inputs)
    if not hasattr(model, "_specs"):
        raise ParameterError.single(
            "model", f"{model.id} has no Monte Carlo distributions", f"{model.id} 没有蒙特卡洛分布"
        )
    specs = {k: v for k, v in model._specs(p).items() if v is not None}
    if not specs:
        raise ParameterError.single(
            "draws", "give at least one distribution to analyse", "请至少给出一个要分析的分布"
        )
    a, b = model.draws(p, seed, n), model.draws(p, seed + 1, n)
    override = None if x.get("revenue") is None else np.array([float(x["revenue"])])
    base, caps = model._base(override, 1, p), model._caps(np.array([float(x["remaining_years"])]), p)

    def f(d: income.Draws) -> np.ndarray:
        return model._values(d, base, caps, p)[0]

    fa, fb = f(a), f(b)
    centre = float(np.mean(np.concatenate([fa, fb])))
    fa, fb = fa - centre, fb - centre
    var = float(np.var(np.concatenate([fa, fb])))
    out = {}
    for name in specs:
        mixed = income.Draws(**{k: getattr(b if k == name else a, k) for k in income.UNCERTAIN})
        fab = f(mixed) - centre
        s1 = float(np.mean(fb * (fab - fa)) / var) if var > 0 else 0.0
        st = float(0.5 * np.mean((fa - fab) ** 2) / var) if var > 0 else 0.0
        out[name] = {"S1": s1, "ST": st}
    return out
