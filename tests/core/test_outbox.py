"""Outbox: events are written with the change, handled only after commit, retried after failure."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core import outbox
from app.core.outbox import OutboxEvent, emit, handles, retry_due_events
from app.extensions import db


@pytest.fixture
def seen(monkeypatch):
    monkeypatch.setattr(outbox, "_HANDLERS", {})
    calls: list[dict] = []
    handles("thing.happened")(calls.append)
    return calls


def test_handler_runs_after_commit_not_before(app, seen):
    emit("thing.happened", {"n": 1})
    assert seen == []  # still inside the transaction
    db.session.commit()
    assert seen == [{"n": 1}]
    row = db.session.scalar(select(OutboxEvent))
    assert row.processed_at is not None
    assert row.attempts == 0


def test_rollback_discards_event_and_handler_never_runs(app, seen):
    emit("thing.happened", {"n": 2})
    db.session.rollback()
    db.session.commit()
    assert seen == []
    assert db.session.scalar(select(func.count(OutboxEvent.id))) == 0


def test_failed_handler_is_retried_by_the_tick(app, monkeypatch, frozen_clock):
    monkeypatch.setattr(outbox, "_HANDLERS", {})
    calls = []

    @handles("flaky")
    def flaky(payload):
        calls.append(payload)
        if len(calls) == 1:
            raise RuntimeError("mail server down")

    emit("flaky", {"n": 3})
    db.session.commit()
    row = db.session.scalar(select(OutboxEvent))
    assert row.processed_at is None
    assert row.attempts == 1
    assert "mail server down" in row.last_error
    retry_due_events()
    assert len(calls) == 1  # not yet due: back-off
    frozen_clock.advance(timedelta(minutes=5))
    retry_due_events()
    db.session.expire_all()
    assert len(calls) == 2
    assert db.session.get(OutboxEvent, row.id).processed_at is not None


def test_an_event_is_claimed_once(app, seen):
    emit("thing.happened", {"n": 4})
    db.session.commit()
    row_id = db.session.scalar(select(OutboxEvent.id))
    assert outbox.dispatch([row_id]) == {row_id: "skipped"}  # already processed
    assert len(seen) == 1


def test_thread_runner_handles_the_event_off_the_request(app_factory, database_url, tmp_path, monkeypatch):
    """With JOB_RUNNER=thread the handler runs in a worker thread; the test waits on an Event."""
    monkeypatch.setattr(outbox, "_HANDLERS", {})
    done = threading.Event()
    names = []

    @handles("threaded")
    def record(payload):
        names.append(threading.current_thread().name)
        done.set()

    url = f"sqlite:///{tmp_path / 'outbox.db'}" if database_url.startswith("sqlite") else database_url
    threaded = app_factory(SQLALCHEMY_DATABASE_URI=url, JOB_RUNNER="thread")
    with threaded.app_context():
        if url.startswith("sqlite"):
            db.create_all()
        emit("threaded", {})
        db.session.commit()
        assert done.wait(timeout=30)
        for worker in [t for t in threading.enumerate() if t.name.startswith("job-")]:
            worker.join(timeout=30)  # it commits and returns its connection before the engine closes
        assert names[0].startswith("job-")
        db.session.remove()
