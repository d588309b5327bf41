"""SQLite's write lock for auction work, taken before the first read and queued fairly in-process.

On PostgreSQL a row lock (``SELECT ... FOR UPDATE``) serialises bids on one auction and nothing
else. SQLite has one writer for the whole file: ``BEGIN IMMEDIATE`` takes it before anything is
read, so no bid can validate against a state another bid is changing. Threads of one process that
all wait in SQLite's busy handler poll with growing sleeps and leave the file idle between
holders; so they first queue on an in-process lock, released when the session's transaction ends
(commit, rollback or close), and only then ask SQLite. Other processes still wait in the busy handler.

On PostgreSQL the bids of one process on one auction queue the same way (``hold_auction_gate``)
before the row lock: then only one of them at a time waits for the row, and each, when its turn
comes, is first checked against the state the previous one committed (auction_committed), so bids
that lost the race meanwhile are refused without taking the row lock at all.
"""

from __future__ import annotations

import threading

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.extensions import db

HELD_KEY = "ipex_sqlite_write_gate"
AUCTION_GATES_KEY = "ipex_auction_gates"
GATE_TIMEOUT_SECONDS = 30  # past it, fall back to SQLite's own busy wait rather than block forever
# Re-entrant: an inline job run from after_commit (tests) may open a second session in the same
# thread while the first still holds the gate; SQLite's own lock is already free by then.
_gates: dict[str, threading.RLock] = {}
_gates_lock = threading.Lock()


def _gate(database: str) -> threading.RLock:
    with _gates_lock:
        return _gates.setdefault(database, threading.RLock())


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


def hold_auction_gate(auction_id: int) -> None:
    """Until this transaction ends, this session is the one in its process that bids on (and waits
    for the row lock of) this auction. SQLite: the database's write lock, which serialises anyway."""
    session = db.session()
    connection = session.connection()  # the transaction has begun: its end releases the gate
    if connection.dialect.name == "sqlite":
        begin_write_transaction()
        return
    held = session.info.setdefault(AUCTION_GATES_KEY, [])
    gate = _gate(f"{connection.engine.url}#auction:{auction_id}")
    if gate not in held and gate.acquire(timeout=GATE_TIMEOUT_SECONDS):
        held.append(gate)


@event.listens_for(Session, "after_transaction_end")
def _release_gate(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        gate = session.info.pop(HELD_KEY, None)
        if gate is not None:
            gate.release()
        for gate in session.info.pop(AUCTION_GATES_KEY, ()):
            gate.release()
