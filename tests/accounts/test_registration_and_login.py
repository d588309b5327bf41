"""Registering, logging in and out, changing passwords: the happy paths and the bad input."""
import pytest
from sqlalchemy import select

from app.accounts.models import AuditEvent, Role, User
from app.core.actors import SYSTEM_EMAIL  # the platform's own user is in every database
from app.extensions import db

GOOD = {
    "email": "New.User@Example.com",
    "display_name": "新用户",
    "organisation": "杭州测试科技有限公司",
    "roles": ["rights_holder", "buyer"],
    "password": "lotus-pond-2026",
    "confirm": "lotus-pond-2026",
}


def test_register_creates_unconfirmed_account_with_chosen_roles(client, auth):
    response = client.post("/register", data=GOOD)
    assert response.headers["Location"] == "/register/sent"
    user = db.session.scalar(select(User).where(User.email == "new.user@example.com"))
    assert user.roles == {Role.RIGHTS_HOLDER, Role.BUYER}
    assert user.organisation.name == "杭州测试科技有限公司"
    assert not user.is_verified
    assert not user.is_email_verified
    assert user.password_hash.startswith("$argon2id$")
    auth.login("new.user@example.com", GOOD["password"])
    assert client.get("/account").status_code == 200  # unconfirmed accounts can log in and browse


def test_register_with_a_taken_email_answers_as_for_a_new_one(client, make_user):
    make_user(email="new.user@example.com")
    response = client.post("/register", data=GOOD, headers={"Accept-Language": "en"})
    assert response.headers["Location"] == "/register/sent"
    assert db.session.scalar(select(db.func.count(User.id)).where(User.email != SYSTEM_EMAIL)) == 1


def test_register_keeps_typed_values_and_explains_weak_password(client):
    data = {**GOOD, "password": "short", "confirm": "short"}
    response = client.post("/register", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Use at least 10 characters." in page
    assert 'value="New.User@Example.com"' in page
    assert 'value="杭州测试科技有限公司"' in page


def test_register_refuses_privileged_roles(client):
    response = client.post("/register", data={**GOOD, "roles": ["admin"]})
    assert response.status_code == 400
    assert db.session.scalar(select(db.func.count(User.id)).where(User.email != SYSTEM_EMAIL)) == 0


def test_register_rejects_mismatched_confirmation_and_missing_fields(client):
    response = client.post(
        "/register",
        data={**GOOD, "confirm": "different-2026", "display_name": ""},
        headers={"Accept-Language": "en"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Passwords differ." in page
    assert "This field is required." in page


def test_login_and_logout(client, auth, make_user):
    user = make_user()
    response = auth.login(user)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert db.session.get(User, user.id).last_login_at is not None
    auth.logout()
    assert client.get("/account").status_code == 302


def test_login_with_wrong_password_says_so_without_revealing_which(client, auth, make_user):
    user = make_user()
    response = auth.login(
        user,
        password="wrong-password-1",
    )
    assert response.status_code == 400
    assert "Email or password is wrong." in client.post(
        "/login", data={"email": "nobody@example.com", "password": "x"}, headers={"Accept-Language": "en"}
    ).get_data(as_text=True)


def test_login_refuses_deactivated_account(client, auth, make_user):
    user = make_user(active=False)
    auth.login(user)
    assert client.get("/account").status_code == 302


def test_remember_me_sets_a_remember_cookie(client, auth, make_user):
    user = make_user()
    response = auth.login(user, remember="y")
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))


def test_login_follows_only_local_next(client, make_user):
    user = make_user()
    data = {"email": user.email, "password": "correct-horse-42"}
    assert client.post("/login?next=/account", data=data).headers["Location"] == "/account"
    client.post("/logout")
    assert client.post("/login?next=https://evil.example/x", data=data).headers["Location"] == "/"


def test_change_password(client, auth, make_user):
    user = make_user()
    auth.login(user)
    wrong = client.post(
        "/account/password",
        data={"current_password": "nope", "new_password": "garden-path-77", "confirm": "garden-path-77"},
    )
    assert wrong.status_code == 400
    ok = client.post(
        "/account/password",
        data={
            "current_password": "correct-horse-42",
            "new_password": "garden-path-77",
            "confirm": "garden-path-77",
        },
    )
    assert ok.status_code == 302
    auth.logout()
    assert auth.login(user, password="garden-path-77").status_code == 302
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "user.password_change" in actions


def test_profile_saves_language_preference(client, auth, make_user):
    user = make_user()
    auth.login(user)
    response = client.post(
        "/account", data={"display_name": "Renamed", "locale": "en", "timezone": "Europe/London"}
    )
    assert response.status_code == 302
    assert db.session.get(User, user.id).locale == "en"
    assert '<html lang="en">' in client.get("/account").get_data(as_text=True)


@pytest.mark.parametrize("target", ["/\\evil.example", "/\t/evil.example", "//evil.example", "https:evil.example"])
def test_login_refuses_next_targets_browsers_read_as_off_site(client, make_user, target):
    user = make_user()
    data = {"email": user.email, "password": "correct-horse-42"}
    assert client.post("/login", query_string={"next": target}, data=data).headers["Location"] == "/"
