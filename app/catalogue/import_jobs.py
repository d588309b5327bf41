"""Imports that run in the background: the upload page creates an ImportJob and returns at once.

A job runs as an RQ job when ``REDIS_URL`` is set (``rq worker imports``), otherwise a bounded
pool of background threads runs it in a memory-capped child process (see ``start``). Either way ``perform`` does the work: it reads the
stored file through ``run_import`` (same all-or-nothing / skip-bad rules as the command line) and
commits the records together with the job's report. Progress (documents read, records written)
is written through a separate connection so pages can poll it while the import's own
transaction is still open; on SQLite, whose single writer is then busy, only the reading phase
reports progress. ``IMPORT_JOB_RUNNER`` = auto | rq | process | thread | inline chooses the runner.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import threading
import time
import uuid
import weakref
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

from flask import Flask, current_app
from flask_babel import force_locale
from sqlalchemy import select, update
from werkzeug.utils import secure_filename

from app.accounts.models import User
from app.catalogue.import_models import DONE, FAILED, QUEUED, RUNNING, ImportJob
from app.catalogue.importers.uspto_xml import count_documents
from app.catalogue.importing import resolve_format, run_import
from app.catalogue.states import IMPORT_JOB
from app.core.actors import system_actor
from app.core.lifecycle import apply_transition
from app.core.models import utcnow
from app.extensions import db

log = logging.getLogger(__name__)
QUEUE_NAME = "imports"
PROGRESS_EVERY = 0.5  # seconds between progress writes


def imports_folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def create_job(
    user: User,
    stream: IO[bytes],
    filename: str,
    fmt: str = "auto",
    skip_bad: bool = False,
    locale: str = "zh",
) -> ImportJob:
    """Store the upload under the instance folder and queue a job for it (flushes, no commit)."""
    name = secure_filename(filename or "") or "upload"
    relative = Path("imports") / uuid.uuid4().hex / name
    target = Path(current_app.instance_path) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as handle:
        while chunk := stream.read(1 << 20):
            handle.write(chunk)
    resolve_format(target, fmt)  # an unknown format is refused now, not in the worker
    job = ImportJob(
        user_id=user.id,
        file_name=(filename or name)[-300:],
        stored_path=str(relative),
        requested_format=fmt,
        skip_bad=skip_bad,
        locale=locale,
        status=QUEUED,
    )
    db.session.add(job)
    db.session.flush()
    return job


def start(job: ImportJob) -> str:
    """Hand a committed job to its runner; returns the runner's name.

    Imports never run on a web worker's request thread: RQ workers take them when Redis is
    configured; otherwise a small pool of background threads does, each running the import in a
    child process with a memory cap ("process"), or in the thread itself ("thread", for tests
    and setups where a child cannot rebuild the app from the environment).
    """
    runner = current_app.config.get("IMPORT_JOB_RUNNER", "auto")
    if runner == "auto":
        runner = "rq" if current_app.config.get("REDIS_URL") else "process"
        if runner == "process" and _in_memory_database(current_app.config["SQLALCHEMY_DATABASE_URI"]):
            runner = "thread"  # a child process could not see an in-memory database
    app = current_app._get_current_object()  # noqa: SLF001  (the real app for the pool)
    if runner == "rq":
        import_queue().enqueue(run_job, job.id, job_timeout=3600, result_ttl=3600, failure_ttl=86400)
    elif runner == "process":
        _pool(app).submit(run_in_child, app, job.id)
    elif runner == "thread":
        _pool(app).submit(_thread_main, app, job.id)
    else:
        perform(job.id)
    return runner


_pools: weakref.WeakKeyDictionary[Flask, ThreadPoolExecutor] = weakref.WeakKeyDictionary()
_pools_lock = threading.Lock()


def _pool(app: Flask) -> ThreadPoolExecutor:
    """One bounded pool per app: at most IMPORT_WORKERS imports run at once, the rest queue."""
    with _pools_lock:
        if app not in _pools:
            workers = max(1, int(app.config.get("IMPORT_WORKERS", 1)))
            _pools[app] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="import")
        return _pools[app]


def run_in_child(app: Flask, job_id: int) -> int:
    """Run the job in a fresh process capped at IMPORT_MEMORY_LIMIT_MB; returns its exit code.

    The child rebuilds the app from the environment (IPEX_CONFIG, DATABASE_URL, ...), so it sees
    the same database and instance folder. If it dies without finishing the job (out of memory,
    killed), the job is marked failed here so its page does not wait forever.
    """
    limit_mb = int(app.config.get("IMPORT_MEMORY_LIMIT_MB", 1024))
    # The child reads its configuration from the environment: point it at this app's database,
    # instance folder and key even when they were not configured through the environment.
    environment = {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "IPEX_INSTANCE_PATH": app.instance_path,
        "SECRET_KEY": app.config["SECRET_KEY"],
    }
    child = multiprocessing.get_context("spawn").Process(
        target=_child_main, args=(job_id, limit_mb, environment), name=f"import-{job_id}", daemon=True
    )
    child.start()
    child.join()
    with app.app_context():
        _fail_unfinished(job_id, limit_mb, child.exitcode)
        db.session.remove()
    return child.exitcode


def _in_memory_database(uri: str) -> bool:
    return uri.startswith("sqlite") and (uri in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in uri)


def _child_main(job_id: int, limit_mb: int, environment: dict[str, str]) -> None:
    """Entry point of the child: cap the address space first, then build the app and import."""
    limit = limit_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.environ.update(environment)
    from app import create_app
    from config import config_from_env

    # config.py was imported (with the old environment) before this ran: name the database here.
    base = config_from_env()
    config = type("ImportChildConfig", (base,), {"SQLALCHEMY_DATABASE_URI": environment["DATABASE_URL"]})
    with create_app(config).app_context():
        perform(job_id)


def _fail_unfinished(job_id: int, limit_mb: int, exitcode: int | None) -> None:
    """A job the child left queued or running will never finish: say so (a finished one is kept)."""
    db.session.expire_all()  # the child wrote through its own connection
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status not in (QUEUED, RUNNING):
        return
    _fail(job_id, f"the import process ended with code {exitcode} before finishing (memory limit {limit_mb} MB)")


def import_queue():
    """The RQ queue (IMPORT_QUEUE, "imports" by default) on REDIS_URL."""
    from redis import Redis
    from rq import Queue

    name = current_app.config.get("IMPORT_QUEUE", QUEUE_NAME)
    return Queue(name, connection=Redis.from_url(current_app.config["REDIS_URL"]))


def run_job(job_id: int) -> str:
    """RQ entry point: reuse the app context a worker provides, or build the app."""
    from flask import has_app_context

    if has_app_context():
        return perform(job_id)
    from app import create_app

    with create_app().app_context():
        return perform(job_id)


def _thread_main(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            perform(job_id)
        finally:
            db.session.remove()


def estimate_documents(path: Path, importer: str) -> int | None:
    """How many documents the file holds, cheaply, for the progress bar (None if unknown)."""
    try:
        if importer == "uspto-xml":
            return count_documents(path)
        if path.suffix.lower() in (".csv", ".jsonl", ".txt", ""):
            with open(path, "rb") as handle:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
            return max(lines - (0 if path.suffix.lower() == ".jsonl" else 1), 1)
    except (OSError, ValueError, zipfile.BadZipFile):  # the import itself reports why
        return None
    return None


class Progress:
    """Throttled progress writes on their own connection, visible before the import commits."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.read = self.written = 0
        self.last = 0.0
        self.write_phase_visible = db.engine.dialect.name != "sqlite"

    def on_read(self, n: int) -> None:
        self.read += n
        self._save(documents_read=self.read)

    def on_written(self, n: int) -> None:
        self.written += n
        if self.write_phase_visible:
            self._save(records_written=self.written)

    def _save(self, **values: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        with db.engine.begin() as connection:
            connection.execute(update(ImportJob).where(ImportJob.id == self.job_id).values(**values))


def perform(job_id: int) -> str:
    """Run one queued job to DONE (or FAILED); the records and the report commit together."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status != QUEUED:
        return job.status if job else "missing"
    path = Path(current_app.instance_path) / job.stored_path
    user = db.session.get(User, job.user_id) if job.user_id else None
    try:
        importer = resolve_format(path, job.requested_format)
        apply_transition(IMPORT_JOB, job, "start", actor=user or system_actor())
        job.format, job.started_at = importer, utcnow()
        job.documents_total = estimate_documents(path, importer)
        db.session.commit()
        progress = Progress(job.id)
        with force_locale(job.locale):
            outcome = run_import(
                path,
                user,
                fmt=job.requested_format,
                skip_bad=job.skip_bad,
                progress=progress.on_read,
                written=progress.on_written,
                display_name=job.file_name,
            )
        job = db.session.get(ImportJob, job_id)
        job.documents_read = outcome.documents
        job.records_written = sum(outcome.counts.values())
        job.documents_total = max(job.documents_total or 0, outcome.documents)
        job.created_count = outcome.counts.get("created", 0)
        job.updated_count = outcome.counts.get("updated", 0)
        job.unchanged_count = outcome.counts.get("unchanged", 0)
        job.written = outcome.written
        job.errors = [error.to_json() for error in outcome.errors]
        apply_transition(IMPORT_JOB, job, "finish", actor=user or system_actor())
        job.finished_at = utcnow()
        db.session.commit()
    except Exception as exc:  # any failure must end the job, or its page would wait forever
        log.exception("import job %s failed", job_id)
        db.session.rollback()
        _fail(job_id, f"{type(exc).__name__}: {exc}"[:500])
        return FAILED
    return DONE


def _fail(job_id: int, failure: str) -> None:
    """End a job that stopped unexpectedly (its own records were rolled back)."""
    job = db.session.get(ImportJob, job_id)
    user = db.session.get(User, job.user_id) if job.user_id else None
    apply_transition(IMPORT_JOB, job, "fail", actor=user or system_actor(), reason=failure)
    job.failure, job.finished_at = failure, utcnow()
    db.session.commit()


def jobs_of(user: User, limit: int = 50):
    """select() of a user's jobs, newest first."""
    return (
        select(ImportJob)
        .where(ImportJob.user_id == user.id)
        .order_by(ImportJob.created_at.desc(), ImportJob.id.desc())
        .limit(limit)
    )


def status_json(job: ImportJob) -> dict[str, object]:
    """What the progress script needs."""
    return {
        "id": job.id,
        "status": job.status,
        "finished": job.finished,
        "percent": job.percent,
        "documents_read": job.documents_read,
        "documents_total": job.documents_total,
        "records_written": job.records_written,
        "created": job.created_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "rejected": len(job.errors or []),
    }
