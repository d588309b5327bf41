"""CSRF on the API: skipped only when a bearer token authenticated the request; the session is then ignored."""

import pytest

from app.accounts.models import Role, User
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD, IsolatedClient


@pytest.fixture
def csrf_app(app):
    """CSRF on, as in production (the test configuration turns it off for forms)."""
    app.config["WTF_CSRF_ENABLED"] = True
    app.test_client_class = IsolatedClient
    return app


def logged_in_client(app, user: User):
    """A browser that logged in through the form, CSRF token and all."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def rename(client, name: str, **headers):
    return client.patch("/api/v1/me", json={"display_name": name}, headers=headers)


def test_invalid_bearer_does_not_skip_csrf_for_a_session(csrf_app, holder):
    client = logged_in_client(csrf_app, holder)
    response = rename(client, "Hijacked", Authorization="Bearer ipex_not-a-real-token")
    assert response.status_code == 400
    assert db.session.get(User, holder.id).display_name != "Hijacked"
    assert rename(client, "Hijacked", Authorization="Bearer").status_code == 400


def test_session_write_without_csrf_is_refused(csrf_app, holder):
    assert rename(logged_in_client(csrf_app, holder), "Hijacked").status_code == 400


def test_valid_bearer_works_with_an_anonymous_session_cookie(csrf_app, holder, bearer):
    client = csrf_app.test_client()
    client.get("/login")  # the browser now holds an anonymous session (a CSRF token in it)
    assert client.get_cookie("session") is not None
    headers = bearer(holder)
    assert client.get("/api/v1/me", headers=headers).json["email"] == holder.email
    assert rename(client, "Renamed", **headers).status_code == 200
    assert db.session.get(User, holder.id).display_name == "Renamed"


def test_valid_bearer_wins_over_another_users_session(csrf_app, holder, bearer, make_user):
    other = make_user(email="other@example.com", roles=(Role.BUYER,))
    client = logged_in_client(csrf_app, other)
    headers = bearer(holder)
    assert client.get("/api/v1/me", headers=headers).json["email"] == holder.email
    assert rename(client, "By token", **headers).status_code == 200
    assert db.session.get(User, holder.id).display_name == "By token"
    assert db.session.get(User, other.id).display_name != "By token"


def test_revoked_token_is_not_a_login(csrf_app, holder, bearer):
    from app.accounts.models import ApiToken

    headers = bearer(holder)
    for token in db.session.scalars(db.select(ApiToken)):
        token.revoked_at = db.func.now()
    db.session.commit()
    assert csrf_app.test_client().get("/api/v1/me", headers=headers).status_code == 401
