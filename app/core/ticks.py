"""Periodic work: ``@periodic("name", every=...)`` registers a task; ``run_tick`` runs the due ones.

``flask market tick`` (cron or an RQ scheduler in production) and, in the embedded default, a
background thread both call ``run_tick``. A row in ``leases`` makes the tick exclusive across
processes: a lease is taken by a conditional write that only one writer can win, and it expires,
so a crashed holder never blocks the others for long. Each task also holds its own lease for its
interval, which is how "at most once a day" survives restarts. Tasks must be idempotent.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import String, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import clock
from app.core.models import UTCDateTime
from app.extensions import db

log = logging.getLogger(__name__)
TICK_LEASE = "market-tick"
TICK_LEASE_SECONDS = 300


class Lease(db.Model):
    """Who may run a named piece of exclusive work, until when."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))  # host:pid:random of the taker
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire_lease(name: str, holder: str, ttl: timedelta, *, renew: bool = True) -> bool:
    """Take the lease if free or expired (or, with ``renew``, already ours); own connection, commits."""
    now = clock.now()
    free = Lease.expires_at <= now
    with db.engine.begin() as connection:
        taken = connection.execute(
            update(Lease)
            .where(Lease.name == name, (free | (Lease.holder == holder)) if renew else free)
            .values(holder=holder, expires_at=now + ttl)
        ).rowcount
    if taken:
        return True
    try:
        with db.engine.begin() as connection:
            connection.execute(insert(Lease).values(name=name, holder=holder, expires_at=now + ttl))
    except IntegrityError:  # someone else holds it (or took it a moment ago)
        return False
    return True


def release_lease(name: str, holder: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            update(Lease).where(Lease.name == name, Lease.holder == holder).values(expires_at=clock.now())
        )


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    func: Callable[[], object]
    every: timedelta


_TASKS: dict[str, PeriodicTask] = {}


def periodic(name: str, every: timedelta = timedelta(minutes=1)) -> Callable:
    """Register ``func`` to run from the tick at most once per ``every``."""

    def decorator(func: Callable) -> Callable:
        _TASKS[name] = PeriodicTask(name, func, every)
        return func

    return decorator


def registered_tasks() -> dict[str, PeriodicTask]:
    return dict(_TASKS)


def run_tick(holder: str | None = None) -> dict[str, str] | None:
    """Run every due task under the tick lease; None when another process holds it.

    Each task commits its own work; a failing task is rolled back, logged and retried at the next
    tick (its interval lease is given back) without stopping the others.
    """
    holder = holder or holder_id()
    if not acquire_lease(TICK_LEASE, holder, timedelta(seconds=TICK_LEASE_SECONDS)):
        return None
    outcome: dict[str, str] = {}
    try:
        for task in sorted(_TASKS.values(), key=lambda t: t.name):
            outcome[task.name] = _run_task(task, holder)
    finally:
        release_lease(TICK_LEASE, holder)
    return outcome


def _run_task(task: PeriodicTask, holder: str) -> str:
    lease = f"task:{task.name}"
    if not acquire_lease(lease, holder, task.every, renew=False):
        return "not due"
    try:
        task.func()
        db.session.commit()
    except Exception:  # one broken task must not starve the others
        log.exception("periodic task %s failed", task.name)
        db.session.rollback()
        release_lease(lease, holder)
        return "failed"
    return "ran"


class TickThread(threading.Thread):
    """The embedded default's scheduler: calls run_tick every ``interval`` seconds until stopped."""

    def __init__(self, app: Flask, interval: float) -> None:
        super().__init__(name="market-tick", daemon=True)
        self.app, self.interval = app, interval
        self.stopped = threading.Event()
        self.holder = holder_id()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            with self.app.app_context():
                try:
                    run_tick(self.holder)
                except Exception:  # keep ticking: the next run retries
                    log.exception("market tick failed")
                finally:
                    db.session.remove()

    def stop(self) -> None:
        self.stopped.set()


_thread_lock = threading.Lock()


def start_tick_thread(app: Flask) -> TickThread | None:
    """Start the app's tick thread once (MARKET_TICK_SECONDS > 0); the lease keeps it exclusive."""
    interval = float(app.config.get("MARKET_TICK_SECONDS", 0) or 0)
    if interval <= 0:
        return None
    with _thread_lock:
        thread = app.extensions.get("market_tick_thread")
        if thread is None:
            thread = TickThread(app, interval)
            app.extensions["market_tick_thread"] = thread
            thread.start()
    return thread
