"""Framework-free catalogue records: what importers produce and the ORM layer mirrors.

Everything here is a frozen dataclass so records can be hashed, compared in tests and
passed between threads without copying. Money is ``Decimal`` plus an ISO 4217 currency.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.catalogue.messages import Message, as_message
from app.catalogue.terms import expiry_date

JURISDICTIONS = frozenset({"CN", "US", "EP", "JP", "KR", "WO"})

# Patent kinds as the catalogue understands them (not the office's kind *code*).
PATENT_TYPES = ("invention", "utility_model", "design")

# Legal status dimension; "pending" means published but not (yet) granted.
LEGAL_STATUSES = ("pending", "granted", "lapsed", "expired", "invalidated")

CLASSIFICATION_SCHEMES = ("ipc", "cpc")


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a record came from, so an error report can point a user at the row."""

    file: str
    location: str  # "document 3", "line 17", "record 4"


@dataclass(frozen=True, slots=True)
class Classification:
    """One IPC or CPC code, already normalised by ``classification.normalise``."""

    scheme: str  # "ipc" | "cpc"
    code: str  # e.g. "H01M 10/0525"
    is_main: bool = False


@dataclass(frozen=True, slots=True)
class PatentRecord:
    """A patent as imported: the typed facts search and valuation rely on."""

    jurisdiction: str
    publication_number: str  # canonical, without kind: "US7123456", "CN118866379"
    kind_code: str | None  # "B2", "A1", "S1", "U", ...
    patent_type: str  # one of PATENT_TYPES
    source: SourceRef
    application_number: str | None = None  # canonical: "US10339710", "CN201510123456.7"
    title_zh: str | None = None
    title_en: str | None = None
    abstract_zh: str | None = None
    abstract_en: str | None = None
    first_claim: str | None = None
    claims_count: int | None = None
    independent_claims_count: int | None = None
    classifications: tuple[Classification, ...] = ()
    applicants: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()  # current owner(s) on record, e.g. assignees
    inventors: tuple[str, ...] = ()
    filing_date: dt.date | None = None
    priority_date: dt.date | None = None  # earliest priority claimed
    publication_date: dt.date | None = None
    grant_date: dt.date | None = None
    legal_status: str | None = None  # one of LEGAL_STATUSES
    family_countries: tuple[str, ...] = ()
    forward_citations: int | None = None
    backward_citations: int | None = None
    annual_fee_paid_year: int | None = None
    title_derived: bool = False  # True when title_en was made from the first claim

    @property
    def key(self) -> tuple[str, str]:
        """Identity used for idempotent upserts: (jurisdiction, canonical number)."""
        return (self.jurisdiction, self.publication_number)

    @property
    def expiry_date(self) -> dt.date | None:
        """Nominal end of term from the statutory rules in ``terms``."""
        return expiry_date(self.jurisdiction, self.patent_type, self.filing_date, self.grant_date)

    def codes(self, scheme: str) -> tuple[str, ...]:
        """Codes of one scheme, main code first, for display and filtering."""
        chosen = [c for c in self.classifications if c.scheme == scheme]
        chosen.sort(key=lambda c: not c.is_main)
        return tuple(c.code for c in chosen)


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    """An innovation project seeking funding or partners."""

    reference: str  # the submitter's own id; idempotency key within an owner
    title_zh: str | None
    title_en: str | None
    source: SourceRef
    summary_zh: str | None = None
    summary_en: str | None = None
    sector: str | None = None
    trl: int | None = None  # technology readiness level 1..9
    stage: str | None = None  # one of PROJECT_STAGES
    seeking: tuple[str, ...] = ()  # subset of PROJECT_SEEKING
    funding_amount: Decimal | None = None
    funding_currency: str | None = None  # ISO 4217, required with an amount
    team: tuple[str, ...] = ()
    linked_patents: tuple[str, ...] = ()  # canonical publication numbers
    owner_organisation: str | None = None
    contact_policy: str = "via_platform"  # one of CONTACT_POLICIES

    @property
    def key(self) -> str:
        """Identity used for idempotent upserts."""
        return self.reference


PROJECT_STAGES = ("idea", "prototype", "pilot", "production", "scale_up")
PROJECT_SEEKING = ("funding", "partnership", "licensing", "acquisition")
CONTACT_POLICIES = ("open", "on_request", "via_platform")


@dataclass(frozen=True, slots=True)
class ExpertRecord:
    """An expert or assessor profile."""

    reference: str
    name: str
    source: SourceRef
    title: str | None = None  # job title, e.g. "Senior Patent Attorney"
    organisation: str | None = None
    specialties_ipc: tuple[str, ...] = ()  # IPC/CPC subclasses, e.g. "H01M"
    industries: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()  # subset of EXPERT_QUALIFICATIONS or free text
    biography_zh: str | None = None
    biography_en: str | None = None
    languages: tuple[str, ...] = ()  # ISO 639-1, e.g. "zh", "en"
    availability: str | None = None  # one of EXPERT_AVAILABILITY
    fee_amount: Decimal | None = None
    fee_currency: str | None = None
    fee_unit: str | None = None  # one of FEE_UNITS
    user_email: str | None = None  # link to an account, resolved by the service layer
    conflicts: tuple[str, ...] = ()  # organisations worked for or advised

    @property
    def key(self) -> str:
        """Identity used for idempotent upserts."""
        return self.reference


EXPERT_QUALIFICATIONS = ("certified_asset_appraiser", "patent_attorney", "patent_agent", "lawyer")
EXPERT_AVAILABILITY = ("available", "limited", "unavailable")
FEE_UNITS = ("hour", "day", "project")


@dataclass(frozen=True, slots=True)
class RowError:
    """One rejected row or document, phrased for the person who uploaded the file.

    ``reason`` is English (logs, the command line); ``message`` the same reason as a template and
    parameters, which pages translate into the reader's language (``render``).
    """

    file: str
    location: str
    field: str
    reason: str
    message: Message | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, file: str, location: str, field_name: str, reason: Message | str) -> RowError:
        """A row error from a Message (or plain text), keeping both forms."""
        message = as_message(reason)
        return cls(file, location, field_name, str(message), message)

    @property
    def template(self) -> str:
        return self.message.template if self.message else self.reason

    @property
    def params(self) -> Mapping[str, Any]:
        return self.message.params if self.message else {}

    def render(self, translate: Callable[[str], str] | None = None) -> str:
        """The reason in the language ``translate`` gives (English without it)."""
        return self.message.render(translate) if self.message else self.reason

    def to_json(self) -> dict[str, Any]:
        """Plain data for a stored report."""
        message = self.message or Message(self.reason)
        return {"file": self.file, "location": self.location, "field": self.field, **message.to_json()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RowError:
        """Inverse of ``to_json``."""
        return cls.of(data["file"], data["location"], data["field"], Message.from_json(data))

    def __str__(self) -> str:
        return f"{self.file}, {self.location}, {self.field}: {self.reason}"


Record = PatentRecord | ProjectRecord | ExpertRecord


@dataclass(slots=True)
class ImportReport:
    """What an import produced; all-or-nothing callers check ``ok`` before writing."""

    records: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @classmethod
    def collect(cls, results: Iterable[Record | RowError]) -> ImportReport:
        """Drain an importer's stream into one report."""
        report = cls()
        for item in results:
            report.add(item)
        return report

    def add(self, item: Record | RowError) -> None:
        """Route one importer output to records or errors."""
        if isinstance(item, RowError):
            self.errors.append(item)
        else:
            self.records.append(item)

    @property
    def ok(self) -> bool:
        """True when nothing was rejected."""
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        """Totals per outcome, for the summary line of a report."""
        kinds = Counter(type(r).__name__ for r in self.records)
        return {"records": len(self.records), "errors": len(self.errors), **kinds}
