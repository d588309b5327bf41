"""An append-only audit log whose entries are chained by SHA-256, so tampering is evident.

Each entry's hash covers its own canonical JSON and the previous entry's hash; editing, deleting
or re-ordering any entry breaks every later link, and ``verify_chain`` names the first entry that
no longer matches. Appends are serialised (a transaction-scoped advisory lock on PostgreSQL, the
database write lock on SQLite) and ``seq`` is unique, so two writers can never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, String, select, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import UTCDateTime, utcnow
from app.extensions import db

GENESIS = "0" * 64
ADVISORY_LOCK_KEY = 0x1BE7_0A0D  # an arbitrary constant that names "the audit chain"


class AuditLogEntry(db.Model):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)  # position in the chain, 1, 2, 3 ... without gaps
    kind: Mapped[str] = mapped_column(String(60))  # e.g. "offer.accept"
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)  # canonical-JSON-safe facts
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def canonical(self) -> dict:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "actor_id": self.actor_id,
            "payload": self.payload,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "prev_hash": self.prev_hash,
        }


def _json_default(value: object) -> str:
    if isinstance(value, Decimal | datetime):
        return value.isoformat() if isinstance(value, datetime) else str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON-safe in the audit log")


def canonical_json(data: object) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def entry_hash(entry: AuditLogEntry) -> str:
    return hashlib.sha256(canonical_json(entry.canonical()).encode()).hexdigest()


def _lock_chain() -> None:
    """Hold the append lock until this transaction ends."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    elif not connection.connection.driver_connection.in_transaction:
        # SQLite: any write statement takes the database's single write lock. pysqlite opens its
        # transaction only with a write (or BEGIN IMMEDIATE), so one in progress holds it already.
        connection.execute(text("DELETE FROM audit_log WHERE 1 = 0"))


def chain_append(kind: str, subject_type: str, subject_id: int | None, actor, payload: dict) -> AuditLogEntry:
    """Append one entry in the caller's transaction; flushes."""
    _lock_chain()
    last = db.session.execute(
        select(AuditLogEntry.seq, AuditLogEntry.hash).order_by(AuditLogEntry.seq.desc()).limit(1)
    ).first()
    # Round-trip through JSON so the stored payload is exactly what was hashed.
    safe_payload = json.loads(canonical_json(payload or {}))
    entry = AuditLogEntry(
        seq=(last.seq + 1) if last else 1,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        actor_id=getattr(actor, "id", None),
        payload=safe_payload,
        created_at=utcnow(),
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry_hash(entry)
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class ChainBreak:
    """The first entry that does not verify, and why."""

    seq: int
    entry_id: int
    reason: str  # "hash" (content changed), "link" (previous entry changed or missing), "sequence"


def iter_entries(batch: int = 1000) -> Iterator[AuditLogEntry]:
    last_seq = 0
    while True:
        rows = list(
            db.session.scalars(
                select(AuditLogEntry)
                .where(AuditLogEntry.seq > last_seq)
                .order_by(AuditLogEntry.seq)
                .limit(batch)
            )
        )
        yield from rows
        if len(rows) < batch:
            return
        last_seq = rows[-1].seq


def verify_chain() -> ChainBreak | None:
    """Recompute every link; the first broken entry, or None when the whole chain holds."""
    previous_hash, expected_seq = GENESIS, 1
    for entry in iter_entries():
        if entry.seq != expected_seq:
            return ChainBreak(entry.seq, entry.id, "sequence")
        if entry.prev_hash != previous_hash:
            return ChainBreak(entry.seq, entry.id, "link")
        if entry_hash(entry) != entry.hash:
            return ChainBreak(entry.seq, entry.id, "hash")
        previous_hash, expected_seq = entry.hash, expected_seq + 1
    return None


def entries_for(subject_type: str, subject_id: int) -> list[AuditLogEntry]:
    """One subject's trail, oldest first (shown to a deal's parties)."""
    return list(
        db.session.scalars(
            select(AuditLogEntry)
            .where(AuditLogEntry.subject_type == subject_type, AuditLogEntry.subject_id == subject_id)
            .order_by(AuditLogEntry.seq)
        )
    )
