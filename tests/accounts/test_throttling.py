"""Login and registration throttling: per address and per account, shared through Redis when set."""

import os
import uuid

import pytest
import redis

from app.accounts import services
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


WRONG_PASSWORD = "wrong-password-1"


def attempt(client, email: str, password: str = WRONG_PASSWORD, address: str = "192.0.2.1"):
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_failed_logins_for_one_account_are_limited_from_any_address(app, client, make_user):
    user = make_user()
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "3 per minute"
    statuses = [attempt(client, user.email, address=f"192.0.2.{n}").status_code for n in range(1, 5)]
    assert statuses == [400, 400, 400, 429]
    right = attempt(client, user.email, DEFAULT_PASSWORD, address="198.51.100.7")
    assert right.status_code == 429  # even the right password waits: the account is under attack
    assert attempt(client, "other@example.com", address="192.0.2.9").status_code == 400


def test_successful_logins_do_not_use_up_the_account_limit(app, client, make_user):
    user = make_user()
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "2 per minute"
    for _ in range(4):
        client = app.test_client()
        assert attempt(client, user.email, DEFAULT_PASSWORD).status_code == 302


def test_logins_from_one_address_are_limited_across_accounts(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    statuses = [attempt(client, f"user{n}@example.com").status_code for n in range(4)]
    assert statuses == [400, 400, 400, 429]


def test_registrations_from_one_address_are_limited(app, client):
    app.config["REGISTER_RATE_LIMIT"] = "2 per hour"
    data = {
        "display_name": "测试",
        "roles": ["buyer"],
        "password": "lotus-pond-2026",
        "confirm": "lotus-pond-2026",
    }
    statuses = [
        client.post("/register", data={**data, "email": f"r{n}@example.com"}).status_code for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_unknown_email_and_wrong_password_get_the_same_answer_and_the_same_work(
    client, make_user, monkeypatch
):
    """An unknown address is checked against a dummy Argon2 hash, as long as a wrong password takes."""
    user = make_user()
    checked: list[str] = []
    real_verify = services.verify_password

    def counting_verify(password_hash: str, password: str) -> bool:
        checked.append(password_hash.split("$")[1])
        return real_verify(password_hash, password)

    monkeypatch.setattr(services, "verify_password", counting_verify)
    wrong = attempt(client, user.email)
    unknown = attempt(client, "nobody@example.com")
    assert checked == ["argon2id", "argon2id"]
    assert wrong.status_code == unknown.status_code == 400
    assert _error_text(wrong) == _error_text(unknown)


def _error_text(response) -> str:
    page = response.get_data(as_text=True)
    return page[page.index('class="error"') :].split("</p>")[0]


@pytest.fixture
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required in CI at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


def _worker(app_factory, **settings):
    worker = app_factory(**settings)
    with worker.app_context():
        db.create_all()  # in-memory SQLite is per app; on PostgreSQL the tables are there already
    return worker


def test_with_redis_every_worker_counts_against_one_limit(app_factory, redis_url):
    """Two app instances stand for two gunicorn workers: their attempts add up."""
    prefix = f"ipex-test-{uuid.uuid4().hex}"
    settings = {
        "RATELIMIT_STORAGE_URI": redis_url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_ACCOUNT_RATE_LIMIT": "3 per minute",
    }
    workers = [_worker(app_factory, **settings), _worker(app_factory, **settings)]
    statuses = [attempt(workers[n % 2].test_client(), "target@example.com").status_code for n in range(4)]
    assert statuses == [400, 400, 400, 429]
    store = redis.Redis.from_url(redis_url)
    keys = store.keys(f"*{prefix}*")
    assert keys  # the counts live in Redis, not in either worker
    store.delete(*keys)
