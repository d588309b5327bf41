"""Display forms and translated labels for catalogue values, registered as Jinja filters."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms.fields.core import UnboundField

from app.catalogue.numbers import InvalidNumber, parse_application_number, parse_publication_number
from app.catalogue.terms import remaining_years
from app.core.models import utcnow
from app.extensions import db

LABELS: dict[str, dict[str, object]] = {
    "patent_type": {
        "invention": _l("Invention"),
        "utility_model": _l("Utility model"),
        "design": _l("Design"),
    },
    "legal_status": {
        "pending": _l("Pending"),
        "granted": _l("Granted"),
        "lapsed": _l("Lapsed"),
        "expired": _l("Expired"),
        "invalidated": _l("Invalidated"),
    },
    "moderation_status": {"published": _l("Published"), "hidden": _l("Hidden")},
    "licence_type": {
        "exclusive": _l("Exclusive"),
        "sole": _l("Sole"),
        "non_exclusive": _l("Non-exclusive"),
        "open": _l("Open licence"),
    },
    "document_kind": {
        "full_text": _l("Full text"),
        "drawing": _l("Drawing"),
        "certificate": _l("Certificate"),
        "other": _l("Other"),
    },
    "event_type": {
        "legal_status": _l("Legal status"),
        "litigation": _l("Litigation"),
        "invalidation": _l("Invalidation request"),
        "assignment": _l("Assignment"),
        "fee_payment": _l("Annual fee"),
        "other": _l("Other"),
    },
    "stage": {
        "idea": _l("Idea"),
        "prototype": _l("Prototype"),
        "pilot": _l("Pilot"),
        "production": _l("Production"),
        "scale_up": _l("Scale-up"),
    },
    "seeking": {
        "funding": _l("Funding"),
        "partnership": _l("Partnership"),
        "licensing": _l("Licensing"),
        "acquisition": _l("Acquisition"),
    },
    "contact_policy": {
        "open": _l("Contact details are public"),
        "on_request": _l("Contact on request"),
        "via_platform": _l("Contact through IPEX"),
    },
    "availability": {
        "available": _l("Available"),
        "limited": _l("Limited availability"),
        "unavailable": _l("Unavailable"),
    },
    "fee_unit": {"hour": _l("per hour"), "day": _l("per day"), "project": _l("per project")},
    "qualification": {
        "certified_asset_appraiser": _l("Certified asset appraiser"),
        "patent_attorney": _l("Patent attorney"),
        "patent_agent": _l("Patent agent"),
        "lawyer": _l("Lawyer"),
    },
    "language": {
        "zh": _l("Chinese"),
        "en": _l("English"),
        "ja": _l("Japanese"),
        "de": _l("German"),
        "ko": _l("Korean"),
    },
    "scheme": {"ipc": _l("IPC"), "cpc": _l("CPC")},
    # Import formats named for people (the command line keeps the short names).
    "import_format": {
        "auto": _l("Detect from the file"),
        "uspto-xml": _l("USPTO full-text XML (.xml or .zip)"),
        "csv": _l("CSV with the documented columns"),
        "xlsx": _l("Excel workbook (.xlsx) with the documented columns"),
        "json": _l("JSON with the documented columns"),
        "patentsberta": _l("PatentSBERTa research CSV (US claims with CPC)"),
        "cn-sample": _l("CNIPA sample CSV"),
        "patents": _l("Patents, documented columns (CSV, Excel or JSON)"),
        "projects": _l("Projects, documented columns (CSV, Excel or JSON)"),
        "experts": _l("Experts, documented columns (CSV, Excel or JSON)"),
    },
    # Patent fields by name, where a page lists fields (the demo data's generated facts).
    "field": {
        "filing_date": _l("Filing date"),
        "publication_date": _l("Publication date"),
        "grant_date": _l("Grant date"),
        "legal_status": _l("Legal status"),
        "annual_fee_paid_year": _l("Annual fees paid up to year"),
        "family_countries": _l("Family countries"),
        "forward_citations": _l("Cited by"),
        "backward_citations": _l("References cited"),
    },
    "record_type": {"patent": _l("Patent"), "project": _l("Project"), "expert": _l("Expert")},
    "action": {
        "create": _l("Added"),
        "update": _l("Edited"),
        "import": _l("Imported"),
        "publish": _l("Published"),
        "hide": _l("Hidden"),
        "legal_fact": _l("Legal facts"),
    },
}

BADGE = {"granted": "badge-verified", "pending": "badge-pending", "hidden": "badge-danger"}


def label(value: object, kind: str) -> str:
    """The translated label of a stored value, or the value itself when there is none."""
    if value is None or value == "":
        return "—"
    return str(LABELS.get(kind, {}).get(str(value), value))


def publication_display(patent) -> str:
    """Official display form: "US 9,999,999 B2", "CN 118866379 A"."""
    try:
        return parse_publication_number(
            patent.publication_number, patent.jurisdiction, patent.kind_code
        ).display
    except InvalidNumber:
        return f"{patent.publication_number} {patent.kind_code or ''}".strip()


def application_display(number: str | None, jurisdiction: str | None = None) -> str:
    """Official display form of an application number: "CN 201510123456.7"."""
    if not number:
        return "—"
    try:
        return parse_application_number(number, jurisdiction).display
    except InvalidNumber:
        return number


def remaining_term(expiry) -> float | None:
    return remaining_years(expiry, utcnow().date())


@dataclass(frozen=True)
class MarketFacts:
    """What a result card says about a patent's value and whether it is on offer."""

    value_cny: Decimal | None
    price_cny: Decimal | None
    offered: bool


def market_facts(hits: list) -> dict[int, MarketFacts]:
    """Value and offer of the patents among search hits, from their search documents in one query
    (the valuation and market enrichers fill those columns)."""
    from app.catalogue.search.models import SearchDocument  # registered with the search blueprint

    ids = [hit.record_id for hit in hits if hit.doc_type == "patent"]
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            SearchDocument.record_id,
            SearchDocument.value_cny,
            SearchDocument.price_cny,
            SearchDocument.deal_types,
        ).where(SearchDocument.doc_type == "patent", SearchDocument.record_id.in_(ids))
    )
    return {
        record_id: MarketFacts(value, price, bool(price is not None or (deals or "").strip(",")))
        for record_id, value, price, deals in rows
        if value is not None or price is not None or (deals or "").strip(",")
    }


# Changes that are not a form field: derived columns and the legal facts recorded on a patent.
EXTRA_FIELD_LABELS = {
    "expiry_date": _l("Expiry date"),
    "family_size": _l("Family size"),
    "pledge": _l("Pledge"),
    "licence": _l("Licence"),
    "event": _l("Legal event"),
    "document": _l("Document"),
    "moderation_status": _l("Visibility"),
    "moderation_reason": _l("Reason for hiding"),
    "owner_id": _l("Owner"),
    "user_id": _l("Linked account"),
}


@cache
def _form_field_labels() -> dict[str, object]:
    """Every catalogue form field's label, by field name (the stored columns share the names)."""
    from app.catalogue.forms import ExpertForm, PatentForm, ProjectForm

    labels: dict[str, object] = {}
    for form in (ExpertForm, ProjectForm, PatentForm):  # patents last: their wording wins
        for name in dir(form):
            unbound = getattr(form, name)
            if isinstance(unbound, UnboundField) and unbound.args:
                labels[name] = unbound.args[0]
    return labels


def field_label(name: str) -> str:
    """A changed field named for people (the change history stores column names)."""
    found = LABELS["field"].get(name) or EXTRA_FIELD_LABELS.get(name) or _form_field_labels().get(name)
    return str(found) if found is not None else _("another field")


def init_display(app: Flask) -> None:
    app.jinja_env.globals["market_facts"] = market_facts
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["field_label"] = field_label
    app.jinja_env.filters["patent_number"] = publication_display
    app.jinja_env.filters["application_number"] = application_display
    app.jinja_env.filters["remaining_years"] = remaining_term
    app.jinja_env.globals["status_badge"] = lambda value: BADGE.get(value, "")
