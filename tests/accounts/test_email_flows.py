"""Address verification and password reset by signed links, in the recipient's language."""

import pytest
from sqlalchemy import select

from app.accounts import tokens
from app.accounts.models import AuditEvent, Role, User
from app.accounts.permissions import can_trade, is_email_verified
from app.accounts.tokens import email_verification_token, password_reset_token
from app.core.actors import SYSTEM_EMAIL
from app.extensions import db
from tests.accounts.mailbox import last_message, link_in, messages_to
from tests.conftest import DEFAULT_PASSWORD

REGISTRATION = {
    "email": "wang.fang@example.com",
    "display_name": "王芳",
    "organisation": "",
    "roles": ["buyer"],
    "password": "lotus-pond-2026",
    "confirm": "lotus-pond-2026",
}
NEW_PASSWORD = "river-stone-2027"


def fresh(user: User) -> User:
    return db.session.get(User, user.id)


@pytest.mark.parametrize(
    ("language", "subject", "phrase"),
    [
        ("zh", "确认您在 IPEX 的电子邮件地址", "确认我的电子邮件地址"),
        ("en", "Confirm your e-mail address for IPEX", "Confirm my e-mail address"),
    ],
)
def test_registration_mails_a_verification_link_in_the_registrants_language(
    client, language, subject, phrase
):
    client.post("/register", data=REGISTRATION, headers={"Accept-Language": language})
    message = last_message("wang.fang@example.com")
    assert message.subject == subject
    assert phrase in message.text_body
    assert phrase in message.html_body
    user = db.session.scalar(select(User).where(User.email == "wang.fang@example.com"))
    assert user.locale == language
    assert not can_trade(user)


def test_verification_link_shows_a_page_and_the_button_confirms(client):
    client.post("/register", data=REGISTRATION)
    link = link_in(last_message("wang.fang@example.com"))
    assert client.get(link).status_code == 200
    user = db.session.scalar(select(User).where(User.email == "wang.fang@example.com"))
    assert not user.is_email_verified  # a GET (or a mail scanner following the link) changes nothing
    assert client.post(link).status_code == 302
    user = fresh(user)
    assert user.is_email_verified
    assert client.post(link).status_code == 302  # opening it twice does no harm
    assert [e.action for e in db.session.scalars(select(AuditEvent)) if e.action == "user.email_verify"] == [
        "user.email_verify"
    ]


def test_verification_link_for_an_old_address_or_forged_is_refused(client, make_user):
    user = make_user(email="old@example.com", email_verified=False)
    token = email_verification_token(user)
    user.email = "new@example.com"
    db.session.commit()
    assert client.post(f"/verify/{token}").status_code == 400
    assert client.post(f"/verify/{token[:-2]}xx").status_code == 400
    assert not fresh(user).is_email_verified


def test_a_reset_token_is_not_a_verification_token(client, make_user):
    user = make_user(email_verified=False)
    assert client.post(f"/verify/{password_reset_token(user)}").status_code == 400
    assert client.get(f"/password/reset/{email_verification_token(user)}").status_code == 400


@pytest.mark.parametrize(
    ("verified", "active", "expected"), [(True, True, True), (False, True, False), (True, False, False)]
)
def test_can_trade_needs_a_confirmed_address_and_an_active_account(make_user, verified, active, expected):
    user = make_user(email_verified=verified, active=active)
    assert can_trade(user) is expected
    assert is_email_verified(user) is (verified and active)  # Flask-Login: inactive is anonymous


def test_resend_verification_mails_a_new_link(client, auth, make_user):
    user = make_user(email_verified=False)
    auth.login(user)
    client.post("/verify/resend")
    assert client.post(link_in(last_message(user.email))).status_code == 302
    assert fresh(user).is_email_verified


def test_taken_address_gets_a_you_already_have_an_account_mail_and_no_new_account(client, make_user):
    owner = make_user(email="wang.fang@example.com")
    owner.locale = "en"
    db.session.commit()
    new = client.post("/register", data={**REGISTRATION, "email": "someone.new@example.com"})
    taken = client.post("/register", data={**REGISTRATION, "email": "Wang.Fang@example.com"})
    assert (new.status_code, new.headers["Location"]) == (taken.status_code, taken.headers["Location"])
    assert last_message("wang.fang@example.com").subject == "You already have an IPEX account"
    assert fresh(owner).display_name != REGISTRATION["display_name"]
    people = select(db.func.count(User.id)).where(User.email != SYSTEM_EMAIL)  # not the platform's own user
    assert db.session.scalar(people) == 2


def test_forgot_password_answers_the_same_for_unknown_addresses(client, make_user):
    user = make_user()
    known = client.post("/password/forgot", data={"email": user.email})
    unknown = client.post("/password/forgot", data={"email": "nobody@example.com"})
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    assert messages_to(user.email) == []  # the answer went out before the mail
    known.close()  # as the server does once the response is sent
    unknown.close()
    assert len(messages_to(user.email)) == 1
    assert messages_to("nobody@example.com") == []


def test_password_reset_link_works_once_and_ends_other_sessions(app, client, make_user):
    user = make_user()
    other_browser = app.test_client()
    other_browser.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert other_browser.get("/account").status_code == 200
    client.post("/password/forgot", data={"email": user.email}).close()
    message = last_message(user.email)
    assert message.subject == "重置您的 IPEX 密码"  # the user's language: zh by default
    link = link_in(message)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.headers["Location"] == "/login"
    assert other_browser.get("/account").status_code == 302
    assert last_message(user.email).subject == "您的 IPEX 密码已更改"
    again = client.post(link, data={"password": "another-pass-99", "confirm": "another-pass-99"})
    assert again.status_code == 400
    assert client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302


def test_password_reset_refuses_a_weak_password_and_keeps_the_link_usable(client, make_user):
    user = make_user()
    link = link_in_reset(client, user)
    weak = client.post(link, data={"password": "short", "confirm": "short"})
    assert weak.status_code == 400
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302


def link_in_reset(client, user: User) -> str:
    client.post("/password/forgot", data={"email": user.email}).close()
    return link_in(last_message(user.email))


def test_password_reset_link_expires(app, client, make_user, monkeypatch):
    user = make_user()
    link = link_in_reset(client, user)
    signed_at = tokens._timestamp()
    monkeypatch.setattr(tokens, "_timestamp", lambda: signed_at + app.config["PASSWORD_RESET_MAX_AGE"] + 1)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD}).status_code == 302


def test_a_password_change_voids_earlier_reset_links(client, auth, make_user):
    user = make_user()
    link = link_in_reset(client, user)
    auth.login(user)
    client.post(
        "/account/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    auth.logout()
    assert client.get(link).status_code == 400


def test_password_change_mails_the_owner_and_keeps_this_session(client, auth, make_user):
    user = make_user()
    auth.login(user)
    response = client.post(
        "/account/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert last_message(user.email).subject == "您的 IPEX 密码已更改"


def test_role_changes_are_mailed_in_the_users_language(client, auth, make_user):
    admin = make_user(roles=(Role.ADMIN,))
    target = make_user(roles=(Role.BUYER,))
    target.locale = "en"
    db.session.commit()
    auth.login(admin)
    client.post(f"/admin/users/{target.id}/roles", data={"role": "assessor", "action": "grant"})
    message = last_message(target.email)
    assert message.subject == "Your roles on IPEX changed"
    assert "Your roles now: Assessor, Buyer." in message.text_body
    client.post(f"/admin/users/{target.id}/roles", data={"role": "assessor", "action": "grant"})
    assert len(messages_to(target.email)) == 1  # nothing changed, nothing mailed


def test_trade_required_refuses_unconfirmed_accounts_with_a_reason(app, client, auth, make_user):
    """The decorator the market puts on listing, bidding and offering views."""
    from app.accounts.permissions import trade_required

    app.add_url_rule("/_test/trade", "test_trade", trade_required(lambda: "traded"), methods=["POST"])
    assert client.post("/_test/trade").status_code == 302  # anonymous: log in first
    auth.login(make_user(email_verified=False))
    refused = client.post("/_test/trade", headers={"Accept": "application/json"})
    assert refused.status_code == 403
    assert refused.json["error"]["message"] == "请先确认您的电子邮件地址，之后即可挂牌、出价和报价。"
    auth.logout()
    auth.login(make_user())
    assert client.post("/_test/trade").get_data(as_text=True) == "traded"
