"""One way to run work in the background: RQ when ``REDIS_URL`` is set, a worker thread otherwise.

``JOB_RUNNER`` = auto | rq | thread | inline chooses (auto: rq with Redis, else thread; tests use
inline, which runs at once in a fresh app context and so in its own database session). The
function must be importable by name (RQ pickles a reference to it) and take JSON-safe arguments.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask, current_app, has_app_context

from app.extensions import db

log = logging.getLogger(__name__)
DEFAULT_QUEUE = "default"


def runner_name(app: Flask | None = None) -> str:
    app = app or current_app
    runner = app.config.get("JOB_RUNNER", "auto")
    if runner == "auto":
        return "rq" if app.config.get("REDIS_URL") else "thread"
    return runner


def enqueue(func: Callable, *args, queue: str = DEFAULT_QUEUE, **kwargs) -> str:
    """Run ``func(*args, **kwargs)`` in the background inside an app context; returns the runner."""
    app = current_app._get_current_object()  # noqa: SLF001  (the real app, for another thread)
    runner = runner_name(app)
    if runner == "rq":
        rq_queue(queue).enqueue(run_in_app, func, *args, job_timeout=3600, **kwargs)
    elif runner == "thread":
        threading.Thread(
            target=_thread_main, args=(app, func, args, kwargs), name=f"job-{func.__name__}", daemon=True
        ).start()
    else:
        _thread_main(app, func, args, kwargs)
    return runner


def rq_queue(name: str = DEFAULT_QUEUE):
    from redis import Redis
    from rq import Queue

    return Queue(name, connection=Redis.from_url(current_app.config["REDIS_URL"]))


def run_in_app(func: Callable, *args, **kwargs):
    """RQ entry point: reuse the worker's app context, or build the app."""
    if has_app_context():
        return func(*args, **kwargs)
    from app import create_app

    with create_app().app_context():
        return func(*args, **kwargs)


def _thread_main(app: Flask, func: Callable, args: tuple, kwargs: dict) -> None:
    with app.app_context():
        try:
            func(*args, **kwargs)
        except Exception:  # a background failure must be logged, never lost silently
            log.exception("background job %s failed", getattr(func, "__name__", func))
            db.session.rollback()
        finally:
            db.session.remove()
