"""The documented CSV/JSON columns for patents, projects and experts.

This is the single source of truth for the import help page (``render_markdown``) and for
the importer's header check. CSV: UTF-8 (a BOM is fine), comma-separated, one header row,
list cells separated by ``;`` or ``|``. JSON: a list of objects with the same keys (or an
object whose ``records`` key holds that list); lists may be JSON arrays. JSON Lines
(``.jsonl``): one object per line, streamed. Dates are ``YYYY-MM-DD``; money is a plain
decimal (``1250000.00``) with a separate ISO 4217 currency.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.catalogue.messages import N_


@dataclass(frozen=True, slots=True)
class Column:
    """One documented column."""

    name: str
    type: str  # text | list | date | int | decimal | choice | number
    required: bool
    help: str
    example: str = ""


PATENT_COLUMNS = (
    Column(
        "jurisdiction",
        "choice",
        False,
        N_("CN, US, EP, JP, KR or WO; may be left out if the number has it."),
        "CN",
    ),
    Column(
        "publication_number",
        "number",
        True,
        N_("Publication number, country prefix optional."),
        "CN 118866379 B",
    ),
    Column("kind_code", "text", False, N_("Kind code if not part of the number."), "B"),
    Column(
        "application_number",
        "number",
        False,
        N_("Application number; CN check digit verified."),
        "201710601862.3",
    ),
    Column(
        "patent_type",
        "choice",
        False,
        N_("invention, utility_model or design; inferred from the kind."),
        "invention",
    ),
    Column("title_zh", "text", False, N_("Chinese title (title_zh or title_en is required)."), "一种电池"),
    Column("title_en", "text", False, N_("English title."), "Battery pack"),
    Column("abstract_zh", "text", False, N_("Chinese abstract."), ""),
    Column("abstract_en", "text", False, N_("English abstract."), ""),
    Column("first_claim", "text", False, N_("Text of claim 1."), ""),
    Column("claims_count", "int", False, N_("Total number of claims."), "12"),
    Column("independent_claims_count", "int", False, N_("Independent claims (at most claims_count)."), "2"),
    Column("ipc", "list", False, N_("IPC codes, main code first."), "H01M 10/0525; H01M 4/00"),
    Column("cpc", "list", False, N_("CPC codes, main code first."), "H01M 10/0525"),
    Column("applicants", "list", False, N_("Applicants."), "Acme Ltd; Zhang San"),
    Column("owners", "list", False, N_("Current owners on record."), "Acme Ltd"),
    Column("inventors", "list", False, N_("Inventors."), "Zhang San; Li Si"),
    Column("filing_date", "date", False, N_("Filing date."), "2015-03-20"),
    Column("priority_date", "date", False, N_("Earliest priority date (not after filing)."), "2014-03-21"),
    Column("publication_date", "date", False, N_("Publication date (not before filing)."), "2015-09-30"),
    Column("grant_date", "date", False, N_("Grant date (not before filing)."), "2018-01-05"),
    Column(
        "legal_status", "choice", False, N_("pending, granted, lapsed, expired or invalidated."), "granted"
    ),
    Column("family_countries", "list", False, N_("Countries with family members."), "CN; US; EP"),
    Column("forward_citations", "int", False, N_("Times cited by later patents."), "7"),
    Column("backward_citations", "int", False, N_("Documents this patent cites."), "15"),
    Column(
        "annual_fee_paid_year", "int", False, N_("Annual fees paid up to this year of the term (1-30)."), "8"
    ),
)

PROJECT_COLUMNS = (
    Column("reference", "text", True, N_("Your own unique id for the project."), "PRJ-2024-001"),
    Column(
        "title_zh", "text", False, N_("Chinese title (title_zh or title_en is required)."), "固态电池中试"
    ),
    Column("title_en", "text", False, N_("English title."), "Solid-state battery pilot line"),
    Column("summary_zh", "text", False, N_("Chinese summary."), ""),
    Column("summary_en", "text", False, N_("English summary."), ""),
    Column("sector", "text", False, N_("Industry sector."), "Energy storage"),
    Column("trl", "int", False, N_("Technology readiness level, 1-9."), "5"),
    Column("stage", "choice", False, N_("idea, prototype, pilot, production or scale_up."), "pilot"),
    Column(
        "seeking",
        "list",
        False,
        N_("Any of funding, partnership, licensing, acquisition."),
        "funding; partnership",
    ),
    Column("funding_amount", "decimal", False, N_("Amount sought, a positive decimal."), "5000000.00"),
    Column("funding_currency", "text", False, N_("ISO 4217 code; required with an amount."), "CNY"),
    Column("team", "list", False, N_("Team members."), "Wang Wu; Zhao Liu"),
    Column("linked_patents", "list", False, N_("Publication numbers with country prefix."), "CN 118866379 A"),
    Column("owner_organisation", "text", False, N_("Organisation that owns the project."), "Acme Ltd"),
    Column(
        "contact_policy", "choice", False, N_("open, on_request or via_platform (default)."), "via_platform"
    ),
)

EXPERT_COLUMNS = (
    Column("reference", "text", True, N_("Your own unique id for the expert."), "EXP-007"),
    Column("name", "text", True, N_("Full name."), "Li Hua"),
    Column("title", "text", False, N_("Job title."), "Senior patent attorney"),
    Column("organisation", "text", False, N_("Employer."), "Acme IP Law"),
    Column("specialties_ipc", "list", False, N_("IPC/CPC subclasses or groups."), "H01M; G06F"),
    Column("industries", "list", False, N_("Industries."), "batteries; software"),
    Column(
        "qualifications",
        "list",
        False,
        N_("e.g. certified_asset_appraiser, patent_attorney."),
        "patent_attorney",
    ),
    Column("biography_zh", "text", False, N_("Chinese biography."), ""),
    Column("biography_en", "text", False, N_("English biography."), ""),
    Column("languages", "list", False, N_("ISO 639-1 codes."), "zh; en"),
    Column("availability", "choice", False, N_("available, limited or unavailable."), "available"),
    Column("fee_amount", "decimal", False, N_("Fee guidance, a positive decimal."), "1500.00"),
    Column("fee_currency", "text", False, N_("ISO 4217 code; required with a fee."), "CNY"),
    Column("fee_unit", "choice", False, N_("hour, day or project."), "hour"),
    Column(
        "user_email",
        "text",
        False,
        N_("E-mail of the expert's user account, to link it."),
        "li.hua@example.com",
    ),
    Column("conflicts", "list", False, N_("Organisations worked for or advised."), "Acme Ltd"),
)

COLUMNS = {"patent": PATENT_COLUMNS, "project": PROJECT_COLUMNS, "expert": EXPERT_COLUMNS}


def render_markdown(kind: str) -> str:
    """A Markdown table of one record kind's columns, for the import help page."""
    lines = ["| column | type | required | meaning | example |", "|---|---|---|---|---|"]
    for col in COLUMNS[kind]:
        lines.append(
            f"| `{col.name}` | {col.type} | {'yes' if col.required else ''} | {col.help} | {col.example} |"
        )
    return "\n".join(lines)
