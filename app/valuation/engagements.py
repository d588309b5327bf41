"""Engagements and sign-off: who may write one, who may sign, and what a signature covers.

A draft engagement is written by the patent's owner or an assessor; an assessor who does not own
the patent signs it with name and qualification, over a hash of the report figures. A signed
engagement never changes: a later change is a new engagement that supersedes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.permissions import is_assessor, is_assessor_or_admin
from app.core.audit_chain import chain_append
from app.core.errors import NotFound, PermissionDenied
from app.core.lifecycle import InvalidTransition, apply_transition
from app.core.models import utcnow
from app.extensions import db
from app.valuation.engagement_models import DRAFT, ENGAGEMENT, SIGN, Engagement
from app.valuation.engine.result import canonical_json

FIELDS = (
    "purpose",
    "basis_of_value",
    "valuation_date",
    "right_valued",
    "general_assumptions",
    "special_assumptions",
    "special_matters",
)


def can_write(patent: Any, actor: User | None) -> bool:
    """The patent's owner, an assessor or an administrator."""
    if actor is None or not actor.is_authenticated:
        return False
    return is_assessor_or_admin(actor) or patent.owner_id == actor.id


def can_sign(patent: Any, actor: User | None) -> bool:
    """Assessors only, and never the patent's owner (no one signs off their own asset)."""
    return bool(
        actor is not None and actor.is_authenticated and is_assessor(actor) and patent.owner_id != actor.id
    )


def latest(patent_id: int, listing_type: str = "default") -> Engagement | None:
    """The engagement the report shows: the newest for the patent and right valued."""
    return db.session.scalar(
        select(Engagement)
        .where(Engagement.patent_id == patent_id, Engagement.listing_type == listing_type)
        .order_by(Engagement.id.desc())
        .limit(1)
    )


def get(engagement_id: int) -> Engagement:
    found = db.session.get(Engagement, engagement_id)
    if found is None:
        raise NotFound(_("No such engagement."))
    return found


def _audit(kind: str, engagement: Engagement, actor: User, payload: Mapping[str, Any]) -> None:
    chain_append(
        f"valuation_engagement.{kind}", Engagement.__tablename__, engagement.id, actor, dict(payload)
    )


def save(patent: Any, listing_type: str, values: Mapping[str, Any], actor: User) -> Engagement:
    """Edit the current draft, or start a new engagement (superseding a signed one)."""
    if not can_write(patent, actor):
        raise PermissionDenied(_("Only the patent's owner or an assessor can write its engagement."))
    current = latest(patent.id, listing_type)
    if current is not None and current.status == DRAFT:
        engagement, kind = current, "edit"
    else:
        engagement = Engagement(
            patent_id=patent.id,
            listing_type=listing_type,
            status=DRAFT,
            created_by_id=actor.id,
            supersedes_id=current.id if current is not None else None,
        )
        kind = "create"
    for name in FIELDS:
        setattr(engagement, name, values[name])
    db.session.add(engagement)
    db.session.flush()
    _audit(kind, engagement, actor, {name: str(values[name]) for name in FIELDS})
    return engagement


def figures_of(head: Any) -> dict[str, Any]:
    """The report figures a signature covers: the range, the weights used and what produced them."""
    result = head.result or {}
    return {
        "patent_id": head.patent_id,
        "listing_type": head.listing_type,
        "run_id": head.run_id,
        "low": result.get("low"),
        "mid": result.get("mid"),
        "high": result.get("high"),
        "currency": result.get("currency"),
        "components": [
            {k: c.get(k) for k in ("model", "weight", "low", "mid", "high")}
            for c in result.get("components", [])
        ],
        "parameter_set_version": head.parameter_set_version,
        "code_version": head.code_version,
    }


def figures_hash(figures: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(dict(figures)).encode()).hexdigest()


def sign(
    engagement: Engagement, patent: Any, head: Any, actor: User, name: str, qualification: str
) -> Engagement:
    """An assessor signs the draft over the stored report figures; it is immutable from now on."""
    if not can_sign(patent, actor):
        raise PermissionDenied(_("Only an assessor who does not own the patent can sign off its valuation."))
    if head is None or head.id is None or head.low is None:
        raise InvalidTransition(ENGAGEMENT, engagement.status, SIGN)
    figures = figures_of(head)
    digest = figures_hash(figures)
    apply_transition(
        ENGAGEMENT,
        engagement,
        SIGN,
        actor=actor,
        reason=f"{name} · {qualification}",
        details={"figures_hash": digest, "valuation_id": head.id},
    )
    engagement.signed_by_id = actor.id
    engagement.signer_name = name
    engagement.signer_qualification = qualification
    engagement.signed_at = utcnow()
    engagement.figures = figures
    engagement.figures_hash = digest
    db.session.flush()
    return engagement
