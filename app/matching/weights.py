"""Strategy weights as versioned sets: administrators draft, another administrator approves (four
eyes), the approved version becomes active and the engine uses it; every version is kept.

Transitions go through the shared lifecycle helper (a StatusEvent and an audit-chain entry each).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.accounts.permissions import is_admin
from app.catalogue.validation import ValidationFailed
from app.core.errors import NotFound, PermissionDenied
from app.core.lifecycle import Lifecycle, apply_transition
from app.core.models import UTCDateTime, utcnow
from app.extensions import db
from app.matching.engine import DEFAULT_WEIGHTS, available

DRAFT = "draft"  # being edited by its author; not used
PENDING = "pending"  # submitted: waits for a second administrator
ACTIVE = "active"  # the one the engine uses (at most one)
RETIRED = "retired"  # was active, superseded by a later version
REJECTED = "rejected"  # the second administrator said no

WEIGHTS_LIFECYCLE = Lifecycle(
    name="matching_weights",
    transitions={
        (DRAFT, "submit"): PENDING,
        (PENDING, "approve"): ACTIVE,
        (PENDING, "reject"): REJECTED,
        (PENDING, "withdraw"): DRAFT,
        (ACTIVE, "retire"): RETIRED,
    },
    status_labels={
        DRAFT: _l("Draft"),
        PENDING: _l("Waiting for approval"),
        ACTIVE: _l("In use (active)"),
        RETIRED: _l("Retired"),
        REJECTED: _l("Rejected"),
    },
    action_labels={
        "submit": _l("Submit for approval"),
        "approve": _l("Approve and activate"),
        "reject": _l("Reject"),
        "withdraw": _l("Withdraw"),
        "retire": _l("Retire"),
    },
)
ADMIN_ACTIONS = ("submit", "approve", "reject", "withdraw")
MAX_WEIGHT = 1.0


class WeightSet(db.Model):
    """One version of the matching strategies' weights."""

    __tablename__ = "matching_weight_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)  # 1, 2, ... in order of creation
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    weights: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)  # strategy name -> weight
    reason: Mapped[str] = mapped_column(String(500), default="")  # why the weights change
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # approved or rejected it
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def can_decide(self, user: User) -> bool:
        """Four eyes: neither the author nor the submitter decides."""
        return user.id not in (self.created_by_id, self.submitted_by_id)


def active_weights() -> dict[str, float]:
    """The weights the engine uses now: the active version's, else the built-in defaults."""
    found = db.session.scalar(select(WeightSet).where(WeightSet.status == ACTIVE))
    return dict(found.weights) if found else dict(DEFAULT_WEIGHTS)


def versions() -> list[WeightSet]:
    return list(db.session.scalars(select(WeightSet).order_by(WeightSet.version.desc())))


def get_set(set_id: int) -> WeightSet:
    found = db.session.get(WeightSet, set_id)
    if found is None:
        raise NotFound(_("No such version of the weights."))
    return found


def clean_weights(raw: Mapping[str, Any]) -> dict[str, float]:
    """One number in [0, 1] per known strategy; at least one above zero. Field messages otherwise."""
    errors: dict[str, str] = {}
    out: dict[str, float] = {}
    for name in available():
        text = str(raw.get(name) if raw.get(name) is not None else "0").strip() or "0"
        try:
            value = float(text)
        except ValueError:
            errors[name] = _("Enter a number between 0 and 1.")
            continue
        if not math.isfinite(value) or not 0 <= value <= MAX_WEIGHT:
            errors[name] = _("Enter a number between 0 and 1.")
            continue
        out[name] = value
    unknown = sorted(set(raw) - set(available()) - {"reason", "csrf_token"})
    for name in unknown:
        errors[name] = _("There is no matching strategy of this name.")
    if not errors and not any(out.values()):
        errors["weights"] = _("At least one weight must be above zero.")
    if errors:
        raise ValidationFailed(errors)
    return out


def _require_admin(actor: User | None) -> None:
    if not is_admin(actor):
        raise PermissionDenied(_("Only administrators can change the matching weights."))


def create_draft(actor: User, raw: Mapping[str, Any], reason: str = "") -> WeightSet:
    """A new version in draft with the given weights."""
    _require_admin(actor)
    weights = clean_weights(raw)
    last = db.session.scalar(select(func.max(WeightSet.version)))
    draft = WeightSet(
        version=(last or 0) + 1, status=DRAFT, weights=weights, reason=reason[:500], created_by_id=actor.id
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def transition(ws: WeightSet, action: str, actor: User, reason: str = "") -> WeightSet:
    """Submit, approve (a second administrator: the old active version retires), reject or withdraw."""
    _require_admin(actor)
    if action not in ADMIN_ACTIONS:
        raise NotFound(_("No such action."))
    if action in ("approve", "reject") and ws.status == PENDING and not ws.can_decide(actor):
        raise PermissionDenied(_("Four eyes: another administrator must approve or reject this version."))
    if action == "approve" and ws.status == PENDING:
        for old in db.session.scalars(select(WeightSet).where(WeightSet.status == ACTIVE)):
            apply_transition(WEIGHTS_LIFECYCLE, old, "retire", actor=actor, reason=f"v{ws.version}")
    apply_transition(WEIGHTS_LIFECYCLE, ws, action, actor=actor, reason=reason or None)
    if action == "submit":
        ws.submitted_by_id = actor.id
    elif action in ("approve", "reject"):
        ws.decided_by_id, ws.decided_at = actor.id, utcnow()
    elif action == "withdraw":
        ws.submitted_by_id = None
    db.session.flush()
    return ws
