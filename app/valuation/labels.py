"""One bilingual label table for the valuation pages: model names, parameter and fact names,
indicator names, units, types, choices; and values formatted for people (rates as percentages,
years, money, distributions in words) instead of identifiers, reprs and raw units."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.i18n import enumeration, format_money, pairs_text
from app.valuation import engine
from app.valuation.engine import EngineError, indicators
from app.valuation.models import BASELINE_ID, ENSEMBLE_ID

PERCENT_UNITS = ("ratio", "1/yr")
UNIT_LABELS = {
    "yr": _l("years"),
    "CNY": _l("CNY"),
    "CNY/yr": _l("CNY a year"),
    "ratio": _l("percentage"),
    "1/yr": _l("percentage a year"),
    "1/sqrt(yr)": _l("percentage a year (volatility)"),
    "score": _l("points"),
    "x": _l("multiple"),
}
TYPE_LABELS = {
    "float": _l("Decimal number"),
    "int": _l("Whole number"),
    "bool": _l("Yes or no"),
    "str": _l("Text"),
    "choice": _l("Choice"),
    "mapping": _l("Table of values"),
    "distribution": _l("Distribution"),
    "list[float]": _l("List of numbers"),
    "list[str]": _l("List of texts"),
    "records": _l("Records"),
}
DIST_LABELS = {
    "triangular": _l("triangular"),
    "pert": _l("PERT"),
    "uniform": _l("uniform"),
    "lognormal": _l("lognormal"),
}
DIST_KEYS = {
    "low": _l("low"),
    "mode": _l("most likely"),
    "high": _l("high"),
    "median": _l("median"),
    "sigma": _l("spread (sigma)"),
}
CHOICE_LABELS = {
    "valid": _l("valid"),
    "valid_after_invalidation": _l("valid after an invalidation request"),
    "pending": _l("pending"),
    "lapsed": _l("lapsed"),
    "invalid": _l("invalidated"),
    "expired": _l("expired"),
    "invention": _l("invention"),
    "utility_model": _l("utility model"),
    "design": _l("design"),
    "CN": _l("China (CNIPA)"),
    "US": _l("United States (USPTO)"),
    "other": _l("other"),
    "assignment": _l("assignment"),
    "licence": _l("licence"),
    "replacement": _l("replacement cost"),
    "multiplier": _l("cost multiplier (倍加系数法)"),
    "floor_only": _l("renewal-fee floor only"),
    "one_third": _l("one third of profit"),
    "one_quarter": _l("one quarter of profit"),
    "profit": _l("share of profit"),
    "sales": _l("share of sales"),
    "none": _l("none"),
    "american": _l("American (any time)"),
    "european": _l("European (at the end)"),
    "subclass": _l("IPC subclass"),
    "class": _l("IPC class"),
    "section": _l("IPC section"),
    "management": _l("management and grading"),
    "infringement": _l("infringement remedies"),
    "finance_pledge": _l("finance and pledge"),
    "tax_reporting": _l("tax and financial reporting"),
    "licensing_transfer": _l("licensing and transfer"),
}
LISTING_LABELS = {"default": _l("Default"), "assignment": _l("Assignment"), "licence": _l("Licence")}
ENSEMBLE_KEYS = {
    "weights": _l("Weights per listing type"),
    "calibrations": _l("Calibration of score models to money (older valuations)"),
    "disagreement_factor": _l("Disagreement factor"),
    "median": _l("Median value (CNY)"),
    "sigma": _l("Log-value spread (sigma)"),
    "rho": _l("Score-value correlation (rho)"),
    "score_min": _l("Lowest score"),
    "score_max": _l("Highest score"),
}


def _zh() -> bool:
    return str(get_locale() or "zh").startswith("zh")


def _pick(zh: str, en: str) -> str:
    return zh if _zh() else en


def _sep() -> str:
    return "，" if _zh() else ", "


def model_label(model_id: str) -> str:
    """A model's name in the page's language."""
    if model_id == ENSEMBLE_ID:
        return _("Ensemble weights (fair value range)")
    if model_id == BASELINE_ID:
        return _("Baseline: median of the other deals of the same type")
    try:
        model = engine.get(model_id)
    except EngineError:
        return model_id
    return _pick(model.name_zh, model.name_en)


def _spec(model_id: str, name: str) -> Any:
    if model_id in (ENSEMBLE_ID, BASELINE_ID):
        return None
    try:
        model = engine.get(model_id)
    except EngineError:
        return None
    return next((s for s in (*model.params_schema, *model.input_schema) if s.name == name), None)


def spec_label(spec: Any) -> str:
    """The short name of a parameter or fact: its description up to the first colon."""
    zh = (spec.description_zh or spec.name).partition("：")[0]
    en = (spec.description_en or spec.name).partition(": ")[0]
    return _pick(zh, en)


@cache
def _indicator_pairs() -> dict[str, tuple[str, str]]:
    names: dict[str, tuple[str, str]] = {}
    for tree_name in ("cnipa_pvd", "gbt42748"):
        tree = indicators.load_tree(indicators.builtin_tree(tree_name))
        indicators._walk(
            tree.data["children"],
            (),
            lambda node, _p: names.setdefault(node["key"], (node["name_zh"], node["name_en"])),
        )
    return names


def _indicator_names() -> dict[str, str]:
    return {k: _pick(*pair) for k, pair in _indicator_pairs().items()}


def key_label(key: str, model_id: str = "") -> str:
    """Any key a parameter set holds, in words: parameter, listing type, model, indicator, ..."""
    spec = _spec(model_id, key) if model_id else None
    if spec is not None:
        return spec_label(spec)
    if key in ENSEMBLE_KEYS:
        return str(ENSEMBLE_KEYS[key])
    if key in LISTING_LABELS:
        return str(LISTING_LABELS[key])
    if key in DIST_KEYS:
        return str(DIST_KEYS[key])
    indicator = _indicator_names().get(key)
    if indicator is not None:
        return indicator
    try:
        engine.get(key)
    except EngineError:
        return key.replace("_", " ")
    return model_label(key)


def param_label(model_id: str, path: str) -> str:
    """A diff path such as royalty_rate, weights.default.rfr or calibrations.cnipa_pvd.median."""
    parts = [p for p in path.split(".") if p]
    if not parts:
        return _("Parameters")
    labels = [key_label(parts[0], model_id)] + [key_label(p) for p in parts[1:]]
    return " · ".join(labels)


def unit_label(unit: str) -> str:
    return str(UNIT_LABELS.get(unit, unit)) if unit else "—"


def type_label(kind: str) -> str:
    return str(TYPE_LABELS.get(kind, kind))


def choice_label(value: Any) -> str:
    return str(CHOICE_LABELS.get(value, value))


def _number(x: float) -> str:
    if x.is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:.6g}"


def number_in(unit: str, value: Any, signed: bool = False) -> str:
    """A number as a person reads it in this unit: 0.05 ratio is 5%, 10.0 yr is 10 years."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    x = float(value)
    if not math.isfinite(x):
        return str(value)
    sign = "+" if signed and x > 0 else ""
    if unit in PERCENT_UNITS or unit == "1/sqrt(yr)":
        return f"{sign}{x * 100:.6g}%"
    if unit == "yr":
        return _("%(n)s years", n=f"{sign}{x:.6g}")
    if unit == "CNY":
        return sign + format_money(Decimal(str(x)))
    if unit == "CNY/yr":
        return _("%(amount)s a year", amount=sign + format_money(Decimal(str(x))))
    if unit == "score":
        return _("%(n)s points", n=f"{sign}{x:.6g}")
    if unit == "x":
        return f"×{x:.6g}"
    return sign + _number(x)


def _distribution(spec: Any, value: Mapping[str, Any]) -> str:
    kind = value.get("dist")
    relative = getattr(spec, "relative", "")
    unit = "x" if relative == "multiplier" or kind == "lognormal" else (spec.unit if spec else "")
    parts = []
    for key, number in value.items():
        if key == "dist":
            continue
        shown = (
            f"{float(number):.6g}" if key == "sigma" else number_in(unit, number, signed=relative == "offset")
        )
        parts.append(f"{DIST_KEYS.get(key, key)} {shown}")
    name = DIST_LABELS.get(kind, kind)
    if relative == "offset" and kind != "lognormal":
        return _("%(name)s around the estimate: %(parts)s", name=name, parts=_sep().join(parts))
    if relative == "multiplier" or (relative == "offset" and kind == "lognormal"):
        return _("%(name)s multiple of the estimate: %(parts)s", name=name, parts=_sep().join(parts))
    return _("%(name)s: %(parts)s", name=name, parts=_sep().join(parts))


def format_value(model_id: str, path: str, value: Any) -> str:
    """A parameter value for people, by what it is: rates as percentages, years, money, words."""
    if value is None:
        return "—"
    parts = [p for p in path.split(".") if p]
    spec = _spec(model_id, parts[0]) if parts else None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if model_id == ENSEMBLE_ID and parts and isinstance(value, int | float):
        if parts[-1] == "median":
            return number_in("CNY", value)
        return _number(float(value))
    if spec is not None and spec.type == "distribution" and isinstance(value, Mapping):
        return _distribution(spec, value)
    if isinstance(value, Mapping):
        return pairs_text(
            (key_label(str(k)), format_value(model_id, f"{path}.{k}", v)) for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        if spec is not None and spec.type == "records":
            return _("%(n)s records", n=len(value))
        return ", ".join(format_value(model_id, path, v) for v in value)
    if isinstance(value, str):
        return choice_label(value)
    unit = spec.unit if spec is not None and len(parts) == 1 else ""
    if spec is not None and spec.type == "mapping":
        unit = spec.unit
    return number_in(unit, value)


def bounds_text(spec: Any) -> str:
    """Allowed values: a range in the field's unit, or the choices in words."""
    if spec.bounds:
        return _(
            "%(low)s to %(high)s",
            low=number_in(spec.unit, spec.bounds[0]),
            high=number_in(spec.unit, spec.bounds[1]),
        )
    if spec.choices:
        return enumeration(spec.choices, choice_label)
    return "—"


def step_value(value: Any, unit: str) -> str:
    """A calculation step's figure with its unit, as a person reads it."""
    if value is None:
        return ""
    try:
        return number_in(unit, float(value))
    except (TypeError, ValueError):
        return str(value)


def register(app: Any) -> None:
    """Template helpers: one table for every valuation page."""
    app.jinja_env.globals.update(
        val_model=model_label,
        val_param=param_label,
        val_value=format_value,
        val_unit=unit_label,
        val_type=type_label,
        val_bounds=bounds_text,
        val_spec_label=spec_label,
        val_step=step_value,
        val_choice=choice_label,
    )
