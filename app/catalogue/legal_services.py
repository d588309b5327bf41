"""Verbs for the legal facts an owner keeps on a patent: pledges, licences, events, documents.

Each change is validated, written and kept in the patent's history (``record_change``) under the
action "legal_fact", with the fact's values before and after. Functions flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from flask_babel import format_date
from flask_babel import gettext as _

from app.catalogue import documents
from app.catalogue.errors import ValidationFailed
from app.catalogue.legal_validation import (
    validate_document,
    validate_event,
    validate_licence,
    validate_pledge,
)
from app.catalogue.models import (
    EXCLUSIVE_LICENCE_TYPES,
    Patent,
    PatentDocument,
    PatentEvent,
    PatentLicence,
    PatentPledge,
)
from app.catalogue.services import Actor, ensure_can_edit, record_change
from app.extensions import db

FactRow = PatentPledge | PatentLicence | PatentEvent | PatentDocument


@dataclass(frozen=True, slots=True)
class FactKind:
    """One kind of legal fact: its model, the patent's collection and the columns a form sets."""

    model: type
    collection: str
    columns: tuple[str, ...]
    validate: Callable[..., dict[str, Any]]


KINDS: dict[str, FactKind] = {
    "pledge": FactKind(
        PatentPledge,
        "pledges",
        ("pledgee", "pledgor", "registration_number", "amount", "currency", "registered_on", "released_on"),
        validate_pledge,
    ),
    "licence": FactKind(
        PatentLicence,
        "licences",
        ("licence_type", "licensee", "field", "territory", "recorded_on", "until"),
        validate_licence,
    ),
    "event": FactKind(
        PatentEvent,
        "events",
        ("event_type", "occurred_on", "summary", "reference", "outcome"),
        validate_event,
    ),
    "document": FactKind(PatentDocument, "documents", ("kind", "title", "url"), validate_document),
}


def fact_kind(name: str) -> FactKind:
    """Look a kind up; unknown names are a programming error."""
    return KINDS[name]


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, dt.date | Decimal) else value


def fact_values(row: FactRow, kind: str) -> dict[str, Any]:
    """The row's form values, as the history stores them."""
    return {name: getattr(row, name) for name in KINDS[kind].columns}


def _snapshot(row: FactRow | None, kind: str) -> dict[str, Any] | None:
    if row is None:
        return None
    values = {k: _plain(v) for k, v in fact_values(row, kind).items() if v not in (None, "")}
    if isinstance(row, PatentDocument) and row.original_filename:
        values["file"] = row.original_filename
    return values


def _validate(kind: str, data: Mapping[str, Any], has_file: bool) -> dict[str, Any]:
    if kind == "document":
        return validate_document(data, has_file)
    return KINDS[kind].validate(data)


def _overlap(a: PatentLicence | Mapping[str, Any], b: PatentLicence) -> bool:
    """Do two licence terms share a day? Missing dates are open-ended."""
    get = a.get if isinstance(a, Mapping) else lambda name: getattr(a, name)
    start_a, end_a = get("recorded_on") or dt.date.min, get("until") or dt.date.max
    start_b, end_b = b.recorded_on or dt.date.min, b.until or dt.date.max
    return start_a <= end_b and start_b <= end_a


def _check_licence_conflicts(patent: Patent, values: Mapping[str, Any], row: PatentLicence | None) -> None:
    """An exclusive or sole licence and an open licence cannot run at the same time."""
    others = [lic for lic in patent.licences if lic is not row and _overlap(values, lic)]
    new_type = values["licence_type"]
    if new_type == "open":
        blocking = next((lic for lic in others if lic.licence_type in EXCLUSIVE_LICENCE_TYPES), None)
        if blocking is not None:
            licensee = blocking.licensee or "—"
            until = format_date(blocking.until) if blocking.until else _("the end of the patent term")
            if blocking.licence_type == "exclusive":
                message = _(
                    "An exclusive licence to %(licensee)s is in force until %(until)s: an open licence "
                    "cannot be offered while it runs. End it first, or start the open licence after it.",
                    licensee=licensee,
                    until=until,
                )
            else:
                message = _(
                    "A sole licence to %(licensee)s is in force until %(until)s: an open licence "
                    "cannot be offered while it runs. End it first, or start the open licence after it.",
                    licensee=licensee,
                    until=until,
                )
            raise ValidationFailed({"licence_type": message})
    elif new_type in EXCLUSIVE_LICENCE_TYPES and any(lic.licence_type == "open" for lic in others):
        raise ValidationFailed(
            {
                "licence_type": _(
                    "An open licence is in force for this period: withdraw it (give it an end date) "
                    "before recording an exclusive or sole licence."
                )
            }
        )


def add_fact(
    patent: Patent,
    actor: Actor,
    kind: str,
    data: Mapping[str, Any],
    upload: IO[bytes] | None = None,
    filename: str = "",
) -> FactRow:
    """Record a new fact on the patent (a document may come with an uploaded file)."""
    ensure_can_edit(patent, actor)
    spec = KINDS[kind]
    values = _validate(kind, data, upload is not None)
    if kind == "licence":
        _check_licence_conflicts(patent, values, None)
    row = spec.model(**values)
    if kind == "document" and upload is not None:
        stored = documents.save_upload(patent.id, upload, filename)
        row.stored_name, row.media_type = stored.stored_name, stored.media_type
        row.size_bytes, row.original_filename = stored.size_bytes, stored.original_filename
    getattr(patent, spec.collection).append(row)
    db.session.flush()
    record_change(patent, actor, "legal_fact", {kind: (None, _snapshot(row, kind))})
    return row


def update_fact(patent: Patent, row: FactRow, actor: Actor, kind: str, data: Mapping[str, Any]) -> bool:
    """Change a recorded fact; returns whether anything changed."""
    ensure_can_edit(patent, actor)
    spec = KINDS[kind]
    has_file = isinstance(row, PatentDocument) and row.stored_name is not None
    values = _validate(kind, data, has_file)
    if kind == "licence":
        _check_licence_conflicts(patent, values, row)
    before = _snapshot(row, kind)
    for name in spec.columns:
        setattr(row, name, values[name])
    after = _snapshot(row, kind)
    if before == after:
        return False
    db.session.flush()
    record_change(patent, actor, "legal_fact", {kind: (before, after)})
    return True


def remove_fact(patent: Patent, row: FactRow, actor: Actor, kind: str) -> str | None:
    """Delete a fact; returns the stored file name to delete once the transaction commits."""
    ensure_can_edit(patent, actor)
    before = _snapshot(row, kind)
    stored = row.stored_name if isinstance(row, PatentDocument) else None
    getattr(patent, KINDS[kind].collection).remove(row)
    db.session.flush()
    record_change(patent, actor, "legal_fact", {kind: (before, None)})
    return stored


def find_fact(patent: Patent, kind: str, fact_id: int) -> FactRow | None:
    """A fact of this patent by id (never another patent's)."""
    row = db.session.get(KINDS[kind].model, fact_id)
    return row if row is not None and row.patent_id == patent.id else None
