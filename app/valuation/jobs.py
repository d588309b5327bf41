"""Revaluation as RQ jobs on Redis when REDIS_URL is set, so bulk work can spread over worker machines.

Start workers with ``rq worker valuation --url $REDIS_URL`` (each worker builds the app itself).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app, has_app_context

QUEUE = "valuation"
JOB_CHUNK = 5000


def queue(url: str | None = None, name: str = QUEUE):
    """The RQ queue on the configured Redis."""
    from redis import Redis
    from rq import Queue

    return Queue(name, connection=Redis.from_url(url or current_app.config["REDIS_URL"]))


def enqueue_revalue(
    ids: Sequence[int], actor_id: int | None = None, *, q=None, chunk: int = JOB_CHUNK
) -> list:
    """One job per chunk of patent ids; returns the RQ jobs."""
    q = q or queue()
    return [
        q.enqueue(revalue_job, list(ids[start : start + chunk]), actor_id, job_timeout=3600, result_ttl=86400)
        for start in range(0, len(ids), chunk)
    ]


def revalue_job(ids: list[int], actor_id: int | None = None) -> int:
    """Worker entry point: value and store these patents with today's active parameter sets."""
    if has_app_context():
        return _run(ids, actor_id)
    from app import create_app

    with create_app().app_context():
        return _run(ids, actor_id)


def _run(ids: list[int], actor_id: int | None) -> int:
    from app.valuation.batch import revalue
    from app.valuation.services import load_config

    return revalue(ids, load_config(), actor_id)
