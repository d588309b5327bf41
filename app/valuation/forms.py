"""Forms built from a model's parameter schema (with units and bounds), and the decision forms."""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    FloatField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.core.clock import clock
from app.valuation import engine, fx
from app.valuation.engine.schema import BOOL, CHOICE, FLOAT, INT, STR
from app.valuation.inputs import LISTING_TYPES
from app.valuation.models import ENSEMBLE_ID, INCOME_CURRENCIES
from app.valuation.weights import CALIBRATION_KEYS, CANDIDATES, DISAGREEMENT_KEY, SCORE_CANDIDATES

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
    from app.valuation.labels import PERCENT_UNITS, bounds_text, number_in, unit_label

    parts = []
    if spec.unit in PERCENT_UNITS:
        parts.append(_("Enter a fraction: 0.05 stands for five percent."))
    elif spec.unit:
        parts.append(_("Unit: %(unit)s", unit=unit_label(spec.unit)))
    if spec.bounds:
        parts.append(_("Allowed: %(range)s", range=bounds_text(spec)))
    if spec.default is not None and spec.type in (FLOAT, INT):
        parts.append(_("Default: %(value)s", value=number_in(spec.unit, spec.default)))
    return " · ".join(parts)


def _suffix(spec: Any) -> str:
    from app.valuation.labels import PERCENT_UNITS, unit_label

    if not spec.unit or spec.type not in (FLOAT, INT) or spec.unit in PERCENT_UNITS:
        return ""
    return f" [{unit_label(spec.unit)}]"


def _is_zh() -> bool:
    return str(get_locale() or "zh").startswith("zh")


def _split(text: str, sep: str) -> tuple[str, str]:
    """A description's label (before the first colon) and its explanation (after it)."""
    head, _sep, rest = text.partition(sep)
    return head, rest.strip()


def _field(spec: Any) -> Any:
    zh_label, zh_more = _split(spec.description_zh or spec.name, "：")
    en_label, en_more = _split(spec.description_en or spec.name, ": ")
    label = Bilingual(zh_label, en_label, _suffix(spec))
    more = zh_more if _is_zh() else en_more
    if spec.type == FLOAT:
        return FloatField(label, validators=[Optional()], description=_help(spec))
    if spec.type == INT:
        return IntegerField(label, validators=[Optional()], description=_help(spec))
    if spec.type == BOOL:
        return BooleanField(label)
    if spec.type in (CHOICE, STR) and spec.choices:
        from app.valuation.labels import CHOICE_LABELS

        return SelectField(label, choices=[SelectChoice(c, CHOICE_LABELS.get(c, c)) for c in spec.choices])
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
    fields[DISAGREEMENT_KEY] = FloatField(
        _l("Disagreement factor"),
        validators=[Optional()],
        description=_l(
            "The report says in a plain sentence that the approaches disagree when the highest approach "
            "P50 exceeds the lowest by more than this factor (above 1; empty: 3)."
        ),
    )
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
    if parts[0] == DISAGREEMENT_KEY:
        return DISAGREEMENT_KEY
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
        if params.get(DISAGREEMENT_KEY) is not None:
            data[DISAGREEMENT_KEY] = params[DISAGREEMENT_KEY]
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
        raw = {"weights": weights, "calibrations": cals}
        if form[DISAGREEMENT_KEY].data is not None:
            raw[DISAGREEMENT_KEY] = form[DISAGREEMENT_KEY].data
        return raw, ok
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


# ---- patent-specific income inputs ------------------------------------------------------------

MAX_YEARLY_REVENUE = Decimal("1000000000000")  # CNY 1 trillion a year: above it a typo is likelier
MAX_FORECAST_YEARS = 20
_UNITS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_SEPARATORS = re.compile(r"[\s;；、]+")


def parse_forecast(text: str | None) -> list[Decimal]:
    """Yearly amounts separated by spaces, new lines or semicolons; '1,200,000', '120万' and '1.2亿' work."""
    out = []
    for i, item in enumerate(t for t in _SEPARATORS.split(text or "") if t):
        raw = item.replace(",", "").replace("，", "").lstrip("¥￥")
        factor = _UNITS.get(raw[-1:], Decimal(1))
        number = raw[:-1] if raw[-1:] in _UNITS else raw
        try:
            value = Decimal(number) * factor
        except InvalidOperation:
            raise ValueError(_("Year %(n)s: “%(text)s” is not an amount.", n=i + 1, text=item)) from None
        if not value.is_finite() or value < 0:
            raise ValueError(_("Year %(n)s: revenue cannot be negative.", n=i + 1))
        if value > MAX_YEARLY_REVENUE:
            raise ValueError(_("Year %(n)s: more than CNY 1 trillion a year is not plausible.", n=i + 1))
        out.append(value.quantize(Decimal("0.01")))
    if len(out) > MAX_FORECAST_YEARS:
        raise ValueError(_("At most %(n)s years can be forecast.", n=MAX_FORECAST_YEARS))
    return out


def _percent(label, low: float, high: float, description=None, low_open: bool = False) -> DecimalField:
    message = _l("Enter a percentage between %(low)s and %(high)s.", low=low, high=high)
    checks = [Optional(), NumberRange(min=low, max=high, message=message)]
    if low_open:
        checks.append(_above(low, message))
    return DecimalField(label, places=None, validators=checks, description=description)


def _above(low: float, message):
    def check(_form, field):
        if field.data is not None and field.data <= low:
            raise ValidationError(str(message))

    return check


EVIDENCE_LABELS = {
    "comparable_licences": _l("Comparable licences (the platform's deals or others)"),
    "industry_table": _l("Industry royalty table"),
    "profit_split": _l("Profit-split check"),
    "other": _l("Other"),
}


CURRENCY_LABELS = {
    "CNY": _l("CNY (yuan)"),
    "USD": _l("USD (US dollars)"),
    "EUR": _l("EUR (euros)"),
    "JPY": _l("JPY (yen)"),
}


class IncomeInputForm(FlaskForm):
    """The patent's own revenue, royalty and discount inputs; percentages as typed by people (5 = 5 %)."""

    listing_type = SelectField(
        _l("Right valued"),
        choices=[
            SelectChoice("default", _l("Ownership (assignment)")),
            SelectChoice("licence", _l("Licence")),
        ],
        default="default",
    )
    currency = SelectField(
        _l("Currency of the amounts"),
        choices=[SelectChoice(code, CURRENCY_LABELS[code]) for code in INCOME_CURRENCIES],
        default="CNY",
        description=_l("Converted to CNY with the exchange rate on the valuation date."),
    )
    field_of_use = StringField(_l("Licensed field of use"), validators=[Optional(), Length(max=200)])
    territory = StringField(_l("Licensed territory"), validators=[Optional(), Length(max=200)])
    revenue_forecast = TextAreaField(
        _l("Revenue forecast per year"),
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "Sales of the products the patent contributes to, one amount per year: e.g. 120万 150万 180万."
        ),
    )
    market_size = DecimalField(
        _l("Or: market size per year"),
        places=None,
        validators=[
            Optional(),
            NumberRange(min=0, max=1e13, message=_l("Enter an amount between 0 and 10 trillion.")),
        ],
    )
    market_share = _percent(_l("Expected market share (%)"), 0, 100)
    attribution = _percent(
        _l("Share of that revenue due to this patent (%)"),
        0,
        100,
        _l("The rest is due to other patents, the brand, distribution and so on."),
        low_open=True,
    )
    royalty_rate = _percent(_l("Royalty rate (percentage of sales)"), 0, 50, low_open=True)
    royalty_evidence_kind = SelectField(
        _l("Evidence for the royalty rate"),
        choices=[SelectChoice("", _l("Choose…")), *(SelectChoice(k, v) for k, v in EVIDENCE_LABELS.items())],
        validators=[Optional()],
    )
    royalty_evidence = TextAreaField(_l("The evidence"), validators=[Optional(), Length(max=2000)])
    economic_life_years = DecimalField(
        _l("Economic life (years)"),
        places=None,
        validators=[Optional(), NumberRange(min=0.5, max=20, message=_l("Enter between 0.5 and 20 years."))],
        description=_l("How long the technology keeps earning; capped by the remaining legal term."),
    )
    discount_method = SelectField(
        _l("Discount rate"),
        choices=[
            SelectChoice("build_up", _l("Build-up (risk-free rate plus premia)")),
            SelectChoice("wacc", _l("WACC plus an IP premium")),
        ],
        default="build_up",
    )
    risk_free_rate = _percent(_l("Risk-free rate (%)"), 0, 20, _l("e.g. the 10-year government bond yield"))
    technology_premium = _percent(_l("Technology risk premium (%)"), 0, 30)
    market_premium = _percent(_l("Market risk premium (%)"), 0, 30)
    financial_premium = _percent(_l("Financial risk premium (%)"), 0, 30)
    management_premium = _percent(_l("Management risk premium (%)"), 0, 30)
    wacc = _percent(_l("WACC (%)"), 0, 50)
    ip_premium = _percent(_l("IP premium over the WACC (%)"), 0, 30)
    probability_of_grant = _percent(
        _l("Probability of grant (%)"), 0, 100, _l("Applications only; leave empty for the office's default.")
    )
    note = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])

    def validate_currency(self, field) -> None:
        if field.data != fx.BASE and fx.rate_on(field.data, clock.now().date()) is None:
            raise ValidationError(
                _(
                    "No exchange rate for %(currency)s is on record yet: an administrator adds one "
                    "under exchange rates, or enter the amounts in CNY.",
                    currency=field.data,
                )
            )

    def validate_revenue_forecast(self, field) -> None:
        try:
            self.forecast = parse_forecast(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def validate_market_share(self, field) -> None:
        if (field.data is None) != (self.market_size.data is None):
            raise ValidationError(_("Give both the market size and the share, or neither."))

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then the discount rate the chosen method needs (empty fields skip their own
        validators, so this cannot live in validate_<field>)."""
        valid = super().validate(extra_validators)
        if (
            self._has_revenue()
            and self.discount_method.data == "build_up"
            and self.risk_free_rate.data is None
        ):
            self.risk_free_rate.errors = [_("The build-up starts from the risk-free rate: enter it.")]
            valid = False
        if self._has_revenue() and self.discount_method.data == "wacc" and self.wacc.data is None:
            self.wacc.errors = [_("Enter the WACC, or choose the build-up method.")]
            valid = False
        return valid

    def _has_revenue(self) -> bool:
        return bool((self.revenue_forecast.data or "").strip()) or self.market_size.data is not None

    def values(self) -> dict[str, Any]:
        """Service values: fractions for percentages, decimal strings for the forecast."""
        rate = Decimal("0.01")
        out: dict[str, Any] = {
            "currency": self.currency.data,
            "revenue_forecast": [str(x) for x in getattr(self, "forecast", [])] or None,
            "market_size": self.market_size.data,
            "economic_life_years": self.economic_life_years.data,
            "discount_method": self.discount_method.data,
            "royalty_evidence_kind": self.royalty_evidence_kind.data or None,
        }
        for name in PERCENT_FIELDS:
            value = self[name].data
            out[name] = None if value is None else (value * rate).quantize(Decimal("0.000001"))
        for name in ("field_of_use", "territory", "royalty_evidence"):
            out[name] = (self[name].data or "").strip() or None
        out["note"] = (self.note.data or "").strip()
        return out


PERCENT_FIELDS = (
    "market_share",
    "attribution",
    "royalty_rate",
    "risk_free_rate",
    "technology_premium",
    "market_premium",
    "financial_premium",
    "management_premium",
    "wacc",
    "ip_premium",
    "probability_of_grant",
)


def income_form_data(record) -> dict[str, Any]:
    """A stored record as form data (fractions back to percentages)."""
    if record is None:
        return {}
    data = {
        name: getattr(record, name)
        for name in ("field_of_use", "territory", "market_size", "royalty_evidence")
    }
    data |= {
        "listing_type": record.listing_type,
        "currency": record.currency,
        "revenue_forecast": " ".join(record.revenue_forecast or []),
        "economic_life_years": record.economic_life_years,
        "discount_method": record.discount_method,
        "royalty_evidence_kind": record.royalty_evidence_kind or "",
        "note": record.note,
    }
    for name in PERCENT_FIELDS:
        value = getattr(record, name)
        data[name] = None if value is None else (value * 100).normalize()
    return data


# ---- AHP pairwise comparisons ------------------------------------------------------------------

SAATY = {str(k): float(k) for k in range(1, 10)} | {f"1/{k}": 1.0 / k for k in range(2, 10)}


def parse_judgement(text: str | None) -> float:
    """A Saaty-scale judgement: 1-9, or a reciprocal typed as a fraction (1/3, never 0.33)."""
    raw = (text or "").strip().replace("／", "/").replace(" ", "")
    if raw in SAATY:
        return SAATY[raw]
    try:
        number = float(raw)
    except ValueError:
        raise ValueError(_("Use the 1–9 scale: 1, 2, … 9, or 1/2 … 1/9.")) from None
    if 0 < number < 1:
        raise ValueError(
            _(
                "Type a reciprocal as a fraction (for example 1/3), not as %(value)s: rounded decimals break reciprocity.",
                value=raw,
            )
        )
    raise ValueError(_("Use the 1–9 scale: 1, 2, … 9, or 1/2 … 1/9."))


class PairwiseForm(FlaskForm):
    """Pairwise AHP judgements on the 1-9 scale: ``pairs`` names each field and the matrix cell it fills."""

    reason = TextAreaField(_l("Why these judgements"), validators=[Optional(), Length(max=1000)])

    pairs: tuple[tuple[str, int, int], ...] = ()
    size = 0

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.judgements = {}
        for name, _i, _j in self.pairs:
            try:
                self.judgements[name] = parse_judgement(self[name].data)
            except ValueError as error:
                self[name].errors = [*self[name].errors, str(error)]
                valid = False
        return valid

    def matrix(self) -> list[list[float]]:
        a = [[1.0] * self.size for _ in range(self.size)]
        for name, i, j in self.pairs:
            a[i][j] = self.judgements[name]
            a[j][i] = 1.0 / self.judgements[name]
        return a


class AhpForm(PairwiseForm):
    """Three pairwise judgements for the CNIPA value degree's alpha (legal), beta (technical), gamma (economic)."""

    legal_technical = StringField(_l("Legal value against technical value"), default="1")
    legal_economic = StringField(_l("Legal value against economic value"), default="1")
    technical_economic = StringField(_l("Technical value against economic value"), default="1")

    pairs = (("legal_technical", 0, 1), ("legal_economic", 0, 2), ("technical_economic", 1, 2))
    size = 3
