"""Leases make the periodic tick exclusive; tasks run at most once per interval."""

import threading
from datetime import timedelta

import pytest

from app.core import ticks
from app.core.ticks import acquire_lease, periodic, release_lease, run_tick
from app.extensions import db


@pytest.fixture
def file_app(app_factory, database_url, tmp_path):
    """An app on a database that separate connections share (a file, for SQLite)."""
    url = f"sqlite:///{tmp_path / 'lease.db'}" if database_url.startswith("sqlite") else database_url
    app = app_factory(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        if url.startswith("sqlite"):
            db.create_all()
        yield app


def test_lease_is_exclusive_between_two_threads(file_app):
    """Both threads try at the same moment (a barrier); exactly one wins."""
    barrier = threading.Barrier(2)
    results: dict[str, bool] = {}

    def contender(name: str) -> None:
        with file_app.app_context():
            barrier.wait()
            results[name] = acquire_lease("exclusive-test", name, timedelta(minutes=5))
            db.session.remove()

    threads = [threading.Thread(target=contender, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [False, True]


def test_lease_expires_and_is_released(app, frozen_clock):
    assert acquire_lease("l", "one", timedelta(minutes=1))
    assert not acquire_lease("l", "two", timedelta(minutes=1))
    assert acquire_lease("l", "one", timedelta(minutes=1))  # the holder renews
    frozen_clock.advance(timedelta(minutes=2))
    assert acquire_lease("l", "two", timedelta(minutes=1))  # expired: taken over
    release_lease("l", "two")
    assert acquire_lease("l", "three", timedelta(minutes=1))


@pytest.fixture
def counting_task(monkeypatch):
    monkeypatch.setattr(ticks, "_TASKS", {})
    calls = []
    periodic("count", every=timedelta(hours=1))(lambda: calls.append(1))
    return calls


def test_tick_runs_a_task_once_per_interval(app, frozen_clock, counting_task):
    assert run_tick("me") == {"count": "ran"}
    assert run_tick("me") == {"count": "not due"}
    frozen_clock.advance(timedelta(hours=1, seconds=1))
    assert run_tick("me") == {"count": "ran"}
    assert len(counting_task) == 2


def test_tick_skips_while_another_process_holds_the_lease(app, frozen_clock, counting_task):
    assert acquire_lease(ticks.TICK_LEASE, "other-process", timedelta(minutes=5))
    assert run_tick("me") is None
    assert counting_task == []


def test_failing_task_is_retried_at_the_next_tick(app, frozen_clock, monkeypatch):
    monkeypatch.setattr(ticks, "_TASKS", {})
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("boom")

    periodic("flaky", every=timedelta(days=1))(flaky)
    assert run_tick("me") == {"flaky": "failed"}
    assert run_tick("me") == {"flaky": "ran"}


def test_tick_command(runner, app, monkeypatch):
    monkeypatch.setattr(ticks, "_TASKS", {})
    periodic("hello", every=timedelta(minutes=1))(lambda: None)
    result = runner.invoke(args=["market", "tick"])
    assert result.exit_code == 0
    assert "hello: ran" in result.output
