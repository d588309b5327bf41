"""Turn one CSV/JSON row into a record, collecting every field error of the row."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from app.catalogue import classification as cls
from app.catalogue.importers.text import InvalidValue, clean, parse_date, split_list
from app.catalogue.messages import N_, Message, message, reason_of
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
    Classification,
    ExpertRecord,
    PatentRecord,
    ProjectRecord,
    RowError,
    SourceRef,
)
from app.catalogue.terms import PatentDates, date_problems
from app.core.money import MoneyError, parse_money

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _whole_number(value: str) -> int:
    """Digits only ("12", or "12.0" as spreadsheets export them)."""
    if not re.fullmatch(r"-?\d+(\.0+)?", value):
        raise InvalidValue(message(N_("%(value)s is not a whole number"), value=repr(value)))
    return int(value.split(".")[0])


class Cells:
    """Typed access to one row's cells; problems are recorded, not raised."""

    def __init__(self, row: Mapping[str, Any], source: SourceRef) -> None:
        self.row = row
        self.source = source
        self.errors: list[RowError] = []

    def error(self, field: str, reason: Message | str) -> None:
        """Record a problem with one field."""
        self.errors.append(RowError.of(self.source.file, self.source.location, field, reason))

    def text(self, name: str) -> str | None:
        """A cleaned string, or None when blank."""
        value = self.row.get(name)
        if value is None or isinstance(value, str):
            return clean(value)
        if isinstance(value, int | float):
            return str(value)
        self.error(name, message(N_("must be text")))
        return None

    def list(self, name: str) -> tuple[str, ...]:
        """A list cell: a JSON array or a ';'/'|'-separated string."""
        value = self.row.get(name)
        if isinstance(value, list):
            return tuple(c for c in (clean(str(v)) for v in value) if c)
        return split_list(self.text(name))

    def convert(self, name: str, parser: Callable[[str], Any]) -> Any:
        """Run a parser on a non-blank cell, turning ValueError into a row error."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return parser(value)
        except ValueError as exc:
            self.error(getattr(exc, "field", name), reason_of(exc))
            return None

    def int(self, name: str, low: int = 0, high: int | None = None) -> int | None:
        """A whole number within bounds."""
        value = self.convert(name, _whole_number)
        if value is not None and (value < low or (high is not None and value > high)):
            if high is None:
                self.error(name, message(N_("%(value)s is below %(low)s"), value=value, low=low))
            else:
                self.error(
                    name,
                    message(N_("%(value)s is outside %(low)s..%(high)s"), value=value, low=low, high=high),
                )
            return None
        return value

    def choice(
        self, name: str, choices: tuple[str, ...] | frozenset[str], default: str | None = None
    ) -> str | None:
        """One of a fixed set, case-insensitive."""
        value = self.text(name)
        if value is None:
            return default
        if value.lower() in choices or value.upper() in choices:
            return value.upper() if value.upper() in choices else value.lower()
        self.error(name, _not_one_of(value, sorted(choices)))
        return default

    def money(self, amount_name: str, currency_name: str) -> tuple[Decimal | None, str | None]:
        """A positive Decimal amount with its ISO 4217 currency."""
        raw, currency = self.text(amount_name), self.text(currency_name)
        if raw is None:
            return None, currency.upper() if currency else None
        expected = currency.upper() if currency and re.fullmatch(r"[A-Za-z]{3}", currency) else "CNY"
        try:
            value = parse_money(raw, expected, places=4).amount
        except MoneyError:
            value = None
        if value is None or value <= 0:
            self.error(
                amount_name,
                message(N_("%(value)s is not a positive amount like 1250000.00"), value=repr(raw)),
            )
            return None, None
        if not currency or not re.fullmatch(r"[A-Za-z]{3}", currency):
            self.error(
                currency_name, message(N_("an ISO 4217 currency (e.g. CNY, USD) is required with an amount"))
            )
            return None, None
        return value, currency.upper()


def _not_one_of(value: str, choices: list[str] | tuple[str, ...]) -> Message:
    return message(N_("%(value)s is not one of %(choices)s"), value=repr(value), choices=", ".join(choices))


def _codes(cells: Cells, name: str, scheme: str) -> list[Classification]:
    """Normalised codes of one scheme, the first one marked main."""
    found = []
    for position, raw in enumerate(cells.list(name)):
        try:
            found.append(Classification(scheme, cls.normalise(raw, scheme), position == 0))
        except cls.InvalidClassification as exc:
            cells.error(
                name,
                message(
                    N_("%(scheme)s code %(code)s: %(reason)s"),
                    scheme=scheme.upper(),
                    code=repr(exc.code),
                    reason=exc.message,
                ),
            )
    return found


def _titles(cells: Cells, zh: str, en: str) -> tuple[str | None, str | None]:
    """Both titles, at least one required."""
    title_zh, title_en = cells.text(zh), cells.text(en)
    if not title_zh and not title_en:
        cells.error(en, message(N_("%(first)s or %(second)s is required"), first=zh, second=en))
    return title_zh, title_en


def patent_from_row(row: Mapping[str, Any], source: SourceRef) -> PatentRecord | list[RowError]:
    """A PatentRecord, or every problem found in the row."""
    c = Cells(row, source)
    cc = c.choice("jurisdiction", JURISDICTIONS)
    number = c.convert("publication_number", lambda v: parse_publication_number(v, cc, c.text("kind_code")))
    if number is None and not any(e.field == "publication_number" for e in c.errors):
        c.error("publication_number", message(N_("is required")))
    application = c.convert("application_number", lambda v: parse_application_number(v, cc))
    default_type = patent_type_for(number.jurisdiction, number.kind, number.canonical) if number else None
    dates = PatentDates(*(c.convert(n, parse_date) for n in ("filing_date", "priority_date", "publication_date",
                                                             "grant_date")))  # fmt: skip
    for problem in date_problems(dates):
        c.error(problem.field, problem.message)
    total, independent = c.int("claims_count"), c.int("independent_claims_count")
    if total is not None and independent is not None and independent > total:
        c.error(
            "independent_claims_count",
            message(
                N_("%(independent)s is more than claims_count %(total)s"),
                independent=independent,
                total=total,
            ),
        )
    title_zh, title_en = _titles(c, "title_zh", "title_en")
    fields = {
        "patent_type": c.choice("patent_type", PATENT_TYPES, default_type),
        "title_zh": title_zh,
        "title_en": title_en,
        "abstract_zh": c.text("abstract_zh"),
        "abstract_en": c.text("abstract_en"),
        "first_claim": c.text("first_claim"),
        "claims_count": total,
        "independent_claims_count": independent,
        "classifications": tuple(_codes(c, "ipc", "ipc") + _codes(c, "cpc", "cpc")),
        "applicants": c.list("applicants"),
        "owners": c.list("owners"),
        "inventors": c.list("inventors"),
        "legal_status": c.choice("legal_status", LEGAL_STATUSES),
        "family_countries": _countries(c),
        "forward_citations": c.int("forward_citations"),
        "backward_citations": c.int("backward_citations"),
        "annual_fee_paid_year": c.int("annual_fee_paid_year", 1, 30),
    }
    if c.errors or number is None:
        return c.errors
    return PatentRecord(
        jurisdiction=number.jurisdiction,
        publication_number=number.canonical,
        kind_code=number.kind,
        source=source,
        application_number=application.canonical if application else None,
        filing_date=dates.filing_date,
        priority_date=dates.priority_date,
        publication_date=dates.publication_date,
        grant_date=dates.grant_date,
        **fields,
    )


def _countries(cells: Cells) -> tuple[str, ...]:
    """Two-letter country codes, upper-cased and de-duplicated."""
    codes = tuple(dict.fromkeys(code.upper() for code in cells.list("family_countries")))
    for code in codes:
        if not re.fullmatch(r"[A-Z]{2}", code):
            cells.error(
                "family_countries",
                message(N_("%(value)s is not a two-letter country code"), value=repr(code)),
            )
    return codes


def _subset(cells: Cells, name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """A list cell whose items must come from a fixed vocabulary."""
    items = tuple(item.lower() for item in cells.list(name))
    for item in items:
        if item not in allowed:
            cells.error(name, _not_one_of(item, allowed))
    return items


def _linked_patents(cells: Cells) -> tuple[str, ...]:
    """Canonical numbers of the patents a project relies on."""
    found = []
    for raw in cells.list("linked_patents"):
        try:
            found.append(parse_publication_number(raw, field="linked_patents").canonical)
        except InvalidNumber as exc:
            cells.error("linked_patents", exc.message)
    return tuple(found)


def _required(cells: Cells, name: str) -> str:
    """A text cell that must not be blank."""
    value = cells.text(name)
    if value is None:
        cells.error(name, message(N_("is required")))
    return value or ""


def project_from_row(row: Mapping[str, Any], source: SourceRef) -> ProjectRecord | list[RowError]:
    """A ProjectRecord, or every problem found in the row."""
    c = Cells(row, source)
    reference = _required(c, "reference")
    title_zh, title_en = _titles(c, "title_zh", "title_en")
    amount, currency = c.money("funding_amount", "funding_currency")
    record = ProjectRecord(
        reference=reference,
        title_zh=title_zh,
        title_en=title_en,
        source=source,
        summary_zh=c.text("summary_zh"),
        summary_en=c.text("summary_en"),
        sector=c.text("sector"),
        trl=c.int("trl", 1, 9),
        stage=c.choice("stage", PROJECT_STAGES),
        seeking=_subset(c, "seeking", PROJECT_SEEKING),
        funding_amount=amount,
        funding_currency=currency,
        team=c.list("team"),
        linked_patents=_linked_patents(c),
        owner_organisation=c.text("owner_organisation"),
        contact_policy=c.choice("contact_policy", CONTACT_POLICIES, "via_platform") or "via_platform",
    )
    return c.errors or record


def _specialties(cells: Cells) -> tuple[str, ...]:
    """Normalised IPC/CPC codes an expert covers."""
    found = []
    for raw in cells.list("specialties_ipc"):
        try:
            found.append(cls.normalise(raw, "cpc"))
        except cls.InvalidClassification as exc:
            cells.error("specialties_ipc", exc.full_message)
    return tuple(found)


def expert_from_row(row: Mapping[str, Any], source: SourceRef) -> ExpertRecord | list[RowError]:
    """An ExpertRecord, or every problem found in the row."""
    c = Cells(row, source)
    email = c.text("user_email")
    if email and not _EMAIL.fullmatch(email):
        c.error("user_email", message(N_("%(value)s is not an e-mail address"), value=repr(email)))
    languages = tuple(lang.lower() for lang in c.list("languages"))
    for lang in languages:
        if not re.fullmatch(r"[a-z]{2}", lang):
            c.error(
                "languages", message(N_("%(value)s is not a two-letter ISO 639-1 code"), value=repr(lang))
            )
    amount, currency = c.money("fee_amount", "fee_currency")
    record = ExpertRecord(
        reference=_required(c, "reference"),
        name=_required(c, "name"),
        source=source,
        title=c.text("title"),
        organisation=c.text("organisation"),
        specialties_ipc=_specialties(c),
        industries=c.list("industries"),
        qualifications=c.list("qualifications"),
        biography_zh=c.text("biography_zh"),
        biography_en=c.text("biography_en"),
        languages=languages,
        availability=c.choice("availability", EXPERT_AVAILABILITY),
        fee_amount=amount,
        fee_currency=currency,
        fee_unit=c.choice("fee_unit", FEE_UNITS),
        user_email=email.lower() if email else None,
        conflicts=c.list("conflicts"),
    )
    return c.errors or record
