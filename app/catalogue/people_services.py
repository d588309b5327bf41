"""Verbs for innovation projects and experts: create, update, upsert from imports.

Same conventions as ``services``: the acting user is an argument, functions flush, callers commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, tuple_

from app.accounts.models import User
from app.accounts.permissions import is_admin, is_authenticated
from app.accounts.services import find_user_by_email, normalise_email
from app.catalogue.errors import ValidationFailed, checked
from app.catalogue.models import Expert, ExpertConflict, ExpertSpecialty, InnovationProject, Patent
from app.catalogue.records import ExpertRecord, ProjectRecord
from app.catalogue.services import (
    Actor,
    apply_values,
    can_create_records,
    ensure_can_edit,
    record_change,
    replace_children,
    resolve_owner,
    visible_patents,
)
from app.catalogue.validation import validate_expert, validate_project
from app.core.errors import PermissionDenied
from app.core.i18n import enumeration
from app.extensions import db

PROJECT_COLUMNS = (
    "reference",
    "title_zh",
    "title_en",
    "summary_zh",
    "summary_en",
    "sector",
    "trl",
    "stage",
    "seeking",
    "funding_amount",
    "funding_currency",
    "team",
    "contact_policy",
    "organisation_name",
)
EXPERT_COLUMNS = (
    "reference",
    "name",
    "name_en",
    "title",
    "title_en",
    "organisation",
    "qualifications",
    "biography_zh",
    "biography_en",
    "languages",
    "availability",
    "fee_amount",
    "fee_currency",
    "fee_unit",
)


def _new_reference(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4).upper()}"


# --- projects -----------------------------------------------------------------------------


def project_values(project: InnovationProject, actor: Actor = None) -> dict[str, Any]:
    """The project in validate_project's shape, to merge partial updates into (as ``actor`` sees it)."""
    values = {name: getattr(project, name) for name in PROJECT_COLUMNS}
    values["linked_patents"] = [p.publication_number for p in visible_patents(project, actor)]
    return values


def _linked(
    numbers: list[tuple[str, str]], actor: Actor, project: InnovationProject | None = None
) -> list[Patent]:
    """Patents for (jurisdiction, canonical number) pairs that the actor may see.

    Unknown and hidden numbers get the same field error, so linking cannot probe for hidden
    patents. Links the actor cannot see (made before a patent was hidden) are kept as they are:
    the editor neither sees them nor loses them.
    """
    unseen = [p for p in project.patents if p not in visible_patents(project, actor)] if project else []
    if not numbers:
        return unseen
    found = {
        (p.jurisdiction, p.publication_number): p
        for p in db.session.scalars(
            select(Patent).where(tuple_(Patent.jurisdiction, Patent.publication_number).in_(numbers))
        )
        if actor is None or p.can_view(actor)
    }
    missing = [number for key, number in numbers if (key, number) not in found]
    if missing:
        raise ValidationFailed(
            {"linked_patents": _("Not in the catalogue: %(numbers)s", numbers=enumeration(missing))}
        )
    return [found[key] for key in numbers] + unseen


def _set_patents(project: InnovationProject, patents: list[Patent]) -> dict[str, tuple[Any, Any]]:
    old = [p.publication_number for p in project.patents] if project.id else []
    new = [p.publication_number for p in patents]
    if sorted(old) == sorted(new):
        return {}
    project.patents = patents
    return {"linked_patents": (old, new)}


def _project_owner_clash(
    owner: User | None, reference: str, project: InnovationProject | None = None
) -> None:
    clash = db.session.scalar(
        select(InnovationProject).where(
            InnovationProject.owner_id == (owner.id if owner else None),
            InnovationProject.reference == reference,
        )
    )
    if clash is not None and clash is not project:
        raise ValidationFailed({"reference": _("You already have a project with this reference.")})


def create_project(actor: Actor, data: Mapping[str, Any], owner: User | None = None) -> InnovationProject:
    """Add an innovation project owned by the actor (or, for an admin, by ``owner``)."""
    if not can_create_records(actor):
        raise PermissionDenied(_("Only rights-holders and administrators add projects."))
    values = checked(validate_project, data)
    values["reference"] = values["reference"] or _new_reference("PRJ")
    owner = resolve_owner(actor, owner)
    _project_owner_clash(owner, values["reference"])
    patents = _linked(values["linked_patents"], actor)
    project = InnovationProject(owner=owner, organisation_id=owner.organisation_id if owner else None)
    changes = apply_values(project, values, PROJECT_COLUMNS)
    changes.update(_set_patents(project, patents))
    db.session.add(project)
    record_change(project, actor, "create", changes)
    return project


def update_project(
    project: InnovationProject, actor: Actor, data: Mapping[str, Any]
) -> dict[str, tuple[Any, Any]]:
    """Change some fields of a project; returns what changed, also kept in history."""
    ensure_can_edit(project, actor)
    values = checked(validate_project, {**project_values(project, actor), **data})
    values["reference"] = values["reference"] or project.reference
    _project_owner_clash(project.owner, values["reference"], project)
    patents = _linked(values["linked_patents"], actor, project)
    changes = apply_values(project, values, PROJECT_COLUMNS)
    changes.update(_set_patents(project, patents))
    if changes:
        record_change(project, actor, "update", changes)
    return changes


def upsert_project_record(
    record: ProjectRecord, actor: Actor, owner: User | None = None
) -> tuple[InnovationProject, str]:
    """Create or update by (owner, reference)."""
    owner = resolve_owner(actor, owner)
    data = asdict(record)
    data["organisation_name"] = data.pop("owner_organisation")
    data.pop("source")
    existing = db.session.scalar(
        select(InnovationProject).where(
            InnovationProject.owner_id == (owner.id if owner else None),
            InnovationProject.reference == record.reference,
        )
    )
    if existing is None:
        return create_project(actor, data, owner=owner), "created"
    return existing, ("updated" if update_project(existing, actor, data) else "unchanged")


# --- experts ------------------------------------------------------------------------------


def can_create_expert(user: Actor) -> bool:
    """Anyone signed in may publish an expert profile; administrators may add them for others."""
    return user is None or is_authenticated(user)


def expert_values(expert: Expert) -> dict[str, Any]:
    """The expert in validate_expert's shape."""
    values = {name: getattr(expert, name) for name in EXPERT_COLUMNS}
    values["specialties_ipc"] = expert.specialties_ipc
    values["industries"] = expert.industries
    values["conflicts"] = [
        f"{c.organisation}: {c.relation}" if c.relation else c.organisation for c in expert.conflicts
    ]
    values["user_email"] = expert.user.email if expert.user else None
    return values


def _set_expert_children(expert: Expert, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    old_ipc, old_industries = (expert.specialties_ipc, expert.industries) if expert.id else ([], [])
    if (values["specialties_ipc"], values["industries"]) != (old_ipc, old_industries):
        specialties = [
            ExpertSpecialty(kind=kind, value=value[:100], position=position)
            for kind, items in (("ipc", values["specialties_ipc"]), ("industry", values["industries"]))
            for position, value in enumerate(items)
        ]
        replace_children(expert, "specialties", specialties)
        if values["specialties_ipc"] != old_ipc:
            changes["specialties_ipc"] = (old_ipc, values["specialties_ipc"])
        if values["industries"] != old_industries:
            changes["industries"] = (old_industries, values["industries"])
    old_conflicts = [(c.organisation, c.relation) for c in expert.conflicts] if expert.id else []
    if values["conflicts"] != old_conflicts:
        replace_children(
            expert, "conflicts", [ExpertConflict(organisation=o, relation=r) for o, r in values["conflicts"]]
        )
        changes["conflicts"] = ([o for o, _r in old_conflicts], [o for o, _r in values["conflicts"]])
    return changes


def _link_user(expert: Expert, actor: Actor, email: str | None) -> dict[str, tuple[Any, Any]]:
    """Link the expert to an account: one's own, or anyone's for an administrator or an import.

    Anyone else gets the same answer for every address but their own, so the form cannot be used
    to find out which addresses have accounts.
    """
    current = expert.user.email if expert.user else None
    if email == current:
        return {}
    if email and actor is not None and not is_admin(actor) and normalise_email(email) != actor.email:
        raise ValidationFailed({"user_email": _("You may link only your own account.")})
    user = find_user_by_email(email) if email else None
    if email and user is None:
        raise ValidationFailed({"user_email": _("No account uses this email address.")})
    taken = user and db.session.scalar(
        select(Expert).where(Expert.user_id == user.id, Expert.id != expert.id)
    )
    if taken:
        raise ValidationFailed({"user_email": _("This account already has an expert profile.")})
    expert.user = user
    return {"user_email": (current, email)}


def _reference_clash(reference: str, expert: Expert | None = None) -> None:
    clash = db.session.scalar(select(Expert).where(Expert.reference == reference))
    if clash is not None and clash is not expert:
        raise ValidationFailed({"reference": _("Another expert profile uses this reference.")})


def create_expert(actor: Actor, data: Mapping[str, Any], owner: User | None = None) -> Expert:
    """Add an expert profile maintained by the actor (or, for an admin, by ``owner``)."""
    if not can_create_expert(actor):
        raise PermissionDenied(_("Please log in to add an expert profile."))
    values = checked(validate_expert, data)
    values["reference"] = values["reference"] or _new_reference("EXP")
    _reference_clash(values["reference"])
    expert = Expert(owner=resolve_owner(actor, owner))
    changes = apply_values(expert, values, EXPERT_COLUMNS)
    changes.update(_set_expert_children(expert, values))
    changes.update(_link_user(expert, actor, values["user_email"]))
    db.session.add(expert)
    record_change(expert, actor, "create", changes)
    return expert


def update_expert(expert: Expert, actor: Actor, data: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Change some fields of an expert profile; returns what changed."""
    ensure_can_edit(expert, actor)
    values = checked(validate_expert, {**expert_values(expert), **data})
    values["reference"] = values["reference"] or expert.reference
    _reference_clash(values["reference"], expert)
    changes = apply_values(expert, values, EXPERT_COLUMNS)
    changes.update(_set_expert_children(expert, values))
    changes.update(_link_user(expert, actor, values["user_email"]))
    if changes:
        record_change(expert, actor, "update", changes)
    return changes


def upsert_expert_record(record: ExpertRecord, actor: Actor, owner: User | None = None) -> tuple[Expert, str]:
    """Create or update by reference."""
    data = asdict(record)
    data.pop("source")
    existing = db.session.scalar(select(Expert).where(Expert.reference == record.reference))
    if existing is None:
        return create_expert(actor, data, owner=owner), "created"
    return existing, ("updated" if update_expert(existing, actor, data) else "unchanged")
