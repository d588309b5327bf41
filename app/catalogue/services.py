"""Catalogue verbs for patents, plus history and moderation shared by every record type.

Every function takes the acting user (``None`` for the command line and the demo seed), so the
pages, the API, the importer and tests call the same code. They flush; the caller commits.
Projects and experts live in ``people_services``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.accounts.permissions import is_admin, is_rights_holder
from app.catalogue import classification
from app.catalogue.errors import ValidationFailed, checked
from app.catalogue.models import (
    HIDDEN,
    PUBLISHED,
    CatalogueChange,
    Expert,
    InnovationProject,
    Patent,
    PatentClassification,
    PatentEvent,
    PatentParty,
)
from app.catalogue.records import PatentRecord
from app.catalogue.search.sync import mark_for_indexing
from app.catalogue.states import MODERATION
from app.catalogue.terms import status_on
from app.catalogue.validation import validate_patent
from app.core.actors import system_actor
from app.core.errors import NotFound, PermissionDenied
from app.core.lifecycle import apply_transition
from app.core.models import utcnow
from app.extensions import db

Actor = User | None  # None: the command line or the demo seed, acting as the system

PATENT_COLUMNS = (
    "jurisdiction",
    "publication_number",
    "application_number",
    "kind_code",
    "patent_type",
    "title_zh",
    "title_en",
    "abstract_zh",
    "abstract_en",
    "first_claim",
    "claims_count",
    "independent_claims_count",
    "filing_date",
    "priority_date",
    "publication_date",
    "grant_date",
    "expiry_date",
    "legal_status",
    "legal_status_date",
    "family_countries",
    "family_size",
    "forward_citations",
    "backward_citations",
    "annual_fee_paid_year",
)
PATENT_CHILD_LISTS = ("ipc_codes", "cpc_codes", "applicants", "owners", "inventors")
PARTY_LISTS = {"applicants": "applicant", "owners": "owner", "inventors": "inventor"}
RECORD_TYPES = {Patent: "patent", InnovationProject: "project", Expert: "expert"}


# --- permissions -------------------------------------------------------------------------


def can_create_records(user: Actor) -> bool:
    """Rights-holders and administrators add patents and projects; the system always may."""
    return user is None or is_admin(user) or is_rights_holder(user)


def can_edit(record: Patent | InnovationProject | Expert, user: Actor) -> bool:
    return user is None or record.can_edit(user)


def visible_record(model: type, record_id: int, user: Actor, *options: Any) -> Any:
    """The record if this user may see it; a hidden one is NotFound to strangers, not forbidden."""
    record = db.session.get(model, record_id, options=options)
    if record is None or not record.can_view(user):
        raise NotFound(_("The page you asked for does not exist."))
    return record


def visible_patents(project: InnovationProject, user: Actor) -> list[Patent]:
    """The project's linked patents this user may see: a link never reveals a hidden patent."""
    return [patent for patent in project.patents if user is None or patent.can_view(user)]


def editable_record(model: type, record_id: int, user: Actor) -> Any:
    """The record if this user may change it: NotFound when they may not even see it (a 403
    would confirm that a hidden record exists), PermissionDenied when they see but may not edit."""
    record = visible_record(model, record_id, user)
    ensure_can_edit(record, user)
    return record


def ensure_can_edit(record: Patent | InnovationProject | Expert, user: Actor) -> None:
    """Owners edit only their own records; administrators everything."""
    if not can_edit(record, user):
        raise PermissionDenied(_("Only the record's owner or an administrator may change it."))


def resolve_owner(actor: Actor, owner: User | None) -> User | None:
    """Whom a new record belongs to: the actor, unless an administrator or the system chooses."""
    if owner is None or (actor is not None and owner.id == actor.id):
        return owner or actor
    if actor is not None and not is_admin(actor):
        raise PermissionDenied(_("Only an administrator may create records for someone else."))
    return owner


# --- history ------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | Decimal):
        return str(value)
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value


_SEEDING = "catalogue.demo_seed"


@contextmanager
def demo_seeding() -> Iterator[None]:
    """Writes made inside come from the demo seed: it may create patents, never change existing ones."""
    db.session.info[_SEEDING] = True
    try:
        yield
    finally:
        db.session.info.pop(_SEEDING, None)


def is_demo_seeding() -> bool:
    return bool(db.session.info.get(_SEEDING))


def _track_seed_ownership(record: Any, action: str, changes: Mapping[str, Any]) -> None:
    """A patent stays the seed's only until anyone else changes it; a changed fact is no longer generated."""
    if not isinstance(record, Patent):
        return
    if is_demo_seeding():
        record.seed_untouched = record.seed_untouched or action in ("create", "import")
        return
    record.seed_untouched = False
    if record.generated_fields and set(changes) & set(record.generated_fields):
        record.generated_fields = [f for f in record.generated_fields if f not in changes]


def record_change(
    record: Patent | InnovationProject | Expert,
    actor: Actor,
    action: str,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    note: str | None = None,
) -> CatalogueChange:
    """Append one history row (who, when, what changed) and have the search document refreshed."""
    _track_seed_ownership(record, action, changes or {})
    db.session.flush()  # the record needs its id
    mark_for_indexing(db.session, RECORD_TYPES[type(record)], record.id)
    change = CatalogueChange(
        record_type=RECORD_TYPES[type(record)],
        record_id=record.id,
        action=action,
        actor_id=actor.id if actor else None,
        changes={k: [_jsonable(old), _jsonable(new)] for k, (old, new) in (changes or {}).items()},
        note=note[:500] if note else None,
    )
    db.session.add(change)
    return change


def history(record: Patent | InnovationProject | Expert) -> list[CatalogueChange]:
    """The record's changes, newest first."""
    query = (
        select(CatalogueChange)
        .where(
            CatalogueChange.record_type == RECORD_TYPES[type(record)], CatalogueChange.record_id == record.id
        )
        .options(selectinload(CatalogueChange.actor))
        .order_by(CatalogueChange.created_at.desc(), CatalogueChange.id.desc())
    )
    return list(db.session.scalars(query))


def apply_values(
    record: Any, values: Mapping[str, Any], columns: tuple[str, ...]
) -> dict[str, tuple[Any, Any]]:
    """Set the columns whose value differs and return {field: (old, new)} for the history."""
    changes = {}
    for name in columns:
        if name not in values:
            continue
        old, new = getattr(record, name), values[name]
        if isinstance(old, list) or isinstance(new, list | tuple):
            old, new = list(old or []), list(new or [])
        if old != new:
            setattr(record, name, new)
            changes[name] = (old, new)
    return changes


# --- moderation ---------------------------------------------------------------------------


def moderate(
    record: Patent | InnovationProject | Expert, actor: Actor, action: str, reason: str | None = None
) -> None:
    """Publish or hide a record (administrators only); hiding needs a reason the owner will read."""
    if actor is not None and not is_admin(actor):
        raise PermissionDenied(_("Only administrators moderate the catalogue."))
    if action not in ("publish", "hide"):
        raise ValidationFailed({"action": _("Choose publish or hide.")})
    reason = (reason or "").strip() or None
    if action == "hide" and not reason:
        raise ValidationFailed({"reason": _("Say why the record is hidden; its owner will see this.")})
    status = PUBLISHED if action == "publish" else HIDDEN
    changes = {}
    if record.moderation_status != status:
        changes["moderation_status"] = (record.moderation_status, status)
    if record.moderation_reason != reason:
        changes["moderation_reason"] = (record.moderation_reason, reason)
    apply_transition(MODERATION, record, action, actor=actor or system_actor(), reason=reason)
    record.moderation_reason, record.moderated_at = reason, utcnow()
    record_change(record, actor, action, changes, note=reason)


# --- patents ------------------------------------------------------------------------------


def find_patent(jurisdiction: str, publication_number: str) -> Patent | None:
    """The patent with this identity key, if catalogued."""
    return db.session.scalar(
        select(Patent).where(
            Patent.jurisdiction == jurisdiction, Patent.publication_number == publication_number
        )
    )


def patent_values(patent: Patent) -> dict[str, Any]:
    """The patent in the same shape validate_patent returns, to merge partial updates into."""
    values = {name: getattr(patent, name) for name in PATENT_COLUMNS}
    values["ipc_codes"] = patent.codes("ipc")
    values["cpc_codes"] = patent.codes("cpc")
    for name, role in PARTY_LISTS.items():
        values[name] = patent.party_names(role)
    return values


def _set_children(patent: Patent, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Replace classification and party rows when their lists changed."""
    changes: dict[str, tuple[Any, Any]] = {}
    current = patent_values(patent) if patent.id else dict.fromkeys(PATENT_CHILD_LISTS, [])
    for name in PATENT_CHILD_LISTS:
        new = list(values.get(name, current[name]) or [])
        if new != current[name]:
            changes[name] = (current[name], new)
    if "ipc_codes" in changes or "cpc_codes" in changes:
        ipc = values.get("ipc_codes", current["ipc_codes"])
        cpc = values.get("cpc_codes", current["cpc_codes"])
        replace_children(patent, "classifications", _classification_rows(ipc, cpc))
    if any(name in changes for name in PARTY_LISTS):
        parties = [
            PatentParty(role=role, name=name[:300], sequence=position)
            for list_name, role in PARTY_LISTS.items()
            for position, name in enumerate(values.get(list_name, current[list_name]) or [])
        ]
        replace_children(patent, "parties", parties)
    return changes


def replace_children(record: Any, attribute: str, rows: list) -> None:
    """Swap a child collection, deleting the old rows first so unique keys can be reused."""
    if record.id is not None and getattr(record, attribute):
        setattr(record, attribute, [])
        db.session.flush()
    setattr(record, attribute, rows)


def _classification_rows(ipc: list[str], cpc: list[str]) -> list[PatentClassification]:
    rows = []
    for scheme, codes in (("ipc", ipc), ("cpc", cpc)):
        for position, code in enumerate(codes):
            parsed = classification.parse(code, scheme)
            rows.append(
                PatentClassification(
                    scheme=scheme,
                    code=str(parsed),
                    search_key=parsed.search_key,
                    subclass=parsed.subclass,
                    is_main=position == 0,
                    position=position,
                )
            )
    return rows


def _ensure_unique(jurisdiction: str, number: str, patent: Patent | None = None) -> None:
    existing = find_patent(jurisdiction, number)
    if existing is not None and existing is not patent:
        raise ValidationFailed({"publication_number": _("This patent is already in the catalogue.")})


# Upper bounds for the patent's counts: far above any real patent, well inside the 32-bit columns,
# so an absurd number is a field error rather than a database overflow.
def validated_patent(data: Mapping[str, Any], today: dt.date | None = None) -> dict[str, Any]:
    """validate_patent's values with the status the term implies: granted past its expiry is expired."""
    values = checked(validate_patent, data)
    status = status_on(values["legal_status"], values["expiry_date"], today or utcnow().date())
    if status != values["legal_status"]:
        values["legal_status"], values["legal_status_date"] = status, values["expiry_date"]
    return values


def create_patent(actor: Actor, data: Mapping[str, Any], owner: User | None = None) -> Patent:
    """Add a patent from form or API values; the owner is the actor unless an admin says otherwise."""
    if not can_create_records(actor):
        raise PermissionDenied(_("Only rights-holders and administrators add patents."))
    values = validated_patent(data)
    _ensure_unique(values["jurisdiction"], values["publication_number"])
    owner = resolve_owner(actor, owner)
    patent = Patent(owner=owner, organisation_id=owner.organisation_id if owner else None)
    changes = apply_values(patent, values, PATENT_COLUMNS)
    changes.update(_set_children(patent, values))
    db.session.add(patent)
    record_change(patent, actor, "create", changes)
    return patent


def update_patent(patent: Patent, actor: Actor, data: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Change some fields (others keep their values); returns what changed, also kept in history."""
    ensure_can_edit(patent, actor)
    values = validated_patent({**patent_values(patent), **data})
    _ensure_unique(values["jurisdiction"], values["publication_number"], patent)
    previous_status = patent.legal_status
    status_changed = values["legal_status"] != previous_status
    if (
        status_changed
        and "legal_status_date" not in data
        and values["legal_status_date"] == patent.legal_status_date
    ):
        values["legal_status_date"] = utcnow().date()
    changes = apply_values(patent, values, PATENT_COLUMNS)
    changes.update(_set_children(patent, values))
    if "legal_status" in changes:
        _status_event(patent, previous_status)
    if changes:
        record_change(patent, actor, "update", changes)
    return changes


def _status_event(patent: Patent, previous: str | None) -> None:
    summary = f"{previous or '-'} → {patent.legal_status or '-'}"
    patent.events.append(
        PatentEvent(
            event_type="legal_status",
            occurred_on=patent.legal_status_date or utcnow().date(),
            summary=summary,
        )
    )


def record_values(record: PatentRecord) -> dict[str, Any]:
    """An imported record as the fields validate_patent takes (every importer's records pass it)."""
    values: dict[str, Any] = {
        name: getattr(record, name, None)
        for name in PATENT_COLUMNS
        if name not in ("family_size", "expiry_date")
    }
    values["family_countries"] = list(record.family_countries)
    values["ipc_codes"], values["cpc_codes"] = list(record.codes("ipc")), list(record.codes("cpc"))
    values["applicants"], values["owners"] = list(record.applicants), list(record.owners)
    values["inventors"] = list(record.inventors)
    return values


def upsert_patent_record(
    record: PatentRecord, actor: Actor, owner: User | None = None, note: str | None = None
) -> tuple[Patent, str]:
    """Create or update by (jurisdiction, publication number): re-importing never duplicates.

    Returns the patent and "created", "updated" or "unchanged". Fields the file leaves empty
    keep what the catalogue has, so a sparse file cannot wipe facts an owner typed in.
    """
    values = record_values(record)
    patent = find_patent(record.jurisdiction, record.publication_number)
    if patent is None:
        values = validated_patent(values)
        if not can_create_records(actor):
            raise PermissionDenied(_("Only rights-holders and administrators add patents."))
        owner = resolve_owner(actor, owner)
        patent = Patent(owner=owner, organisation_id=owner.organisation_id if owner else None)
        patent.title_derived = record.title_derived
        patent.source = f"{record.source.file}, {record.source.location}"[:300]
        changes = apply_values(patent, values, PATENT_COLUMNS)
        changes.update(_set_children(patent, values))
        db.session.add(patent)
        record_change(patent, actor, "import", changes, note=note or patent.source)
        return patent, "created"
    if is_demo_seeding():  # the seed fills gaps; a patent already here is someone's record
        return patent, "unchanged"
    ensure_can_edit(patent, actor)
    kept = {k: v for k, v in values.items() if v not in (None, [], ())}
    kept = validated_patent({**patent_values(patent), **kept})
    changes = apply_values(patent, kept, PATENT_COLUMNS)
    changes.update(_set_children(patent, kept))
    if patent.owner_id is None and owner is not None:
        patent.owner, patent.organisation_id = owner, owner.organisation_id
        changes["owner_id"] = (None, owner.id)
    if not changes:
        return patent, "unchanged"
    record_change(
        patent, actor, "import", changes, note=note or f"{record.source.file}, {record.source.location}"
    )
    return patent, "updated"


def expire_terms(actor: Actor, today: dt.date) -> int:
    """Mark granted patents whose term ran out before ``today`` as expired (history, event, search index)."""
    due = select(Patent).where(Patent.legal_status == "granted", Patent.expiry_date < today)
    patents = list(db.session.scalars(due))
    for patent in patents:
        before = (patent.legal_status, patent.legal_status_date)
        patent.legal_status, patent.legal_status_date = "expired", patent.expiry_date
        _status_event(patent, before[0])
        changes = {
            "legal_status": (before[0], "expired"),
            "legal_status_date": (before[1], patent.expiry_date),
        }
        record_change(patent, actor, "update", changes, note="term expired")
    return len(patents)


def published_patents():
    """select() of the patents anyone may see; search and export start from it."""
    return select(Patent).where(Patent.moderation_status == PUBLISHED)


def related_patents(patent: Patent, limit: int = 6) -> list[Patent]:
    """Other published patents sharing the main IPC (or CPC) subclass, newest first."""
    main = next(
        (c for c in sorted(patent.classifications, key=lambda c: (not c.is_main, c.scheme != "ipc"))), None
    )
    if main is None or main.subclass is None:
        return []
    same = select(PatentClassification.patent_id).where(PatentClassification.subclass == main.subclass)
    query = (
        published_patents()
        .where(Patent.id.in_(same), Patent.id != patent.id)
        .order_by(Patent.grant_date.desc().nulls_last(), Patent.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
