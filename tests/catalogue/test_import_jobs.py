"""Background imports: jobs, their pages and status JSON, and the thread and RQ runners."""

import os
import time
import uuid

import pytest
from sqlalchemy import select

from app.accounts.models import Role, User, UserRole
from app.accounts.passwords import hash_password
from app.catalogue import import_jobs
from app.catalogue.import_models import DONE, FAILED, QUEUED, ImportJob
from app.catalogue.models import Patent
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD, IsolatedClient

from .conftest import FIXTURES

EN = {"Accept-Language": "en"}
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _upload(client, path, follow=True, **fields):
    with open(path, "rb") as handle:
        data = {"file": (handle, path.name), "format": "auto", **fields}
        return client.post("/catalogue/import", data=data, content_type="multipart/form-data", headers=EN,
                           follow_redirects=follow)  # fmt: skip


def test_upload_creates_a_job_and_redirects_to_its_report(client, auth, holder, app):
    auth.login(holder)
    response = _upload(client, FIXTURES / "uspto_mixed.xml", follow=False)
    job = db.session.scalar(select(ImportJob))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/catalogue/imports/{job.id}")
    assert job.user_id == holder.id
    assert job.status == DONE
    assert job.format == "uspto-xml"
    assert job.documents_total == 4  # four documents declared in the file
    assert (import_jobs.Path(app.instance_path) / job.stored_path).is_file()  # kept under instance/imports/
    page = client.get(f"/catalogue/imports/{job.id}", headers=EN)
    text = page.get_data(as_text=True)
    assert page.status_code == 422  # all or nothing: a bad document means nothing was written
    assert "Nothing was imported" in text
    assert "document 4" in text
    status = client.get(f"/catalogue/imports/{job.id}/status.json").get_json()
    assert status["finished"] is True
    assert status["percent"] == 100
    assert status["rejected"] == len(job.errors) > 0


def test_skip_bad_job_writes_the_good_rows_and_lists_the_rest(client, auth, holder):
    auth.login(holder)
    text = _upload(client, FIXTURES / "patents_bad.csv", skip_bad="1").get_data(as_text=True)
    assert "The good rows were imported" in text
    assert "line 3" in text
    assert db.session.query(Patent).count() == 1
    listing = client.get("/catalogue/imports", headers=EN).get_data(as_text=True)
    assert "patents_bad.csv" in listing
    assert "My imports" in listing


def test_reports_keep_template_and_params_and_translate_when_read(client, auth, holder):
    auth.login(holder)
    _upload(client, FIXTURES / "patents_bad.csv")
    job = db.session.scalar(select(ImportJob))
    assert all({"template", "params", "file", "location", "field"} <= set(e) for e in job.errors)
    zh = client.get(f"/catalogue/imports/{job.id}", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "第 3 行" in zh
    assert "Nothing was imported" not in zh


def test_jobs_are_private_to_their_uploader(client, auth, holder, other_holder, admin):
    auth.login(holder)
    _upload(client, FIXTURES / "patents_good.csv")
    job = db.session.scalar(select(ImportJob))
    auth.logout()
    auth.login(other_holder)
    assert client.get(f"/catalogue/imports/{job.id}").status_code == 404
    assert client.get(f"/catalogue/imports/{job.id}/status.json").status_code == 404
    assert "patents_good.csv" not in client.get("/catalogue/imports").get_data(as_text=True)
    auth.logout()
    auth.login(admin)
    assert client.get(f"/catalogue/imports/{job.id}").status_code == 200


def test_running_job_page_polls_and_refreshes_without_js(client, auth, holder, app):
    app.config["IMPORT_JOB_RUNNER"] = "manual"  # nothing runs it: the job stays queued
    auth.login(holder)
    with open(FIXTURES / "patents_good.csv", "rb") as handle:
        job = import_jobs.create_job(holder, handle, "patents_good.csv")
    db.session.commit()
    text = client.get(f"/catalogue/imports/{job.id}", headers=EN).get_data(as_text=True)
    assert 'http-equiv="refresh"' in text
    assert "js/catalogue_import.js" in text
    assert "<script>" not in text  # no inline script: CSP is script-src 'self'
    assert "You can leave this page" in text
    status = client.get(f"/catalogue/imports/{job.id}/status.json").get_json()
    assert status["status"] == QUEUED
    assert status["finished"] is False


def test_a_crashing_job_ends_failed_not_stuck(client, auth, holder, app):
    auth.login(holder)
    with open(FIXTURES / "patents_good.csv", "rb") as handle:
        job = import_jobs.create_job(holder, handle, "x.csv")
    db.session.commit()
    (import_jobs.Path(app.instance_path) / job.stored_path).unlink()
    assert import_jobs.perform(job.id) == FAILED
    db.session.refresh(job)
    assert job.status == FAILED
    assert job.failure
    text = client.get(f"/catalogue/imports/{job.id}", headers=EN).get_data(as_text=True)
    assert "nothing was imported" in text


def _user_in(app) -> User:
    with app.app_context():
        user = User(email=f"{uuid.uuid4().hex[:8]}@example.com", password_hash=hash_password(DEFAULT_PASSWORD),
                    display_name="Runner", active=True)  # fmt: skip
        user.role_grants = [UserRole(role=Role.RIGHTS_HOLDER.value)]
        db.session.add(user)
        db.session.commit()
        return user.email


def _wait_for(client, job_id: int, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    seen = []
    while time.monotonic() < deadline:
        status = client.get(f"/catalogue/imports/{job_id}/status.json").get_json()
        seen.append(status["status"])
        if status["finished"]:
            status["seen"] = seen
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {seen[-5:]}")


def test_thread_runner_imports_in_the_background(app, app_factory, database_url, tmp_path):
    url = f"sqlite:///{tmp_path / 'jobs.db'}" if database_url.startswith("sqlite") else database_url
    other = app_factory(SQLALCHEMY_DATABASE_URI=url, IMPORT_JOB_RUNNER="thread", PASSWORD_HASH_FAST=True)
    other.instance_path = str(tmp_path / "instance")
    if url.startswith("sqlite"):
        with other.app_context():
            db.create_all()
    email = _user_in(other)
    other.test_client_class = IsolatedClient
    client = other.test_client()
    client.post("/login", data={"email": email, "password": DEFAULT_PASSWORD})
    response = _upload(client, FIXTURES / "patents_good.csv", follow=False)
    assert response.status_code == 302
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    status = _wait_for(client, job_id)
    assert status["status"] == DONE
    assert status["created"] >= 1
    assert "Import report" in client.get(f"/catalogue/imports/{job_id}", headers=EN).get_data(as_text=True)


def _redis_or_skip():
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        connection = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        connection.ping()
    except RedisError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required in CI but {REDIS_URL} is not answering: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is not answering ({exc}); start redis-server to run the RQ test")
    return connection


def test_rq_runner_with_a_burst_worker(client, auth, holder, app):
    from rq import Queue, SimpleWorker

    connection = _redis_or_skip()
    queue_name = f"ipex-test-imports-{uuid.uuid4().hex[:8]}"
    app.config.update(IMPORT_JOB_RUNNER="rq", REDIS_URL=REDIS_URL, IMPORT_QUEUE=queue_name)
    auth.login(holder)
    response = _upload(client, FIXTURES / "patents_good.csv", follow=False)
    job = db.session.scalar(select(ImportJob))
    assert job.status == QUEUED  # waiting for a worker
    queue = Queue(queue_name, connection=connection)
    try:
        assert queue.count == 1
        SimpleWorker([queue], connection=connection).work(burst=True)
    finally:
        queue.delete(delete_jobs=True)
    db.session.expire_all()
    assert db.session.get(ImportJob, job.id).status == DONE
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "All 2 records were imported." in page or "records were imported" in page


def test_document_estimates():
    assert import_jobs.estimate_documents(FIXTURES / "uspto_mixed.xml", "uspto-xml") == 4
    assert import_jobs.estimate_documents(FIXTURES / "patents_good.csv", "patents") >= 1
    assert import_jobs.estimate_documents(FIXTURES / "experts.json", "experts") is None
