"""Imports run outside the web workers: a bounded pool, each import in a memory-capped child process."""

from pathlib import Path

import pytest

from app.accounts.models import Role, User, UserRole
from app.accounts.passwords import hash_password
from app.catalogue import import_jobs
from app.catalogue.import_models import DONE, FAILED, ImportJob
from app.extensions import db

FIXTURES = Path(__file__).resolve().parents[1] / "catalogue" / "fixtures"


@pytest.fixture
def shared_app(app, app_factory, database_url, tmp_path, monkeypatch):
    """An app on a database a child process can open too, built from the environment like `make run`."""
    url = f"sqlite:///{tmp_path / 'jobs.db'}" if database_url.startswith("sqlite") else database_url
    for name, value in {"DATABASE_URL": url, "IPEX_INSTANCE_PATH": str(tmp_path / "instance")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("IPEX_CONFIG", raising=False)
    shared = app_factory(SQLALCHEMY_DATABASE_URI=url)  # `app` empties PostgreSQL afterwards
    shared.instance_path = str(tmp_path / "instance")
    with shared.app_context():
        if url.startswith("sqlite"):
            db.create_all()
        yield shared


def queued_job(app) -> int:
    user = User(email="importer@example.com", password_hash=hash_password("x" * 12), display_name="Importer")
    user.role_grants = [UserRole(role=Role.RIGHTS_HOLDER.value)]
    db.session.add(user)
    db.session.flush()
    with open(FIXTURES / "patents_good.csv", "rb") as stream:
        job = import_jobs.create_job(user, stream, "patents_good.csv")
    db.session.commit()
    return job.id


def test_a_job_runs_in_a_child_process(shared_app):
    job_id = queued_job(shared_app)
    assert import_jobs.run_in_child(shared_app, job_id) == 0
    db.session.expire_all()
    job = db.session.get(ImportJob, job_id)
    assert job.status == DONE
    assert job.created_count >= 1


def test_a_child_over_its_memory_cap_fails_the_job_and_spares_the_web_process(shared_app):
    shared_app.config["IMPORT_MEMORY_LIMIT_MB"] = 40  # less than the app itself needs
    job_id = queued_job(shared_app)
    assert import_jobs.run_in_child(shared_app, job_id) != 0
    db.session.expire_all()
    job = db.session.get(ImportJob, job_id)
    assert job.status == FAILED
    assert "memory limit 40 MB" in job.failure


def test_the_pool_is_bounded(app):
    app.config["IMPORT_WORKERS"] = 2
    assert import_jobs._pool(app)._max_workers == 2
    assert import_jobs._pool(app) is import_jobs._pool(app)


def test_without_redis_the_default_runner_is_the_child_process(shared_app, monkeypatch):
    started = []
    monkeypatch.setattr(import_jobs, "run_in_child", lambda app, job_id: started.append(job_id))
    shared_app.config.update(IMPORT_JOB_RUNNER="auto", REDIS_URL="")
    assert import_jobs.start(ImportJob(id=7)) == "process"
    import_jobs._pool(shared_app).shutdown(wait=True)
    assert started == [7]


def test_an_in_memory_database_keeps_imports_in_a_pool_thread(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("only SQLite has in-memory databases")
    app.config.update(IMPORT_JOB_RUNNER="auto", REDIS_URL="")
    assert import_jobs._in_memory_database(app.config["SQLALCHEMY_DATABASE_URI"])


def test_the_child_uses_the_apps_database_even_when_the_environment_names_another(shared_app, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent/elsewhere.db")
    job_id = queued_job(shared_app)
    assert import_jobs.run_in_child(shared_app, job_id) == 0
    db.session.expire_all()
    assert db.session.get(ImportJob, job_id).status == DONE
