"""One cleaning path for need input, shared by the form and the API: typed values or a
``ValidationFailed`` naming every bad field in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from app.catalogue import classification
from app.catalogue.validation import ValidationFailed
from app.core.clock import clock
from app.core.money import MoneyError, parse_money
from app.market.listing_models import RIGHT_TYPES
from app.matching.alert_fields import clean_alert_settings

TEXT_LIMITS = {
    "title_zh": 300,
    "title_en": 300,
    "description_zh": 5000,
    "description_en": 5000,
    "territory": 200,
    "region": 100,
}
CURRENCIES = ("CNY", "USD", "EUR")
MAX_BUDGET = Decimal("100000000000")  # 1000亿: anything larger is a typo, not a budget
MAX_CODES = 20
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace("，", ",").replace(";", ",").split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def _codes(value: Any, errors: dict[str, str]) -> list[str]:
    raw = _as_list(value)
    if len(raw) > MAX_CODES:
        errors["codes"] = _("Enter at most %(n)d classification codes.", n=MAX_CODES)
        return []
    out = []
    for code in raw:
        try:
            out.append(classification.normalise(code, "cpc"))
        except classification.InvalidClassification:
            errors["codes"] = _("%(code)s is not an IPC or CPC code.", code=code)
    return list(dict.fromkeys(out))


def _money(data: Mapping[str, Any], name: str, currency: str, errors: dict[str, str]) -> Decimal | None:
    raw = data.get(name)
    if raw is None or str(raw).strip() == "":
        return None
    try:
        amount = parse_money(str(raw), currency).amount
    except MoneyError as exc:
        errors[name] = str(exc)
        return None
    if amount <= 0:
        errors[name] = _("Enter an amount above zero.")
    elif amount > MAX_BUDGET:
        errors[name] = _("This budget is too large; check the amount.")
    return amount


def _deadline(raw: Any, errors: dict[str, str]) -> dt.date | None:
    if raw in (None, ""):
        return None
    try:
        day = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
    except ValueError:
        errors["deadline"] = _("Enter a date as YYYY-MM-DD.")
        return None
    if day < clock.now().astimezone(SHANGHAI).date():
        errors["deadline"] = _("The deadline cannot be in the past.")
    return day


def clean_need(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Typed need fields from raw input; ``partial`` cleans only the keys present (PATCH)."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        if name in data or not partial:
            value = (data.get(name) or "").strip() or None
            if value and len(value) > limit:
                errors[name] = _("Enter at most %(n)d characters.", n=limit)
            out[name] = value
    currency = str(data.get("currency") or "CNY").upper()
    if currency not in CURRENCIES:
        errors["currency"] = _("Choose one of the offered currencies.")
    out["currency"] = currency
    if "codes" in data or not partial:
        out["codes"] = _codes(data.get("codes"), errors)
    if "rights" in data or not partial:
        out["rights"] = _as_list(data.get("rights"))
        if any(r not in RIGHT_TYPES for r in out["rights"]):
            errors["rights"] = _("Choose rights from the list.")
    for name in ("budget_min", "budget_max"):
        if name in data or not partial:
            out[name] = _money(data, name, currency, errors)
    if "deadline" in data or not partial:
        out["deadline"] = _deadline(data.get("deadline"), errors)
    if "is_private" in data or not partial:
        out["is_private"] = bool(data.get("is_private"))
    out.update(clean_alert_settings(data, errors, partial=partial))
    if errors:
        raise ValidationFailed(errors)
    return out


def check_complete(values: Mapping[str, Any]) -> None:
    """Rules across fields, checked on the merged need: some title, some text, min <= max."""
    errors: dict[str, str] = {}
    if not (values.get("title_zh") or values.get("title_en")):
        errors["title_zh"] = _("Give the need a title in Chinese or English.")
    if not (values.get("description_zh") or values.get("description_en")):
        errors["description_zh"] = _("Describe the technology you need.")
    low, high = values.get("budget_min"), values.get("budget_max")
    if low is not None and high is not None and low > high:
        errors["budget_min"] = _("The lowest budget is above the highest.")
    if errors:
        raise ValidationFailed(errors)
