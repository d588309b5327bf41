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
        "CN, US, EP, JP, KR or WO; may be left out if the number has it.",
        "CN",
    ),
    Column(
        "publication_number", "number", True, "Publication number, country prefix optional.", "CN 118866379 A"
    ),
    Column("kind_code", "text", False, "Kind code if not part of the number.", "B2"),
    Column(
        "application_number",
        "number",
        False,
        "Application number; CN check digit verified.",
        "201710601862.3",
    ),
    Column(
        "patent_type",
        "choice",
        False,
        "invention, utility_model or design; inferred from the kind.",
        "invention",
    ),
    Column("title_zh", "text", False, "Chinese title (title_zh or title_en is required).", "一种电池"),
    Column("title_en", "text", False, "English title.", "Battery pack"),
    Column("abstract_zh", "text", False, "Chinese abstract.", ""),
    Column("abstract_en", "text", False, "English abstract.", ""),
    Column("first_claim", "text", False, "Text of claim 1.", ""),
    Column("claims_count", "int", False, "Total number of claims.", "12"),
    Column("independent_claims_count", "int", False, "Independent claims (at most claims_count).", "2"),
    Column("ipc", "list", False, "IPC codes, main code first.", "H01M 10/0525; H01M 4/00"),
    Column("cpc", "list", False, "CPC codes, main code first.", "H01M 10/0525"),
    Column("applicants", "list", False, "Applicants.", "Acme Ltd; Zhang San"),
    Column("owners", "list", False, "Current owners on record.", "Acme Ltd"),
    Column("inventors", "list", False, "Inventors.", "Zhang San; Li Si"),
    Column("filing_date", "date", False, "Filing date.", "2015-03-20"),
    Column("priority_date", "date", False, "Earliest priority date (not after filing).", "2014-03-21"),
    Column("publication_date", "date", False, "Publication date (not before filing).", "2015-09-30"),
    Column("grant_date", "date", False, "Grant date (not before filing).", "2018-01-05"),
    Column("legal_status", "choice", False, "pending, granted, lapsed, expired or invalidated.", "granted"),
    Column("family_countries", "list", False, "Countries with family members.", "CN; US; EP"),
    Column("forward_citations", "int", False, "Times cited by later patents.", "7"),
    Column("backward_citations", "int", False, "Documents this patent cites.", "15"),
    Column("annual_fee_paid_year", "int", False, "Annual fees paid up to this year of the term (1-30).", "8"),
)

PROJECT_COLUMNS = (
    Column("reference", "text", True, "Your own unique id for the project.", "PRJ-2024-001"),
    Column("title_zh", "text", False, "Chinese title (title_zh or title_en is required).", "固态电池中试"),
    Column("title_en", "text", False, "English title.", "Solid-state battery pilot line"),
    Column("summary_zh", "text", False, "Chinese summary.", ""),
    Column("summary_en", "text", False, "English summary.", ""),
    Column("sector", "text", False, "Industry sector.", "Energy storage"),
    Column("trl", "int", False, "Technology readiness level, 1-9.", "5"),
    Column("stage", "choice", False, "idea, prototype, pilot, production or scale_up.", "pilot"),
    Column(
        "seeking",
        "list",
        False,
        "Any of funding, partnership, licensing, acquisition.",
        "funding; partnership",
    ),
    Column("funding_amount", "decimal", False, "Amount sought, a positive decimal.", "5000000.00"),
    Column("funding_currency", "text", False, "ISO 4217 code; required with an amount.", "CNY"),
    Column("team", "list", False, "Team members.", "Wang Wu; Zhao Liu"),
    Column("linked_patents", "list", False, "Publication numbers with country prefix.", "CN 118866379 A"),
    Column("owner_organisation", "text", False, "Organisation that owns the project.", "Acme Ltd"),
    Column("contact_policy", "choice", False, "open, on_request or via_platform (default).", "via_platform"),
)

EXPERT_COLUMNS = (
    Column("reference", "text", True, "Your own unique id for the expert.", "EXP-007"),
    Column("name", "text", True, "Full name.", "Li Hua"),
    Column("title", "text", False, "Job title.", "Senior patent attorney"),
    Column("organisation", "text", False, "Employer.", "Acme IP Law"),
    Column("specialties_ipc", "list", False, "IPC/CPC subclasses or groups.", "H01M; G06F"),
    Column("industries", "list", False, "Industries.", "batteries; software"),
    Column(
        "qualifications", "list", False, "e.g. certified_asset_appraiser, patent_attorney.", "patent_attorney"
    ),
    Column("biography_zh", "text", False, "Chinese biography.", ""),
    Column("biography_en", "text", False, "English biography.", ""),
    Column("languages", "list", False, "ISO 639-1 codes.", "zh; en"),
    Column("availability", "choice", False, "available, limited or unavailable.", "available"),
    Column("fee_amount", "decimal", False, "Fee guidance, a positive decimal.", "1500.00"),
    Column("fee_currency", "text", False, "ISO 4217 code; required with a fee.", "CNY"),
    Column("fee_unit", "choice", False, "hour, day or project.", "hour"),
    Column(
        "user_email", "text", False, "E-mail of the expert's user account, to link it.", "li.hua@example.com"
    ),
    Column("conflicts", "list", False, "Organisations worked for or advised.", "Acme Ltd"),
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
