"""Validate and normalise typed field values for patents, projects and experts.

Forms, the API and services all pass plain dicts of Python values (dates as ``date``, lists as
lists); these functions return the cleaned dict or raise ``ValidationFailed`` naming every bad
field at once, with the number, code and date rules of ``numbers``, ``classification``, ``terms``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from app.catalogue import classification
from app.catalogue.numbers import (
    InvalidNumber,
    parse_application_number,
    parse_publication_number,
    patent_type_for,
)
from app.catalogue.records import (
    CONTACT_POLICIES,
    EXPERT_AVAILABILITY,
    FEE_UNITS,
    JURISDICTIONS,
    LEGAL_STATUSES,
    PATENT_TYPES,
    PROJECT_SEEKING,
    PROJECT_STAGES,
)
from app.catalogue.terms import PatentDates, date_problems, expiry_date
from app.catalogue.translation import translate
from app.core.errors import DomainError
from app.core.money import MoneyError, parse_money

_CURRENCY = re.compile(r"[A-Z]{3}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # NUL and friends: PostgreSQL refuses NUL
_LANGUAGE = re.compile(r"[a-z]{2}")
_COUNTRY = re.compile(r"[A-Z]{2}")

PATENT_TEXT = ("title_zh", "title_en", "abstract_zh", "abstract_en", "first_claim")
PATENT_DATES = ("filing_date", "priority_date", "publication_date", "grant_date", "legal_status_date")
PATENT_COUNTS = ("claims_count", "independent_claims_count", "forward_citations", "backward_citations")
PATENT_LISTS = ("ipc_codes", "cpc_codes", "applicants", "owners", "inventors", "family_countries")


class ValidationFailed(DomainError):
    """Field-level problems; ``fields`` maps each field name to a message for the person."""

    status_code = 422

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(_("Some fields are not valid."), fields)


class _Checker:
    """Collects one message per field while values are cleaned."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, str] = {}
        self.out: dict[str, Any] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def text(self, name: str, max_length: int | None = None) -> str | None:
        value = self.data.get(name)
        if value is None:
            return None
        value = _CONTROL.sub("", str(value)).strip()
        if max_length and len(value) > max_length:
            self.fail(name, _("At most %(n)d characters.", n=max_length))
        return value or None

    def items(self, name: str) -> list[str]:
        value = self.data.get(name) or []
        if isinstance(value, str):
            value = re.split(r"\s*[;\n|]\s*", value)
        return [str(v).strip() for v in value if str(v).strip()]

    def count(self, name: str, low: int = 0, high: int | None = None) -> int | None:
        value = self.data.get(name)
        if value is None or value == "":
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(name, _("Enter a whole number."))
            return None
        if number < low or (high is not None and number > high):
            self.fail(name, _("Must be between %(low)d and %(high)s.", low=low, high=high or "∞"))
            return None
        return number

    def date(self, name: str) -> dt.date | None:
        value = self.data.get(name)
        if value is None or value == "" or isinstance(value, dt.date):
            return value or None
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(name, _("Enter a date as YYYY-MM-DD."))
            return None

    def choice(self, name: str, choices: Iterable[str], default: str | None = None) -> str | None:
        value = self.data.get(name) or default
        if value is not None and value not in choices:
            self.fail(name, _("Choose one of: %(choices)s.", choices=", ".join(choices)))
            return default
        return value

    def money(self, amount_name: str, currency_name: str) -> tuple[Decimal | None, str | None]:
        raw = self.data.get(amount_name)
        currency = (self.text(currency_name) or "").upper() or None
        if raw is None or raw == "":
            return None, currency
        try:
            expected = currency if currency and _CURRENCY.fullmatch(currency) else "CNY"
            amount = parse_money(raw if isinstance(raw, Decimal | int) else str(raw), expected).amount
        except MoneyError as error:
            if error.code == "format":
                self.fail(amount_name, _("Enter an amount like 1250000.00."))
                return None, currency
            self.fail(amount_name, _("Enter a non-negative amount with at most two decimals."))
            amount = None
        if not currency or not _CURRENCY.fullmatch(currency):
            self.fail(currency_name, _("A three-letter currency code (e.g. CNY) is required with an amount."))
        return amount, currency


def validate_patent(data: Mapping[str, Any]) -> dict[str, Any]:
    """The full set of patent fields, normalised; raises ValidationFailed listing every problem."""
    c = _Checker(data)
    jurisdiction = (c.text("jurisdiction") or "").upper()
    if jurisdiction not in JURISDICTIONS:
        c.fail("jurisdiction", _("Choose one of: %(choices)s.", choices=", ".join(sorted(JURISDICTIONS))))
    c.out["jurisdiction"] = jurisdiction
    _patent_numbers(c, jurisdiction)
    for name in PATENT_TEXT:
        c.out[name] = c.text(name)
    if not (c.out["title_zh"] or c.out["title_en"]):
        c.fail("title_en", _("Give a title in Chinese or English."))
    for name in PATENT_COUNTS:
        c.out[name] = c.count(name)
    c.out["annual_fee_paid_year"] = c.count("annual_fee_paid_year", 1, 30)
    total, independent = c.out["claims_count"], c.out["independent_claims_count"]
    if total is not None and independent is not None and independent > total:
        c.fail("independent_claims_count", _("Cannot exceed the total number of claims."))
    for name in PATENT_DATES:
        c.out[name] = c.date(name)
    dates = PatentDates(*(c.out[n] for n in PATENT_DATES[:4]))
    for problem in date_problems(dates):
        c.fail(problem.field, _("Impossible date: %(reason)s.", reason=translate(problem)))
    c.out["legal_status"] = c.choice("legal_status", LEGAL_STATUSES)
    _codes(c, "ipc_codes", "ipc")
    _codes(c, "cpc_codes", "cpc")
    for name in ("applicants", "owners", "inventors"):
        c.out[name] = c.items(name)
    _family(c, jurisdiction)
    if c.errors:
        raise ValidationFailed(c.errors)
    c.out["expiry_date"] = expiry_date(
        jurisdiction, c.out["patent_type"], c.out["filing_date"], c.out["grant_date"]
    )
    return c.out


def _patent_numbers(c: _Checker, jurisdiction: str) -> None:
    """Canonical publication and application numbers, kind code and inferred patent type."""
    c.out["kind_code"] = (c.text("kind_code", 4) or "").upper() or None
    c.out["publication_number"] = c.out["application_number"] = None
    raw = c.text("publication_number")
    if not raw:
        c.fail("publication_number", _("Enter the publication number."))
    elif jurisdiction in JURISDICTIONS:
        try:
            number = parse_publication_number(raw, jurisdiction, c.out["kind_code"])
            c.out["publication_number"] = number.canonical
            c.out["kind_code"] = number.kind or c.out["kind_code"]
        except InvalidNumber as exc:
            c.fail("publication_number", translate(exc))
    application = c.text("application_number")
    if application and jurisdiction in JURISDICTIONS:
        try:
            c.out["application_number"] = parse_application_number(application, jurisdiction).canonical
        except InvalidNumber as exc:
            c.fail("application_number", translate(exc))
    inferred = patent_type_for(jurisdiction, c.out["kind_code"], c.out["publication_number"] or "")
    c.out["patent_type"] = c.choice("patent_type", PATENT_TYPES, inferred)


def _codes(c: _Checker, name: str, scheme: str) -> None:
    codes: list[str] = []
    for raw in c.items(name):
        try:
            code = classification.normalise(raw, scheme)
        except classification.InvalidClassification as exc:
            c.fail(
                name,
                _(
                    "%(code)s is not a valid %(scheme)s code: %(reason)s",
                    code=raw,
                    scheme=scheme.upper(),
                    reason=translate(exc.message),
                ),
            )
            continue
        if code not in codes:
            codes.append(code)
    c.out[name] = codes


def _family(c: _Checker, jurisdiction: str) -> None:
    countries = [item.upper() for item in c.items("family_countries")]
    bad = [item for item in countries if not _COUNTRY.fullmatch(item)]
    if bad:
        c.fail("family_countries", _("Use two-letter country codes (not %(bad)s).", bad=", ".join(bad)))
    if jurisdiction and jurisdiction not in countries and not bad:
        countries.insert(0, jurisdiction)
    c.out["family_countries"] = list(dict.fromkeys(countries))
    c.out["family_size"] = max(len(c.out["family_countries"]), 1)


def validate_project(data: Mapping[str, Any]) -> dict[str, Any]:
    """Project fields normalised; the funding amount is exact money with its currency."""
    c = _Checker(data)
    c.out["reference"] = c.text("reference", 64)
    for name, limit in (("title_zh", 300), ("title_en", 300), ("sector", 100), ("organisation_name", 200)):
        c.out[name] = c.text(name, limit)
    if not (c.out["title_zh"] or c.out["title_en"]):
        c.fail("title_en", _("Give a title in Chinese or English."))
    c.out["summary_zh"], c.out["summary_en"] = c.text("summary_zh"), c.text("summary_en")
    c.out["trl"] = c.count("trl", 1, 9)
    c.out["stage"] = c.choice("stage", PROJECT_STAGES)
    seeking = c.items("seeking")
    if bad := [s for s in seeking if s not in PROJECT_SEEKING]:
        c.fail(
            "seeking",
            _(
                "Choose from: %(choices)s (not %(bad)s).",
                choices=", ".join(PROJECT_SEEKING),
                bad=", ".join(bad),
            ),
        )
    c.out["seeking"] = [s for s in PROJECT_SEEKING if s in seeking]
    c.out["funding_amount"], c.out["funding_currency"] = c.money("funding_amount", "funding_currency")
    c.out["team"] = c.items("team")
    c.out["contact_policy"] = c.choice("contact_policy", CONTACT_POLICIES, "via_platform")
    c.out["linked_patents"] = []
    for raw in c.items("linked_patents"):
        try:
            number = parse_publication_number(raw)
        except InvalidNumber as exc:
            c.fail("linked_patents", f"{raw}: {translate(exc)}")
            continue
        c.out["linked_patents"].append((number.jurisdiction, number.canonical))
    if c.errors:
        raise ValidationFailed(c.errors)
    return c.out


def validate_expert(data: Mapping[str, Any]) -> dict[str, Any]:
    """Expert fields normalised; specialties are IPC/CPC subclasses such as H01M."""
    c = _Checker(data)
    c.out["reference"] = c.text("reference", 64)
    c.out["name"] = c.text("name", 200)
    if not c.out["name"]:
        c.fail("name", _("Enter the expert's name."))
    for name in ("name_en", "title", "title_en", "organisation"):
        c.out[name] = c.text(name, 200)
    c.out["biography_zh"], c.out["biography_en"] = c.text("biography_zh"), c.text("biography_en")
    specialties = []
    for raw in c.items("specialties_ipc"):
        try:
            code = classification.parse(raw, "cpc")
        except classification.InvalidClassification as exc:
            c.fail("specialties_ipc", f"{raw}: {translate(exc.message)}")
            continue
        value = code.subclass or str(code)
        if value not in specialties:
            specialties.append(value)
    c.out["specialties_ipc"] = specialties
    c.out["industries"] = list(dict.fromkeys(c.items("industries")))
    c.out["qualifications"] = list(dict.fromkeys(c.items("qualifications")))
    languages = [x.lower() for x in c.items("languages")]
    if bad := [x for x in languages if not _LANGUAGE.fullmatch(x)]:
        c.fail(
            "languages", _("Use two-letter language codes such as zh, en (not %(bad)s).", bad=", ".join(bad))
        )
    c.out["languages"] = list(dict.fromkeys(languages))
    c.out["availability"] = c.choice("availability", EXPERT_AVAILABILITY)
    c.out["fee_amount"], c.out["fee_currency"] = c.money("fee_amount", "fee_currency")
    c.out["fee_unit"] = c.choice("fee_unit", FEE_UNITS)
    c.out["conflicts"] = _conflicts(c.items("conflicts"))
    c.out["user_email"] = (c.text("user_email") or "").lower() or None
    if c.errors:
        raise ValidationFailed(c.errors)
    return c.out


def _conflicts(lines: list[str]) -> list[tuple[str, str | None]]:
    """'Organisation | relation' or 'Organisation (relation)' lines into pairs, first wins."""
    pairs: dict[str, str | None] = {}
    for line in lines:
        match = re.fullmatch(r"(.+?)\s*(?:[:：]\s*(.+)|[(（](.+)[)）])?", line)
        name = match[1].strip()[:200]
        relation = (match[2] or match[3] or "").strip()[:100] or None
        pairs.setdefault(name, relation)
    return list(pairs.items())
