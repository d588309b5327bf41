"""Cross-cutting HTTP behaviour: error pages and JSON errors, security headers, CSRF, i18n, limits."""

import pytest

from app.accounts.models import Role


@pytest.mark.parametrize("code", [400, 403, 404, 405, 413, 429, 500])
def test_error_pages_render_in_html_with_navigation(app, code):
    from werkzeug.exceptions import abort

    @app.route(f"/_fail/{code}")
    def fail():
        if code == 500:
            raise RuntimeError("boom")
        abort(code)

    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer a 500 page as in production
    response = app.test_client().get(f"/_fail/{code}", headers={"Accept-Language": "en"})
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert 'id="site-nav"' in response.get_data(as_text=True)


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json == {"error": {"code": 404, "message": "您访问的页面不存在。"}}


def test_api_error_message_follows_accept_language(client):
    response = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"})
    assert response.json["error"]["message"] == "The page you asked for does not exist."


def test_wrong_method_is_405_json_for_api(client):
    response = client.delete("/api/v1/me")
    assert response.status_code == 405
    assert response.json["error"]["code"] == 405


def test_oversize_body_is_413(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/register", data={"email": "x" * 4096})
    assert response.status_code == 413


def test_security_headers(client):
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_pages_load_no_external_assets(client):
    page = client.get("/").get_data(as_text=True)
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page
    assert "//cdn" not in page


def test_csrf_is_enforced_when_enabled(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/login", data={"email": "a@b.example", "password": "x"})
    assert response.status_code == 400


def test_login_is_rate_limited(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    codes = [
        client.post("/login", data={"email": "a@b.example", "password": "x"}).status_code for _ in range(5)
    ]
    assert codes[:3] == [400, 400, 400]
    assert codes[3:] == [429, 429]


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("zh-CN,zh;q=0.9", "zh-CN"),
        ("zh-TW", "zh-CN"),
        ("en-US,en;q=0.8", "en"),
        ("fr", "en"),
        (None, "zh-CN"),
    ],
)
def test_language_follows_the_browser(client, accept_language, expected):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    page = client.get("/", headers=headers).get_data(as_text=True)
    assert f'<html lang="{expected}">' in page


def test_language_switch_is_remembered_and_redirects_locally(client):
    response = client.post("/lang/en?next=/register")
    assert response.headers["Location"] == "/register"
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert client.post("/lang/zh?next=//evil.example").headers["Location"] == "/"


def test_chinese_page_is_fully_translated(client, auth, make_user):
    auth.login(make_user(roles=(Role.ADMIN,)))
    page = client.get("/admin/users", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    for english in ("Users", "Search", "Organisation", "Roles", "Log out"):
        assert f">{english}<" not in page


def test_health(client):
    assert client.get("/healthz").json == {"status": "ok"}


def redis_url_or_skip() -> str:
    import os

    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required in CI: {error}")
        pytest.skip(f"Redis not reachable at {url}: start redis-server to run this test")
    return url


def test_login_rate_limit_is_shared_through_redis_when_configured(app_factory):
    """Two app processes (here: two app instances) count against the same Redis limit."""
    import uuid

    url = redis_url_or_skip()
    # A unique limit string keeps this run's counters apart from any other run on the same Redis.
    limit = f"2 per {60 + uuid.uuid4().int % 1000} second"
    apps = [app_factory(RATELIMIT_STORAGE_URI=url, LOGIN_RATE_LIMIT=limit) for _ in range(2)]
    for app in apps:
        with app.app_context():
            from app.extensions import db

            db.create_all()
    headers = {"X-Forwarded-For": "1.2.3.4"}
    first, second = (app.test_client() for app in apps)
    codes = [
        first.post("/login", data={"email": "a@b.example", "password": "x"}, headers=headers).status_code,
        second.post("/login", data={"email": "a@b.example", "password": "x"}, headers=headers).status_code,
        first.post("/login", data={"email": "a@b.example", "password": "x"}, headers=headers).status_code,
    ]
    assert codes == [400, 400, 429]
