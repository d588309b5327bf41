"""SQLite's write lock for auction work, taken before the first read and queued fairly in-process.

On PostgreSQL a row lock (``SELECT ... FOR UPDATE``) serialises bids on one auction and nothing
else. SQLite has one writer for the whole file: ``BEGIN IMMEDIATE`` takes it before anything is
read, so no bid can validate against a state another bid is changing. Threads of one process that
all wait in SQLite's busy handler poll with growing sleeps and leave the file idle between
holders; so they first queue on an in-process lock, released when the session's transaction ends
(commit, rollback or close), and only then ask SQLite. Other processes still wait in the busy handler.
"""

from __future__ import annotations

import threading

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db

HELD_KEY = "ipex_sqlite_write_gate"
GATE_TIMEOUT_SECONDS = 30  # past it, fall back to SQLite's own busy wait rather than block forever
_gates: dict[str, threading.Lock] = {}
_gates_lock = threading.Lock()


def _gate(database: str) -> threading.Lock:
    with _gates_lock:
        return _gates.setdefault(database, threading.Lock())


def begin_write_transaction() -> None:
    """SQLite only: hold the database's write lock until this transaction ends.

    pysqlite opens transactions lazily (before the first INSERT/UPDATE), so a transaction already
    in progress has written and therefore holds the write lock already.
    """
    session = db.session()
    connection = session.connection()
    if connection.dialect.name != "sqlite" or connection.connection.driver_connection.in_transaction:
        return
    gate = _gate(str(connection.engine.url))
    if gate.acquire(timeout=GATE_TIMEOUT_SECONDS):
        session.info[HELD_KEY] = gate
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@event.listens_for(Session, "after_transaction_end")
def _release_gate(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        gate = session.info.pop(HELD_KEY, None)
        if gate is not None:
            gate.release()
