"""Domain events written in the same transaction as the change, handled after it commits.

``emit()`` adds an ``outbox_events`` row, so an event exists exactly when its change does (a
rollback removes both). After the commit the new rows are dispatched through ``jobs.enqueue``;
each handler runs in its own transaction and marks the row done. A failure is recorded and the
row becomes due again with a growing delay; the ``outbox`` periodic task retries due rows, so
handlers run at least once and must be idempotent.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import JSON, Index, String, event, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core import jobs
from app.core.audit_chain import canonical_json
from app.core.clock import clock
from app.core.models import UTCDateTime, utcnow
from app.core.ticks import periodic
from app.extensions import db

log = logging.getLogger(__name__)
PENDING_KEY = "ipex_outbox_pending"
CLAIM_SECONDS = 120  # a claimed row is left alone this long, then counts as abandoned
MAX_ATTEMPTS = 8


class OutboxEvent(db.Model):
    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_due", "processed_at", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # due from
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a dispatcher holds it
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


Handler = Callable[[dict], None]
_HANDLERS: dict[str, list[Handler]] = {}


def handles(event_type: str) -> Callable[[Handler], Handler]:
    """Register a handler for an event type; it receives the payload."""

    def decorator(func: Handler) -> Handler:
        _HANDLERS.setdefault(event_type, []).append(func)
        return func

    return decorator


def emit(event_type: str, payload: dict) -> OutboxEvent:
    """Record an event in the current transaction; it is handled after commit.

    No flush of its own: the row is inserted with the caller's next flush (at the latest the
    commit), together with the change it reports, so hot paths pay one INSERT and no round trip.
    """
    now = utcnow()
    row = OutboxEvent(
        event_type=event_type, payload=json.loads(canonical_json(payload)), created_at=now, available_at=now
    )
    db.session.add(row)
    db.session.info.setdefault(PENDING_KEY, []).append(row)
    return row


def event_values(event_type: str, payload: dict) -> dict:
    """An event's column values, for a hot path that inserts it with its own Core statement; pass
    the new row's id to ``dispatch_after_commit``."""
    now = utcnow()
    return {
        "event_type": event_type,
        "payload": json.loads(canonical_json(payload)),
        "created_at": now,
        "available_at": now,
        "attempts": 0,
    }


def dispatch_after_commit(event_id: int) -> None:
    """Handle an event inserted without ``emit`` after the current transaction commits."""
    db.session.info.setdefault(PENDING_KEY, []).append(event_id)


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    rows = session.info.pop(PENDING_KEY, None)
    if rows and has_app_context() and current_app.config.get("OUTBOX_DISPATCH", True):
        # the identity, not row.id: the row is expired by the commit and must not be reloaded here
        identities = (row if isinstance(row, int) else inspect(row).identity for row in rows)
        ids = [identity if isinstance(identity, int) else identity[0] for identity in identities if identity]
        if ids:
            jobs.enqueue(dispatch, ids)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def _claim(event_id: int) -> bool:
    """Take one row for handling; only one dispatcher can win it."""
    now = clock.now()
    result = db.session.execute(
        update(OutboxEvent)
        .where(
            OutboxEvent.id == event_id,
            OutboxEvent.processed_at.is_(None),
            (OutboxEvent.claimed_until.is_(None)) | (OutboxEvent.claimed_until < now),
        )
        .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    )
    db.session.commit()
    return result.rowcount == 1


def dispatch(ids: list[int]) -> dict[int, str]:
    """Run the handlers of these events, each in its own transaction."""
    return {event_id: _dispatch_one(event_id) for event_id in ids}


def _dispatch_one(event_id: int) -> str:
    if not _claim(event_id):
        return "skipped"
    row = db.session.get(OutboxEvent, event_id)
    try:
        for handler in _HANDLERS.get(row.event_type, []):
            handler(dict(row.payload))
        row.processed_at, row.claimed_until = clock.now(), None
        db.session.commit()
    except Exception as error:  # recorded and retried by the tick
        log.exception("outbox event %s (%s) failed", event_id, row.event_type)
        db.session.rollback()
        _record_failure(event_id, error)
        return "failed"
    return "done"


def _record_failure(event_id: int, error: Exception) -> None:
    row = db.session.get(OutboxEvent, event_id)
    row.attempts += 1
    row.last_error = f"{type(error).__name__}: {error}"[:500]
    row.claimed_until = None
    row.available_at = clock.now() + timedelta(seconds=30 * 2 ** min(row.attempts, 10))
    db.session.commit()


def due_event_ids(limit: int = 200) -> list[int]:
    now = clock.now()
    return list(
        db.session.scalars(
            select(OutboxEvent.id)
            .where(
                OutboxEvent.processed_at.is_(None),
                OutboxEvent.available_at <= now,
                OutboxEvent.attempts < MAX_ATTEMPTS,
            )
            .order_by(OutboxEvent.id)
            .limit(limit)
        )
    )


@periodic("outbox", every=timedelta(seconds=30))
def retry_due_events() -> None:
    """Handle events whose after-commit dispatch failed or never ran (e.g. the process died)."""
    dispatch(due_event_ids())
