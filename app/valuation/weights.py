"""The ensemble parameter set: which models make a listing's fair value range, per listing type.

Stored like any model's parameters (versioned, four-eyes approved) under the id ``ensemble``:
``{"weights": {listing_type: {model_id: weight}}, "calibrations": {score_model_id: {...}}}``.
Score models only reach money through their stated calibration (engine ``Calibration``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from app.valuation.engine import Calibration, ParameterError
from app.valuation.engine.errors import Msg
from app.valuation.inputs import LISTING_TYPES

# Models an assessor may weight into the range (the OECD cohort score needs a cohort: not offered).
MONETARY_CANDIDATES = (
    "rfr",
    "profit_split",
    "market_comps",
    "real_option_bs",
    "real_option_binomial",
    "cost",
)
SCORE_CANDIDATES = ("cnipa_pvd", "gbt42748")
CANDIDATES = MONETARY_CANDIDATES + SCORE_CANDIDATES
# Approaches whose P50s differ by more than this factor get a plain sentence in the report (optional).
DISAGREEMENT_KEY = "disagreement_factor"
CALIBRATION_KEYS = ("median", "sigma", "rho", "score_min", "score_max")
FLOOR_MODEL = "cost"  # always valued and shown as a floor beside the range


def field_name(listing_type: str, model_id: str) -> str:
    """Form field / error key for one weight."""
    return f"weights.{listing_type}.{model_id}"


def validate_ensemble(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """Trusted ensemble parameters, or one ParameterError naming every bad field."""
    raw = dict(raw or {})
    errors: dict[str, str] = {}
    unknown = sorted(set(raw) - {"weights", "calibrations", DISAGREEMENT_KEY})
    errors.update(dict.fromkeys(unknown, Msg("unknown field", "未知字段")))
    weights = _weights(raw.get("weights") or {}, errors)
    calibrations = _calibrations(raw.get("calibrations") or {}, errors)
    for listing_type, row in weights.items():
        for model_id, weight in row.items():
            if weight > 0 and model_id in SCORE_CANDIDATES and model_id not in calibrations:
                errors[field_name(listing_type, model_id)] = Msg(
                    "a score model needs a calibration to money", "评分模型需要到货币的校准"
                )
    out: dict[str, Any] = {"weights": weights, "calibrations": calibrations}
    if DISAGREEMENT_KEY in raw:
        factor = _number(raw[DISAGREEMENT_KEY])
        if factor is None or not 1.0 < factor <= 1000.0:
            errors[DISAGREEMENT_KEY] = Msg(
                "needs a number above 1 and at most 1000", "须为大于 1 且不超过 1000 的数"
            )
        out[DISAGREEMENT_KEY] = factor
    if errors:
        raise ParameterError(errors)
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _weights(raw: Mapping[str, Any], errors: dict[str, str]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for listing_type in LISTING_TYPES:
        row = raw.get(listing_type) or {}
        if not isinstance(row, Mapping):
            errors[f"weights.{listing_type}"] = Msg(
                "expected a mapping of model id to weight", "应为模型 id 到权重的映射"
            )
            continue
        for model_id in sorted(set(row) - set(CANDIDATES)):
            errors[field_name(listing_type, model_id)] = Msg("unknown model", "未知模型")
        clean = {}
        for model_id in CANDIDATES:
            weight = _number(row.get(model_id, 0.0))
            if weight is None or not 0.0 <= weight <= 100.0:
                errors[field_name(listing_type, model_id)] = Msg(
                    "must be a number between 0 and 100", "必须是 0 到 100 之间的数"
                )
                continue
            clean[model_id] = weight
        if clean and sum(w for m, w in clean.items() if m != FLOOR_MODEL) <= 0:
            errors[field_name(listing_type, CANDIDATES[0])] = Msg(
                "give at least one model a positive weight", "请至少给一个模型正的权重"
            )
        out[listing_type] = clean
    for listing_type in sorted(set(raw) - set(LISTING_TYPES)):
        errors[f"weights.{listing_type}"] = Msg("unknown listing type", "未知的挂牌类型")
    return out


def _calibrations(raw: Mapping[str, Any], errors: dict[str, str]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for model_id, spec in raw.items():
        if model_id not in SCORE_CANDIDATES or not isinstance(spec, Mapping):
            errors[f"calibrations.{model_id}"] = Msg("unknown score model", "未知的评分模型")
            continue
        values = {}
        for key, value in spec.items():
            number = _number(value)
            if key not in CALIBRATION_KEYS or number is None:
                errors[f"calibrations.{model_id}.{key}"] = Msg(
                    "must be a known key with a finite number", "必须是已知的键并给出有限数值"
                )
                continue
            values[key] = number
        try:
            Calibration(**values)
        except (ParameterError, TypeError):
            errors[f"calibrations.{model_id}.median"] = Msg(
                "needs median > 0, sigma > 0, 0 <= rho <= 1, score_max > score_min",
                "需要 median > 0、sigma > 0、0 <= rho <= 1、score_max > score_min",
            )
            continue
        out[model_id] = values
    return out


def weights_for(params: Mapping[str, Any], listing_type: str) -> dict[str, float]:
    """Positive weights of one listing type (falling back to the default row)."""
    row = params["weights"].get(listing_type) or params["weights"]["default"]
    return {m: w for m, w in row.items() if w > 0}


def calibrations(params: Mapping[str, Any]) -> dict[str, Calibration]:
    """Engine Calibration objects for the score models."""
    return {
        m: Calibration(**spec, source="ensemble parameter set") for m, spec in params["calibrations"].items()
    }


def models_used(params: Mapping[str, Any]) -> set[str]:
    """Every model some listing type weights, plus the floor."""
    used = {m for row in params["weights"].values() for m, w in row.items() if w > 0}
    return used | {FLOOR_MODEL}
