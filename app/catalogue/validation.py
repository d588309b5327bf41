"""The one validation of catalogue records, whatever the entry: forms, the API and every importer.

Framework-free: plain dicts of values in (text as typed or read from a file, or typed values such as
``date``; lists as lists or as "a; b" text), the cleaned dict out, or ``InvalidFields`` naming every
bad field with a ``Message`` that the web layer translates (``errors.ValidationFailed``) and an import
stores in its report. Number, code and date rules come from ``numbers``, ``classification``, ``terms``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from app.catalogue import classification
from app.catalogue.messages import N_, Message, MessageError, as_message, message, reason_of
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
from app.catalogue.terms import PatentDates, date_problems, expiry_date, parse_date
from app.core.money import MoneyError, parse_money

_CURRENCY = re.compile(r"[A-Z]{3}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # NUL and friends: PostgreSQL refuses NUL
# Text-direction overrides and isolates make a title or name read differently from what it holds.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LANGUAGE = re.compile(r"[a-z]{2}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_WHOLE = re.compile(r"[+-]?\d+(\.0+)?")
_LIST_SEPARATORS = re.compile(r"\s*[;；|\n]\s*")
MAX_MONEY = Decimal("9999999999999999.99")  # Numeric(18, 2)

# Caps that keep one record from filling a page, an index or memory (and bound every list).
TITLE_MAX = 500
ABSTRACT_MAX = 20_000
CLAIM_MAX = 50_000
NAME_MAX = 300  # a party, an organisation
LIST_MAX = 100  # parties of one role, team members, languages, specialties
CODES_MAX = 200  # IPC or CPC codes of one patent
CLAIMS_MAX = 10_000
CITATIONS_MAX = 1_000_000

PATENT_DATES = ("filing_date", "priority_date", "publication_date", "grant_date", "legal_status_date")
PATENT_LISTS = ("ipc_codes", "cpc_codes", "applicants", "owners", "inventors", "family_countries")


class InvalidFields(MessageError):
    """Field-level problems: ``problems`` maps each field name to a Message for the person."""

    def __init__(self, problems: Mapping[str, Message]) -> None:
        self.problems = dict(problems)
        super().__init__(
            message(N_("%(fields)s: not valid"), fields=", ".join(self.problems)) if problems else ""
        )


class _Checker:
    """Collects one message per field while values are cleaned."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, Message] = {}
        self.out: dict[str, Any] = {}

    def fail(self, field: str, reason: Message | str) -> None:
        self.errors.setdefault(field, as_message(reason))

    def done(self) -> dict[str, Any]:
        if self.errors:
            raise InvalidFields(self.errors)
        return self.out

    def text(self, name: str, max_length: int | None = None, *, line: bool = False) -> str | None:
        """Text without control characters; ``line``: one line of a title or a name."""
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            self.fail(name, N_("Enter text."))
            return None
        value = _CONTROL.sub("", str(value)).strip()
        if line:
            value = " ".join(value.split())
            if _BIDI.search(value):
                self.fail(
                    name, N_("Remove the invisible text-direction characters (U+202A–U+202E, U+2066–U+2069).")
                )
        if max_length and len(value) > max_length:
            self.fail(name, message(N_("At most %(n)d characters."), n=max_length))
        return value or None

    def items(self, name: str, max_items: int = LIST_MAX, max_length: int | None = None) -> list[str]:
        """A list given as a list, or as text separated by ';', '|' or new lines."""
        value = self.data.get(name) or []
        if isinstance(value, str):
            value = _LIST_SEPARATORS.split(value)
        elif not isinstance(value, list | tuple):
            self.fail(name, N_("Enter a list of items."))
            return []
        items = [" ".join(_CONTROL.sub("", str(v)).split()) for v in value]
        items = [item for item in items if item]
        if len(items) > max_items:
            self.fail(name, message(N_("At most %(n)d items."), n=max_items))
        if max_length and any(len(item) > max_length for item in items):
            self.fail(name, message(N_("Each item has at most %(n)d characters."), n=max_length))
        return items

    def names(self, name: str) -> list[str]:
        """People and organisations: a list of one-line names without direction overrides."""
        items = self.items(name, LIST_MAX, NAME_MAX)
        if any(_BIDI.search(item) for item in items):
            self.fail(
                name, N_("Remove the invisible text-direction characters (U+202A–U+202E, U+2066–U+2069).")
            )
        return items

    def count(self, name: str, low: int = 0, high: int = CITATIONS_MAX) -> int | None:
        """A whole number within bounds ("12", 12 or "12.0" as spreadsheets write it)."""
        value = self.data.get(name)
        if value is None or value == "":
            return None
        text = str(value).strip()
        if isinstance(value, bool) or not _WHOLE.fullmatch(text):
            self.fail(name, N_("Enter a whole number."))
            return None
        number = int(text.split(".")[0])
        if not low <= number <= high:
            self.fail(name, message(N_("Must be between %(low)d and %(high)s."), low=low, high=high))
            return None
        return number

    def date(self, name: str) -> dt.date | None:
        value = self.data.get(name)
        if value is None or value == "" or isinstance(value, dt.date):
            return value or None
        try:
            return parse_date(str(value))
        except ValueError as exc:
            self.fail(name, reason_of(exc))
            return None

    def choice(self, name: str, choices: Iterable[str], default: str | None = None) -> str | None:
        """One of a fixed set of values, whatever the letter case."""
        choices = tuple(choices)
        value = self.text(name) or default
        if value is None or value in choices:
            return value
        matches = [c for c in choices if c.lower() == value.lower()]
        if not matches:
            self.fail(name, message(N_("Choose one of: %(choices)s."), choices=", ".join(choices)))
            return default
        return matches[0]

    def money(self, amount_name: str, currency_name: str) -> tuple[Decimal | None, str | None]:
        """A positive amount with at most two decimals, and its ISO 4217 currency."""
        raw = self.data.get(amount_name)
        currency = (self.text(currency_name) or "").upper() or None
        if raw is None or raw == "":
            return None, currency
        expected = currency if currency and _CURRENCY.fullmatch(currency) else "CNY"
        try:  # "1,250,000.00", "125万", "¥1.2亿" as people write amounts
            amount = parse_money(raw if isinstance(raw, Decimal | int) else str(raw), expected).amount
        except MoneyError:
            amount = None
        if amount is None or amount <= 0 or amount > MAX_MONEY:
            self.fail(amount_name, N_("Enter a positive amount with at most two decimals, like 1250000.00."))
            return None, currency
        if not currency or not _CURRENCY.fullmatch(currency):
            self.fail(
                currency_name, N_("A three-letter currency code (e.g. CNY) is required with an amount.")
            )
        return amount, currency


# --- patents ------------------------------------------------------------------------------


def validate_patent(data: Mapping[str, Any]) -> dict[str, Any]:
    """The full set of patent fields, normalised; raises InvalidFields listing every problem."""
    c = _Checker(data)
    jurisdiction = _patent_numbers(c, c.choice("jurisdiction", sorted(JURISDICTIONS)) or "")
    c.out["jurisdiction"] = jurisdiction
    c.out["title_zh"] = c.text("title_zh", TITLE_MAX, line=True)
    c.out["title_en"] = c.text("title_en", TITLE_MAX, line=True)
    if not (c.out["title_zh"] or c.out["title_en"]):
        c.fail("title_en", N_("Give a title in Chinese or English."))
    c.out["abstract_zh"] = c.text("abstract_zh", ABSTRACT_MAX)
    c.out["abstract_en"] = c.text("abstract_en", ABSTRACT_MAX)
    c.out["first_claim"] = c.text("first_claim", CLAIM_MAX)
    c.out["claims_count"] = c.count("claims_count", 0, CLAIMS_MAX)
    c.out["independent_claims_count"] = c.count("independent_claims_count", 0, CLAIMS_MAX)
    c.out["forward_citations"] = c.count("forward_citations")
    c.out["backward_citations"] = c.count("backward_citations")
    c.out["annual_fee_paid_year"] = c.count("annual_fee_paid_year", 1, 30)
    total, independent = c.out["claims_count"], c.out["independent_claims_count"]
    if total is not None and independent is not None and independent > total:
        c.fail("independent_claims_count", N_("Cannot exceed the total number of claims."))
    for name in PATENT_DATES:
        c.out[name] = c.date(name)
    dates = PatentDates(*(c.out[n] for n in PATENT_DATES[:4]))
    for problem in date_problems(dates):
        c.fail(problem.field, message(N_("Impossible date: %(reason)s."), reason=problem.message))
    c.out["legal_status"] = c.choice("legal_status", LEGAL_STATUSES)
    _codes(c, "ipc_codes", "ipc")
    _codes(c, "cpc_codes", "cpc")
    for name in ("applicants", "owners", "inventors"):
        c.out[name] = c.names(name)
    _family(c, jurisdiction)
    c.done()
    c.out["expiry_date"] = expiry_date(
        jurisdiction, c.out["patent_type"], c.out["filing_date"], c.out["grant_date"]
    )
    return c.out


def _patent_numbers(c: _Checker, jurisdiction: str) -> str:
    """Canonical publication and application numbers, kind code and inferred patent type.

    Returns the jurisdiction: the one given, or the number's country prefix when none was given
    (the import columns let a file leave it out when the number carries it).
    """
    c.out["kind_code"] = (c.text("kind_code", 4) or "").upper() or None
    c.out["publication_number"] = c.out["application_number"] = None
    raw = c.text("publication_number", 40)
    if not raw:
        c.fail("publication_number", N_("Enter the publication number."))
    elif "jurisdiction" not in c.errors:  # an unknown jurisdiction is the one problem to name
        try:
            number = parse_publication_number(raw, jurisdiction or None, c.out["kind_code"])
            c.out["publication_number"] = number.canonical
            c.out["kind_code"] = number.kind or c.out["kind_code"]
            jurisdiction = jurisdiction or number.jurisdiction
        except InvalidNumber as exc:
            c.fail("publication_number", reason_of(exc))
    application = c.text("application_number", 40)
    if application and jurisdiction:
        try:
            c.out["application_number"] = parse_application_number(application, jurisdiction).canonical
        except InvalidNumber as exc:
            c.fail("application_number", reason_of(exc))
    inferred = patent_type_for(jurisdiction, c.out["kind_code"], c.out["publication_number"] or "")
    c.out["patent_type"] = c.choice("patent_type", PATENT_TYPES, inferred)
    return jurisdiction


def _codes(c: _Checker, name: str, scheme: str) -> None:
    codes: list[str] = []
    for raw in c.items(name, CODES_MAX, 40):
        try:
            code = classification.normalise(raw, scheme)
        except classification.InvalidClassification as exc:
            reason = N_("%(code)s is not a valid %(scheme)s code: %(reason)s")
            c.fail(name, message(reason, code=raw, scheme=scheme.upper(), reason=exc.message))
            continue
        if code not in codes:
            codes.append(code)
    c.out[name] = codes


def _family(c: _Checker, jurisdiction: str) -> None:
    countries = [item.upper() for item in c.items("family_countries", LIST_MAX, 2 + 20)]
    bad = [item for item in countries if not _COUNTRY.fullmatch(item)]
    if bad:
        c.fail(
            "family_countries",
            message(N_("Use two-letter country codes (not %(bad)s)."), bad=", ".join(bad)),
        )
    if jurisdiction and jurisdiction not in countries and not bad:
        countries.insert(0, jurisdiction)
    c.out["family_countries"] = list(dict.fromkeys(countries))
    c.out["family_size"] = max(len(c.out["family_countries"]), 1)


# --- projects and experts -------------------------------------------------------------------


def validate_project(data: Mapping[str, Any]) -> dict[str, Any]:
    """Project fields normalised; the funding amount is exact money with its currency."""
    c = _Checker(data)
    c.out["reference"] = c.text("reference", 64, line=True)
    c.out["title_zh"] = c.text("title_zh", 300, line=True)
    c.out["title_en"] = c.text("title_en", 300, line=True)
    c.out["sector"] = c.text("sector", 100, line=True)
    c.out["organisation_name"] = c.text("organisation_name", 200, line=True)
    if not (c.out["title_zh"] or c.out["title_en"]):
        c.fail("title_en", N_("Give a title in Chinese or English."))
    c.out["summary_zh"] = c.text("summary_zh", ABSTRACT_MAX)
    c.out["summary_en"] = c.text("summary_en", ABSTRACT_MAX)
    c.out["trl"] = c.count("trl", 1, 9)
    c.out["stage"] = c.choice("stage", PROJECT_STAGES)
    seeking = [s.lower() for s in c.items("seeking")]
    if bad := [s for s in seeking if s not in PROJECT_SEEKING]:
        reason = N_("Choose from: %(choices)s (not %(bad)s).")
        c.fail("seeking", message(reason, choices=", ".join(PROJECT_SEEKING), bad=", ".join(bad)))
    c.out["seeking"] = [s for s in PROJECT_SEEKING if s in seeking]
    c.out["funding_amount"], c.out["funding_currency"] = c.money("funding_amount", "funding_currency")
    c.out["team"] = c.names("team")
    c.out["contact_policy"] = c.choice("contact_policy", CONTACT_POLICIES, "via_platform")
    c.out["linked_patents"] = []
    for raw in c.items("linked_patents", LIST_MAX, 40):
        try:
            number = parse_publication_number(raw)
        except InvalidNumber as exc:
            c.fail("linked_patents", message(N_("%(code)s: %(reason)s"), code=raw, reason=reason_of(exc)))
            continue
        c.out["linked_patents"].append((number.jurisdiction, number.canonical))
    return c.done()


def validate_expert(data: Mapping[str, Any]) -> dict[str, Any]:
    """Expert fields normalised; specialties are IPC/CPC subclasses such as H01M."""
    c = _Checker(data)
    c.out["reference"] = c.text("reference", 64, line=True)
    c.out["name"] = c.text("name", 200, line=True)
    if not c.out["name"] and "name" not in c.errors:
        c.fail("name", N_("Enter the expert's name."))
    for name in ("name_en", "title", "title_en", "organisation"):
        c.out[name] = c.text(name, 200, line=True)
    c.out["biography_zh"] = c.text("biography_zh", ABSTRACT_MAX)
    c.out["biography_en"] = c.text("biography_en", ABSTRACT_MAX)
    c.out["specialties_ipc"] = _specialties(c)
    c.out["industries"] = list(dict.fromkeys(c.items("industries", LIST_MAX, 100)))
    c.out["qualifications"] = list(dict.fromkeys(c.items("qualifications", LIST_MAX, 200)))
    languages = [x.lower() for x in c.items("languages")]
    if bad := [x for x in languages if not _LANGUAGE.fullmatch(x)]:
        reason = N_("Use two-letter language codes such as zh, en (not %(bad)s).")
        c.fail("languages", message(reason, bad=", ".join(bad)))
    c.out["languages"] = list(dict.fromkeys(languages))
    c.out["availability"] = c.choice("availability", EXPERT_AVAILABILITY)
    c.out["fee_amount"], c.out["fee_currency"] = c.money("fee_amount", "fee_currency")
    c.out["fee_unit"] = c.choice("fee_unit", FEE_UNITS)
    c.out["conflicts"] = _conflicts(c.names("conflicts"))
    email = (c.text("user_email", 254) or "").lower() or None
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        c.fail("user_email", N_("Enter an email address like name@example.com."))
    c.out["user_email"] = email
    return c.done()


def _specialties(c: _Checker) -> list[str]:
    specialties: list[str] = []
    for raw in c.items("specialties_ipc", LIST_MAX, 40):
        try:
            code = classification.parse(raw, "cpc")
        except classification.InvalidClassification as exc:
            c.fail("specialties_ipc", message(N_("%(code)s: %(reason)s"), code=raw, reason=exc.message))
            continue
        value = code.subclass or str(code)
        if value not in specialties:
            specialties.append(value)
    return specialties


def _conflicts(lines: list[str]) -> list[tuple[str, str | None]]:
    """'Organisation: relation' or 'Organisation (relation)' lines into pairs, first wins."""
    pairs: dict[str, str | None] = {}
    for line in lines:
        match = re.fullmatch(r"(.+?)\s*(?:[:：]\s*(.+)|[(（](.+)[)）])?", line)
        name = match[1].strip()[:200]
        relation = (match[2] or match[3] or "").strip()[:100] or None
        pairs.setdefault(name, relation)
    return list(pairs.items())


# --- import rows ----------------------------------------------------------------------------

# Import columns whose names differ from the fields they fill (errors name the column).
_COLUMN_FIELDS = {"ipc": "ipc_codes", "cpc": "cpc_codes", "owner_organisation": "organisation_name"}
_FIELD_COLUMNS = {field: column for column, field in _COLUMN_FIELDS.items()}


def import_column(field: str) -> str:
    """The import column a field is read from, to name it in a row error."""
    return _FIELD_COLUMNS.get(field, field)


def _checked_row(
    validate: Any, row: Mapping[str, Any], source: SourceRef, required: tuple[str, ...] = ()
) -> dict[str, Any] | list[RowError]:
    """A row's values through the same validation as forms and the API, or its row errors."""
    data = {_COLUMN_FIELDS.get(name, name): value for name, value in row.items()}
    problems: dict[str, Message] = {}
    try:
        values = validate(data)
    except InvalidFields as exc:
        problems, values = exc.problems, {}
    for name in required:  # the keys that make re-importing a file idempotent
        if not str(data.get(name) or "").strip():
            problems.setdefault(name, Message(N_("This field is required.")))
    if problems:
        return [
            RowError.of(source.file, source.location, import_column(name), reason)
            for name, reason in problems.items()
        ]
    return values


def patent_from_row(row: Mapping[str, Any], source: SourceRef) -> PatentRecord | list[RowError]:
    """A PatentRecord from one CSV/JSON row, or every problem found in the row."""
    v = _checked_row(validate_patent, row, source)
    if isinstance(v, list):
        return v
    codes = [
        Classification(s, code, i == 0) for s in ("ipc", "cpc") for i, code in enumerate(v[f"{s}_codes"])
    ]
    keep = ("jurisdiction", "publication_number", "kind_code", "patent_type", "application_number",
            "title_zh", "title_en", "abstract_zh", "abstract_en", "first_claim", "claims_count",
            "independent_claims_count", "filing_date", "priority_date", "publication_date", "grant_date",
            "legal_status", "forward_citations", "backward_citations", "annual_fee_paid_year")  # fmt: skip
    lists = {name: tuple(v[name]) for name in ("applicants", "owners", "inventors", "family_countries")}
    return PatentRecord(source=source, classifications=tuple(codes), **{k: v[k] for k in keep}, **lists)


def project_from_row(row: Mapping[str, Any], source: SourceRef) -> ProjectRecord | list[RowError]:
    """A ProjectRecord from one row (its reference is required), or every problem found."""
    v = _checked_row(validate_project, row, source, required=("reference",))
    if isinstance(v, list):
        return v
    return ProjectRecord(
        reference=v["reference"],
        title_zh=v["title_zh"],
        title_en=v["title_en"],
        source=source,
        summary_zh=v["summary_zh"],
        summary_en=v["summary_en"],
        sector=v["sector"],
        trl=v["trl"],
        stage=v["stage"],
        seeking=tuple(v["seeking"]),
        funding_amount=v["funding_amount"],
        funding_currency=v["funding_currency"],
        team=tuple(v["team"]),
        linked_patents=tuple(number for _office, number in v["linked_patents"]),
        owner_organisation=v["organisation_name"],
        contact_policy=v["contact_policy"],
    )


def expert_from_row(row: Mapping[str, Any], source: SourceRef) -> ExpertRecord | list[RowError]:
    """An ExpertRecord from one row (reference and name are required), or every problem found."""
    v = _checked_row(validate_expert, row, source, required=("reference",))
    if isinstance(v, list):
        return v
    conflicts = tuple(f"{name}: {relation}" if relation else name for name, relation in v["conflicts"])
    return ExpertRecord(
        reference=v["reference"],
        name=v["name"],
        source=source,
        title=v["title"],
        organisation=v["organisation"],
        specialties_ipc=tuple(v["specialties_ipc"]),
        industries=tuple(v["industries"]),
        qualifications=tuple(v["qualifications"]),
        biography_zh=v["biography_zh"],
        biography_en=v["biography_en"],
        languages=tuple(v["languages"]),
        availability=v["availability"],
        fee_amount=v["fee_amount"],
        fee_currency=v["fee_currency"],
        fee_unit=v["fee_unit"],
        user_email=v["user_email"],
        conflicts=conflicts,
    )


def __getattr__(name: str) -> Any:
    """``ValidationFailed`` (the web-side error) lives in ``errors``; older imports still find it here
    without this module importing Flask at load time."""
    if name == "ValidationFailed":
        from app.catalogue.errors import ValidationFailed

        return ValidationFailed
    raise AttributeError(name)
