"""One cleaning path for listing input, shared by the HTML form and the API.

Values arrive as people type them (strings from a form, strings or numbers from JSON); they leave
typed (Money amounts as Decimal, dates as aware datetimes) or as a ``ValidationFailed`` that names
every bad field, in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from app.catalogue.validation import ValidationFailed
from app.core.clock import clock
from app.core.money import MoneyError, parse_money
from app.market.listing_models import CONTACT_RULES, PRICE_MECHANISMS, RIGHT_TYPES

TEXT_LIMITS = {
    "title_zh": 300,
    "title_en": 300,
    "summary_zh": 5000,
    "summary_en": 5000,
    "buyer_gets_zh": 3000,
    "buyer_gets_en": 3000,
    "field_of_use": 300,
    "territory": 200,
    "contact_details": 500,
    "nda_text": 10000,
}
MONEY_FIELDS = ("ask_amount", "floor_amount", "minimum_annual_royalty")
FLAGS = ("sublicensing", "pledgee_consent", "co_owner_consent")
CURRENCIES = ("CNY", "USD", "EUR")
SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_MILESTONES = 10


class _Cleaner:
    def __init__(self, data: Mapping[str, Any], partial: bool) -> None:
        self.data, self.partial = data, partial
        self.out: dict[str, Any] = {}
        self.errors: dict[str, str] = {}

    def given(self, name: str) -> bool:
        return not self.partial or name in self.data

    def raw(self, name: str) -> Any:
        value = self.data.get(name)
        return value.strip() if isinstance(value, str) else value


def _text(c: _Cleaner) -> None:
    for name, limit in TEXT_LIMITS.items():
        if not c.given(name):
            continue
        value = c.raw(name)
        if value is not None and not isinstance(value, str):
            c.errors[name] = _("Enter text.")
        elif value and len(value) > limit:
            c.errors[name] = _("At most %(n)d characters.", n=limit)
        else:
            c.out[name] = value or None


def _choices(c: _Cleaner) -> None:
    for name, allowed, default in (
        ("right_type", RIGHT_TYPES, None),
        ("price_mechanism", PRICE_MECHANISMS, "negotiable"),
        ("contact_rule", CONTACT_RULES, "platform_only"),
        ("currency", CURRENCIES, "CNY"),
    ):
        if not c.given(name):
            continue
        value = c.raw(name) or default
        if value not in allowed:
            c.errors[name] = _("Choose one of the offered values.")
        else:
            c.out[name] = value


def _flags(c: _Cleaner) -> None:
    for name in FLAGS:
        if c.given(name):
            value = c.raw(name)
            c.out[name] = value in (True, "1", "true", "on", "y", "yes")


def _money(c: _Cleaner) -> None:
    currency = c.out.get("currency") or c.data.get("currency") or "CNY"
    for name in MONEY_FIELDS:
        if not c.given(name):
            continue
        value = c.raw(name)
        if value in (None, ""):
            c.out[name] = None
            continue
        try:
            amount = parse_money(value if not isinstance(value, float) else str(value), currency).amount
        except MoneyError as error:
            c.errors[name] = error.message
            continue
        if amount <= 0:
            c.errors[name] = _("Enter an amount above zero.")
        else:
            c.out[name] = amount


def _numbers(c: _Cleaner) -> None:
    if c.given("royalty_rate"):
        value = c.raw("royalty_rate")
        try:
            rate = None if value in (None, "") else Decimal(str(value).rstrip("%"))
        except InvalidOperation:
            rate = Decimal(-1)
        if rate is not None and not (0 <= rate <= 100 and rate == rate.quantize(Decimal("0.0001"))):
            c.errors["royalty_rate"] = _("Enter a percentage between 0 and 100 (e.g. 3.5).")
        else:
            c.out["royalty_rate"] = rate
    if c.given("term_months"):
        value = c.raw("term_months")
        if value in (None, ""):
            c.out["term_months"] = None
        elif str(value).isdigit() and 0 < int(value) <= 600:
            c.out["term_months"] = int(value)
        else:
            c.errors["term_months"] = _("Enter a whole number of months between 1 and 600.")


def _milestones(c: _Cleaner) -> None:
    """Milestones as a list of {"label", "amount"} or as form lines "label: amount"."""
    if not c.given("milestones"):
        return
    value = c.data.get("milestones") or []
    if isinstance(value, str):
        value = [_split_line(line) for line in value.splitlines() if line.strip()]
    if not isinstance(value, list) or len(value) > MAX_MILESTONES:
        c.errors["milestones"] = _(
            "At most %(n)d milestones, one per line: description: amount.", n=MAX_MILESTONES
        )
        return
    currency = c.out.get("currency") or "CNY"
    cleaned = []
    for item in value:
        label = str((item or {}).get("label") or "").strip() if isinstance(item, dict) else ""
        try:
            amount = parse_money(str(item.get("amount")), currency).amount if label else None
        except MoneyError:
            amount = None
        if not label or amount is None or amount <= 0 or len(label) > 200:
            c.errors["milestones"] = _(
                "Write each milestone as “description: amount”, e.g. “first sale: 20万”."
            )
            return
        cleaned.append({"label": label, "amount": f"{amount:.2f}"})
    c.out["milestones"] = cleaned


def _split_line(line: str) -> dict[str, str]:
    for separator in ("：", ":"):
        if separator in line:
            label, _sep, amount = line.rpartition(separator)
            return {"label": label.strip(), "amount": amount.strip()}
    return {"label": "", "amount": ""}


def _ends_at(c: _Cleaner) -> None:
    if not c.given("ends_at"):
        return
    value = c.raw("ends_at")
    if value in (None, ""):
        c.out["ends_at"] = None
        return
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        c.errors["ends_at"] = _("Enter a date as YYYY-MM-DD.")
        return
    # A listing runs to the end of its last day in China, where most users are.
    ends = dt.datetime.combine(day, dt.time(23, 59, 59), SHANGHAI).astimezone(dt.UTC)
    if ends <= clock.now():
        c.errors["ends_at"] = _("Choose an end date in the future.")
    else:
        c.out["ends_at"] = ends


def _ids(c: _Cleaner) -> None:
    if c.given("patent_ids"):
        value = c.data.get("patent_ids") or []
        if isinstance(value, str | int):
            value = [v for v in str(value).replace("，", ",").split(",") if v.strip()]
        try:
            ids = list(dict.fromkeys(int(v) for v in value))
        except (TypeError, ValueError):
            c.errors["patent_ids"] = _("Choose patents from the list.")
            ids = []
        c.out["patent_ids"] = ids
    if c.given("project_id"):
        value = c.raw("project_id")
        if value in (None, ""):
            c.out["project_id"] = None
        elif str(value).isdigit():
            c.out["project_id"] = int(value)
        else:
            c.errors["project_id"] = _("Choose a project from the list.")


def _coherence(c: _Cleaner, current: Mapping[str, Any]) -> None:
    """Rules across fields, judged on the values the listing will have after the change."""
    merged = {**current, **c.out}
    if (
        merged.get("price_mechanism") == "fixed"
        and not merged.get("ask_amount")
        and "ask_amount" not in c.errors
    ):
        c.errors["ask_amount"] = _("A fixed-price listing needs an asking price.")
    ask, floor = merged.get("ask_amount"), merged.get("floor_amount")
    if ask and floor and floor > ask and "floor_amount" not in c.errors:
        c.errors["floor_amount"] = _("The floor cannot be above the asking price.")
    if merged.get("right_type") == "open_licence" and merged.get("price_mechanism") != "fixed":
        c.errors["price_mechanism"] = _("An open licence is offered on fixed terms: choose a fixed price.")
    if merged.get("right_type") == "open_licence" and merged.get("sublicensing"):
        c.errors["sublicensing"] = _("An open licence is non-exclusive and cannot include sublicensing.")
    if not (merged.get("title_zh") or merged.get("title_en")) and "title_zh" not in c.errors:
        c.errors["title_zh"] = _("Give the listing a title in Chinese or English.")
    if not merged.get("patent_ids") and not merged.get("project_id") and "patent_ids" not in c.errors:
        c.errors["patent_ids"] = _("Choose at least one patent, or a project.")
    if not merged.get("right_type") and "right_type" not in c.errors:
        c.errors["right_type"] = _("Choose what you offer.")


def clean_listing(
    data: Mapping[str, Any], *, partial: bool = False, current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Typed listing values, or ValidationFailed naming each bad field; ``partial`` for PATCH."""
    c = _Cleaner(data, partial)
    for step in (_text, _choices, _flags, _money, _numbers, _milestones, _ends_at, _ids):
        step(c)
    _coherence(c, current or {})
    if c.errors:
        raise ValidationFailed(c.errors)
    return c.out
