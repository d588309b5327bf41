"""Probability distributions for Monte Carlo inputs, described as plain JSON so they version with parameters."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .errors import Msg

KINDS: dict[str, tuple[str, ...]] = {
    "triangular": ("low", "mode", "high"),
    "pert": ("low", "mode", "high"),
    "uniform": ("low", "high"),
    "lognormal": ("median", "sigma"),
}
PERT_LAMBDA = 4.0
OFFSET = "offset"  # triangular/PERT/uniform draws are added to the point estimate; lognormal multiplies it
MULTIPLIER = "multiplier"  # every draw multiplies the point estimate
MULTIPLIER_BOUNDS = (0.0, 10.0)


def _number(raw: Mapping[str, Any], key: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(Msg(f"{key} must be a number", f"{key} 必须是数字"))
    if not math.isfinite(value):
        raise ValueError(Msg(f"{key} must be finite", f"{key} 必须是有限数值"))
    return float(value)


def _check_support(spec: dict[str, Any], bounds: tuple[float, float] | None) -> None:
    if bounds is None:
        return
    for key in ("low", "mode", "high", "median"):
        if key in spec and not bounds[0] <= spec[key] <= bounds[1]:
            raise ValueError(
                Msg(
                    f"{key} {spec[key]} is outside [{bounds[0]}, {bounds[1]}]",
                    f"{key} {spec[key]} 超出允许范围 [{bounds[0]}, {bounds[1]}]",
                )
            )


def parse_distribution(
    raw: Any, bounds: tuple[float, float] | None = None, *, relative: str = ""
) -> dict[str, Any]:
    """Check a distribution spec such as {"dist": "pert", "low": .., "mode": .., "high": ..}.

    For an offset distribution the bounds are those of the offset; its lognormal form is a
    multiplier, whose median is checked against MULTIPLIER_BOUNDS instead.
    """
    if not isinstance(raw, Mapping):
        raise ValueError(
            Msg(
                "expected a mapping like {'dist': 'triangular', 'low': 0, 'mode': 1, 'high': 2}",
                "应为映射，例如 {'dist': 'triangular', 'low': 0, 'mode': 1, 'high': 2}",
            )
        )
    kind = raw.get("dist")
    if kind not in KINDS:
        raise ValueError(
            Msg(f"dist must be one of {', '.join(KINDS)}", f"dist 必须是 {', '.join(KINDS)} 之一")
        )
    extra = sorted(set(raw) - {"dist", *KINDS[kind]})
    if extra:
        raise ValueError(
            Msg(f"unknown keys for {kind}: {', '.join(extra)}", f"{kind} 不接受这些键：{', '.join(extra)}")
        )
    spec: dict[str, Any] = {"dist": kind} | {k: _number(raw, k) for k in KINDS[kind]}
    if kind == "lognormal":
        if spec["median"] <= 0 or spec["sigma"] <= 0:
            raise ValueError(
                Msg("lognormal median and sigma must be positive", "对数正态分布的 median 和 sigma 必须为正")
            )
    elif spec["low"] >= spec["high"]:
        raise ValueError(Msg("low must be below high", "low 必须小于 high"))
    elif "mode" in spec and not spec["low"] <= spec["mode"] <= spec["high"]:
        raise ValueError(Msg("mode must lie between low and high", "mode 必须介于 low 与 high 之间"))
    _check_support(spec, MULTIPLIER_BOUNDS if relative == OFFSET and kind == "lognormal" else bounds)
    return spec


def multiplies(spec: Mapping[str, Any], relative: str) -> bool:
    """True when a relative distribution's draws multiply the point estimate rather than add to it."""
    return relative == MULTIPLIER or spec["dist"] == "lognormal"


def around(point: float, raw: np.ndarray, spec: Mapping[str, Any], relative: str) -> np.ndarray:
    """Draws of a relative distribution placed around the point estimate (not yet clipped)."""
    return point * raw if multiplies(spec, relative) else point + raw


def sample(
    spec: Mapping[str, Any], rng: np.random.Generator, n: int, bounds: tuple[float, float] | None = None
) -> np.ndarray:
    """Draw n values; unbounded tails are clipped to the parameter bounds so every draw stays valid."""
    kind = spec["dist"]
    if kind == "triangular":
        out = rng.triangular(spec["low"], spec["mode"], spec["high"], n)
    elif kind == "uniform":
        out = rng.uniform(spec["low"], spec["high"], n)
    elif kind == "pert":
        width = spec["high"] - spec["low"]
        a = 1.0 + PERT_LAMBDA * (spec["mode"] - spec["low"]) / width
        b = 1.0 + PERT_LAMBDA * (spec["high"] - spec["mode"]) / width
        out = spec["low"] + width * rng.beta(a, b, n)
    else:
        out = spec["median"] * np.exp(spec["sigma"] * rng.standard_normal(n))
    if bounds is not None:
        np.clip(out, bounds[0], bounds[1], out=out)
    return out


def mean(spec: Mapping[str, Any]) -> float:
    """Analytic mean, used in steps and tests."""
    kind = spec["dist"]
    if kind == "triangular":
        return (spec["low"] + spec["mode"] + spec["high"]) / 3.0
    if kind == "uniform":
        return (spec["low"] + spec["high"]) / 2.0
    if kind == "pert":
        return (spec["low"] + PERT_LAMBDA * spec["mode"] + spec["high"]) / (PERT_LAMBDA + 2.0)
    return spec["median"] * math.exp(spec["sigma"] ** 2 / 2.0)


def describe(spec: Mapping[str, Any]) -> str:
    """Short human text such as 'pert(low=0.02, mode=0.04, high=0.07)'."""
    args = ", ".join(f"{k}={spec[k]:g}" for k in KINDS[spec["dist"]])
    return f"{spec['dist']}({args})"
