"""Lifecycles as data: a ``{(status, action): next}`` table per package and one way to apply it.

``apply_transition`` is the only place a status changes: it refuses actions the table does not
allow (``InvalidTransition``, HTTP 409 naming the current status and what is allowed), writes a
``StatusEvent`` row (who, when, from, to, why) and appends the same facts to the hash-chained
audit log, all in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.audit_chain import chain_append
from app.core.errors import Conflict
from app.core.i18n import enumeration
from app.core.models import UTCDateTime, utcnow
from app.extensions import db


@dataclass(frozen=True)
class Lifecycle:
    """A named transition table with translated labels; ``attribute`` is the status column."""

    name: str
    transitions: dict[tuple[str, str], str]
    status_labels: dict[str, object] = field(default_factory=dict)  # lazy strings
    action_labels: dict[str, object] = field(default_factory=dict)
    attribute: str = "status"

    def __post_init__(self) -> None:
        _BY_NAME.setdefault(self.name, self)  # the first table of a name labels its audit steps

    def next_status(self, status: str, action: str) -> str:
        try:
            return self.transitions[(status, action)]
        except KeyError:
            raise InvalidTransition(self, status, action) from None

    def allowed_actions(self, status: str) -> list[str]:
        return [action for (source, action) in self.transitions if source == status]

    def can(self, status: str, action: str) -> bool:
        return (status, action) in self.transitions

    def status_label(self, status: str) -> str:
        return str(self.status_labels.get(status, status))

    def action_label(self, action: str) -> str:
        return str(self.action_labels.get(action, action))

    @property
    def statuses(self) -> tuple[str, ...]:
        seen = dict.fromkeys(s for pair in self.transitions for s in (pair[0], self.transitions[pair]))
        return tuple(seen)


_BY_NAME: dict[str, Lifecycle] = {}
# Audit-log steps that are not transitions of a lifecycle ("deal.create", "contract.sign", ...).
STEP_LABELS = {
    "create": _l("Created"),
    "configure": _l("Set up"),
    "sign": _l("Signed"),
    "publish": _l("Published"),
    "nda": _l("Confidentiality agreement accepted"),
    "bid": _l("Bid placed"),
    "report": _l("Sales reported"),
}


def step_label(kind: str) -> str:
    """A hash-chained audit entry's kind ("deal.sign", "deal_money.mark_paid") in the reader's words."""
    name, _dot, action = kind.partition(".")
    lifecycle = _BY_NAME.get(name)
    if lifecycle is not None and action in lifecycle.action_labels:
        return lifecycle.action_label(action)
    return str(STEP_LABELS.get(action, _("Other step")))


class InvalidTransition(Conflict):
    """The action is not allowed from the subject's current status (HTTP 409)."""

    def __init__(self, lifecycle: Lifecycle, status: str, action: str) -> None:
        self.lifecycle, self.status, self.action = lifecycle, status, action
        self.allowed = lifecycle.allowed_actions(status)
        allowed_text = enumeration(self.allowed, lifecycle.action_label) or _("nothing")
        message = _(
            "This cannot be done now: the status is “%(status)s”. Possible now: %(allowed)s.",
            status=lifecycle.status_label(status),
            allowed=allowed_text,
        )
        super().__init__(message)

    def details(self) -> dict:
        return {"status": self.status, "action": self.action, "allowed": self.allowed}


class StatusEvent(db.Model):
    """One applied transition of any lifecycle: the generic event row."""

    __tablename__ = "status_events"
    __table_args__ = (Index("ix_status_events_subject", "subject_type", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lifecycle: Mapped[str] = mapped_column(String(40))  # Lifecycle.name, e.g. "offer"
    subject_type: Mapped[str] = mapped_column(String(40))  # the subject's table, e.g. "offers"
    subject_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str] = mapped_column(String(40))
    to_status: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str | None] = mapped_column(String(1000))  # shown to the parties
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # JSON-safe facts of the step
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor = relationship("User", foreign_keys=[actor_id])


def apply_transition(
    lifecycle: Lifecycle,
    subject: db.Model,
    action: str,
    *,
    actor,
    reason: str | None = None,
    details: dict | None = None,
) -> StatusEvent:
    """Move ``subject`` by ``action``, record the event and the audit entry; flushes."""
    if actor is None:
        raise ValueError("apply_transition needs an actor: use app.core.actors.system_actor()")
    current = getattr(subject, lifecycle.attribute)
    target = lifecycle.next_status(current, action)
    setattr(subject, lifecycle.attribute, target)
    db.session.add(subject)
    db.session.flush()
    event = StatusEvent(
        lifecycle=lifecycle.name,
        subject_type=subject.__tablename__,
        subject_id=subject.id,
        action=action,
        from_status=current,
        to_status=target,
        actor_id=actor.id,
        reason=reason,
        details=details or {},
        created_at=utcnow(),
    )
    db.session.add(event)
    chain_append(
        f"{lifecycle.name}.{action}",
        subject.__tablename__,
        subject.id,
        actor,
        {"from": current, "to": target, "reason": reason, "details": details or {}},
    )
    db.session.flush()
    return event


def status_history(subject: db.Model) -> list[StatusEvent]:
    """Every transition of one subject, oldest first."""
    return list(
        db.session.scalars(
            select(StatusEvent)
            .where(StatusEvent.subject_type == subject.__tablename__, StatusEvent.subject_id == subject.id)
            .order_by(StatusEvent.id)
        )
    )
