"""Forms built from a model's parameter schema (with units and bounds), and the decision forms."""

from __future__ import annotations

import json
import math
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, IntegerField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.valuation import engine
from app.valuation.engine.schema import BOOL, CHOICE, FLOAT, INT, STR
from app.valuation.inputs import LISTING_TYPES
from app.valuation.models import ENSEMBLE_ID
from app.valuation.weights import CALIBRATION_KEYS, CANDIDATES, SCORE_CANDIDATES

LISTING_LABELS = {"default": _l("Default"), "assignment": _l("Assignment"), "licence": _l("Licence")}
CALIBRATION_LABELS = {
    "median": _l("Median value (CNY)"),
    "sigma": _l("Log-value spread (sigma)"),
    "rho": _l("Score-value correlation (rho)"),
    "score_min": _l("Lowest score"),
    "score_max": _l("Highest score"),
}


class Bilingual:
    """A label whose language follows the page (the engine ships zh and en text)."""

    def __init__(self, zh: str, en: str, suffix: str = "") -> None:
        self.zh, self.en, self.suffix = zh, en, suffix

    def __str__(self) -> str:
        text = self.zh if _is_zh() else self.en
        return f"{text}{self.suffix}"

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))


def _help(spec: Any) -> str:
    parts = []
    if spec.unit:
        parts.append(_("Unit: %(unit)s", unit=spec.unit))
    if spec.bounds:
        parts.append(_("Allowed: %(low)s to %(high)s", low=spec.bounds[0], high=spec.bounds[1]))
    if spec.default is not None and spec.type in (FLOAT, INT):
        parts.append(_("Default: %(value)s", value=spec.default))
    return " · ".join(parts)


def _is_zh() -> bool:
    return str(get_locale() or "zh").startswith("zh")


def _split(text: str, sep: str) -> tuple[str, str]:
    """A description's label (before the first colon) and its explanation (after it)."""
    head, _sep, rest = text.partition(sep)
    return head, rest.strip()


def _field(spec: Any) -> Any:
    zh_label, zh_more = _split(spec.description_zh or spec.name, "：")
    en_label, en_more = _split(spec.description_en or spec.name, ": ")
    label = Bilingual(
        zh_label, en_label, f" [{spec.unit}]" if spec.unit and spec.type in (FLOAT, INT) else ""
    )
    more = zh_more if _is_zh() else en_more
    if spec.type == FLOAT:
        return FloatField(label, validators=[Optional()], description=_help(spec))
    if spec.type == INT:
        return IntegerField(label, validators=[Optional()], description=_help(spec))
    if spec.type == BOOL:
        return BooleanField(label)
    if spec.type in (CHOICE, STR) and spec.choices:
        return SelectField(label, choices=[SelectChoice(c, c) for c in spec.choices])
    return TextAreaField(
        label,
        validators=[Optional()],
        render_kw={"rows": 2, "spellcheck": "false"},
        description=" ".join(filter(None, [more, _("JSON, e.g. %(example)s", example=_example(spec))])),
    )


def _example(spec: Any) -> str:
    if spec.type == "distribution" and spec.relative == "multiplier":
        return '{"dist": "lognormal", "median": 1.0, "sigma": 0.5}'
    if spec.type == "distribution" and spec.relative == "offset":
        return '{"dist": "triangular", "low": -0.02, "mode": 0, "high": 0.03}'
    return {
        "distribution": '{"dist": "triangular", "low": 0.02, "mode": 0.04, "high": 0.07}',
        "list[float]": "[1000000, 1100000]",
        "mapping": '{"key": 1.0}',
    }.get(spec.type, "null")


class ParamsFormBase(FlaskForm):
    reason = TextAreaField(
        _l("Why this version"), validators=[DataRequired(), Length(max=2000)], render_kw={"rows": 2}
    )


def _ensemble_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for model_id in CANDIDATES:
        for listing_type in LISTING_TYPES:
            fields[f"w__{listing_type}__{model_id}"] = FloatField(
                LISTING_LABELS[listing_type], validators=[Optional()], default=0.0
            )
    for model_id in SCORE_CANDIDATES:
        for key in CALIBRATION_KEYS:
            fields[f"cal__{model_id}__{key}"] = FloatField(CALIBRATION_LABELS[key], validators=[Optional()])
    return fields


def params_form_class(model_id: str) -> type[ParamsFormBase]:
    """A form class with one field per parameter of the model (or the ensemble's weight grid)."""
    if model_id == ENSEMBLE_ID:
        attrs = _ensemble_fields()
    else:
        attrs = {spec.name: _field(spec) for spec in engine.get(model_id).params_schema}
    return type(f"ParamsForm_{model_id}", (ParamsFormBase,), attrs)


def field_for_error(model_id: str, key: str) -> str:
    """The form field an engine/ensemble error key belongs to."""
    if model_id != ENSEMBLE_ID:
        return key.split(".")[0].split("[")[0]
    parts = key.split(".")
    if parts[0] == "weights" and len(parts) == 3:
        return f"w__{parts[1]}__{parts[2]}"
    if parts[0] == "calibrations" and len(parts) >= 2:
        return f"cal__{parts[1]}__{parts[2] if len(parts) > 2 else 'median'}"
    return "reason"


def params_to_data(model_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """Form data for showing stored parameters."""
    if model_id == ENSEMBLE_ID:
        data = {f"w__{lt}__{m}": w for lt, row in params.get("weights", {}).items() for m, w in row.items()}
        data |= {
            f"cal__{m}__{k}": v for m, spec in params.get("calibrations", {}).items() for k, v in spec.items()
        }
        return data
    out = {}
    for spec in engine.get(model_id).params_schema:
        value = params.get(spec.name)
        simple = spec.type in (FLOAT, INT, BOOL) or (spec.type in (CHOICE, STR) and spec.choices)
        out[spec.name] = value if simple or value is None else json.dumps(value, ensure_ascii=False)
    return out


def form_to_params(model_id: str, form: ParamsFormBase) -> tuple[dict[str, Any], bool]:
    """Raw parameters from the form; JSON fields that do not parse get an error and return ok=False."""
    ok = True
    if model_id == ENSEMBLE_ID:
        weights = {lt: {m: _num(form[f"w__{lt}__{m}"].data, 0.0) for m in CANDIDATES} for lt in LISTING_TYPES}
        cals: dict[str, dict[str, float]] = {}
        for m in SCORE_CANDIDATES:
            spec = {k: form[f"cal__{m}__{k}"].data for k in CALIBRATION_KEYS}
            if any(v is not None for v in spec.values()):
                cals[m] = {k: v for k, v in spec.items() if v is not None}
        return {"weights": weights, "calibrations": cals}, ok
    raw: dict[str, Any] = {}
    for spec in engine.get(model_id).params_schema:
        field = form[spec.name]
        value = field.data
        if isinstance(field, TextAreaField):
            text = (value or "").strip()
            if not text:
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as error:
                field.errors = [*field.errors, _("Not valid JSON: %(error)s", error=error.msg)]
                ok = False
                continue
        if value is not None:
            raw[spec.name] = value
    return raw, ok


def _num(value: float | None, default: float) -> float:
    return default if value is None else (value if math.isfinite(value) else value)


class DecisionForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for rejecting"), validators=[DataRequired(), Length(max=2000)], render_kw={"rows": 2}
    )
