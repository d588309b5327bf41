"""An append-only audit log whose entries are chained by SHA-256, so tampering is evident.

Each entry's hash covers its own canonical JSON and the previous entry's hash; editing, deleting
or re-ordering any entry breaks every later link, and ``verify_chain`` names the first entry that
no longer matches. Appends are serialised (a transaction-scoped advisory lock on PostgreSQL, the
database write lock on SQLite) and ``seq`` is unique, so two writers can never fork the chain.

Busy subjects keep a chain of their own (a *stream*, e.g. ``auction:42`` for an auction's bids), so
their appends do not queue on the platform-wide lock: the owner serialises appends to its stream
with a lock it holds anyway (the auction's row lock) and keeps the stream's head (seq and hash) on
its own row. A stream entry's hash also covers the stream's name, so no entry moves between chains
unnoticed; the owner's stored head anchors the stream's end (``register_stream_heads``), so
``verify_chain`` also finds entries cut from a stream's end or a stream deleted whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import UTCDateTime, utcnow
from app.extensions import db

GENESIS = "0" * 64
GLOBAL_STREAM = ""
ADVISORY_LOCK_KEY = 0x1BE7_0A0D  # an arbitrary constant that names "the audit chain"


class AuditLogEntry(db.Model):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_subject", "subject_type", "subject_id"),
        UniqueConstraint("stream", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The chain the entry belongs to: "" for the platform-wide chain, else e.g. "auction:42".
    stream: Mapped[str] = mapped_column(String(80), default=GLOBAL_STREAM, server_default=GLOBAL_STREAM)
    seq: Mapped[int]  # position in its stream's chain, 1, 2, 3 ... without gaps
    kind: Mapped[str] = mapped_column(String(60))  # e.g. "offer.accept"
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)  # canonical-JSON-safe facts
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def canonical(self) -> dict:
        stream = {"stream": self.stream} if self.stream else {}  # global entries hash as they always did
        return {
            **stream,
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
        select(AuditLogEntry.seq, AuditLogEntry.hash)
        .where(AuditLogEntry.stream == GLOBAL_STREAM)
        .order_by(AuditLogEntry.seq.desc())
        .limit(1)
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


def stream_entry(
    stream: str,
    head: tuple[int, str] | None,
    kind: str,
    subject_type: str,
    subject_id: int | None,
    actor_id: int | None,
    payload: dict,
    created_at: datetime,
) -> dict:
    """The column values of the entry after ``head`` (seq, hash; None for the first) in ``stream``.

    Pure: the caller holds the lock that serialises the stream, inserts the values (ORM or Core)
    and stores the new head (``values["seq"]``, ``values["hash"]``) on the row that anchors it.
    """
    entry = AuditLogEntry(
        stream=stream,
        seq=head[0] + 1 if head else 1,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        actor_id=actor_id,
        payload=json.loads(canonical_json(payload or {})),  # stored exactly as hashed
        created_at=created_at,
        prev_hash=head[1] if head else GENESIS,
    )
    values = entry.canonical()
    values.update(stream=stream, payload=entry.payload, created_at=created_at, hash=entry_hash(entry))
    return values


# A stream's owner says where each of its streams ends: prefix -> () -> [(stream, seq, hash)].
StreamHeads = Callable[[], Iterable[tuple[str, int, str | None]]]
_STREAM_HEADS: dict[str, StreamHeads] = {}


def register_stream_heads(prefix: str, heads: StreamHeads) -> None:
    """Let ``verify_chain`` check the streams named ``prefix...`` against the heads their owner keeps."""
    _STREAM_HEADS[prefix] = heads


@dataclass(frozen=True)
class ChainBreak:
    """The first entry that does not verify, and why."""

    seq: int
    entry_id: int  # 0 when the entry is missing (a stream's anchored end)
    reason: str  # "hash" (content changed), "link" (previous entry changed or missing), "sequence", "end"
    stream: str = GLOBAL_STREAM


def iter_entries(batch: int = 1000, stream: str | None = None) -> Iterator[AuditLogEntry]:
    """Every entry (or one stream's), the global chain first, then stream by stream, in chain order."""
    last = ("", 0)
    while True:
        query = select(AuditLogEntry).where(
            AuditLogEntry.stream >= last[0],
            (AuditLogEntry.stream != last[0]) | (AuditLogEntry.seq > last[1]),
        )
        if stream is not None:
            query = query.where(AuditLogEntry.stream == stream)
        rows = list(db.session.scalars(query.order_by(AuditLogEntry.stream, AuditLogEntry.seq).limit(batch)))
        yield from rows
        if len(rows) < batch:
            return
        last = (rows[-1].stream, rows[-1].seq)


def verify_chain() -> ChainBreak | None:
    """Recompute every link of every stream and check each anchored stream's end; the first broken
    entry, or None when every chain holds."""
    stream, previous_hash, expected_seq = None, GENESIS, 1
    ends: dict[str, tuple[int, str]] = {}
    for entry in iter_entries():
        if entry.stream != stream:
            stream, previous_hash, expected_seq = entry.stream, GENESIS, 1
        if entry.seq != expected_seq:
            return ChainBreak(entry.seq, entry.id, "sequence", stream)
        if entry.prev_hash != previous_hash:
            return ChainBreak(entry.seq, entry.id, "link", stream)
        if entry_hash(entry) != entry.hash:
            return ChainBreak(entry.seq, entry.id, "hash", stream)
        previous_hash, expected_seq = entry.hash, expected_seq + 1
        ends[stream] = (entry.seq, entry.hash)
    return _check_stream_ends(ends)


def _check_stream_ends(ends: dict[str, tuple[int, str]]) -> ChainBreak | None:
    """Each owner's stored head must be its stream's last entry (entries cut from the end, or a
    stream deleted whole, leave the head pointing past the log); no stream may lack its owner's head."""
    for prefix, heads in _STREAM_HEADS.items():
        anchored = {name: (seq, head) for name, seq, head in heads() if seq}
        for name, (seq, head) in sorted(anchored.items()):
            if ends.get(name, (0, None)) != (seq, head):
                return ChainBreak(seq, 0, "end", name)
        for name, (seq, _hash) in sorted(ends.items()):
            if name.startswith(prefix) and name not in anchored:
                return ChainBreak(seq, 0, "end", name)
    return None


def entries_for(subject_type: str, subject_id: int) -> list[AuditLogEntry]:
    """One subject's trail, oldest first (shown to a deal's parties)."""
    return list(
        db.session.scalars(
            select(AuditLogEntry)
            .where(AuditLogEntry.subject_type == subject_type, AuditLogEntry.subject_id == subject_id)
            .order_by(AuditLogEntry.id)  # insertion order: a subject's entries may span two streams
        )
    )
