"""Sessions end: logout, password change, password reset and deactivation end every other session."""

import pytest

from app.accounts.models import Role, User
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD, IsolatedClient

NEW_PASSWORD = "river-stone-2027"


def browser(app, user: User, remember: bool = False):
    """A separate client (another device) logged in as user."""
    app.test_client_class = IsolatedClient  # each request in its own app context, as in production
    other = app.test_client()
    data = {"email": user.email, "password": DEFAULT_PASSWORD}
    if remember:
        data["remember"] = "y"
    assert other.post("/login", data=data).status_code == 302
    assert other.get("/account").status_code == 200
    return other


def drop_session_cookie(client) -> None:
    """What a browser does when it restarts: the session cookie goes, the remember cookie stays."""
    client.delete_cookie("session")


def test_remember_cookie_logs_in_again_after_a_restart(app, make_user):
    other = browser(app, make_user(), remember=True)
    drop_session_cookie(other)
    assert other.get("/account").status_code == 200


def test_logout_ends_the_other_sessions_and_remember_cookies(app, client, auth, make_user):
    user = make_user()
    phone = browser(app, user, remember=True)
    laptop = browser(app, user)
    auth.login(user)
    auth.logout()
    assert laptop.get("/account").status_code == 302
    drop_session_cookie(phone)
    assert phone.get("/account").status_code == 302
    assert db.session.get(User, user.id).session_generation == 1


def test_password_change_ends_other_sessions_but_not_this_one(app, client, auth, make_user):
    user = make_user()
    phone = browser(app, user, remember=True)
    auth.login(user, remember="y")
    client.post(
        "/account/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert client.get("/account").status_code == 200
    drop_session_cookie(client)
    assert client.get("/account").status_code == 200  # this browser's remember cookie was renewed
    assert phone.get("/account").status_code == 302
    drop_session_cookie(phone)
    assert phone.get("/account").status_code == 302


def test_deactivation_ends_sessions_for_good(app, client, auth, make_user):
    admin = make_user(roles=(Role.ADMIN,))
    user = make_user()
    phone = browser(app, user, remember=True)
    auth.login(admin)
    client.post(f"/admin/users/{user.id}/active", data={"active": "0", "reason": "fraud"})
    client.post(f"/admin/users/{user.id}/active", data={"active": "1", "reason": "cleared"})
    assert phone.get("/account").status_code == 302  # reactivating does not revive old sessions
    drop_session_cookie(phone)
    assert phone.get("/account").status_code == 302


def _session_with_identity(app, user: User, identity: str):
    """A client whose genuine session cookie is re-signed with another Flask-Login identity."""
    client = browser(app, user)
    serializer = app.session_interface.get_signing_serializer(app)
    payload = serializer.loads(client.get_cookie("session").value)
    payload["_user_id"] = identity
    client.set_cookie("session", serializer.dumps(payload))
    return client


@pytest.mark.parametrize(
    "identity",
    [
        "{id}",
        "{id}:1",
        "{id}:",
        ":0",
        "{id}:0:0",
        "99999999999999999999:0",
        "2147483648:0",
        "{id}:2147483648",
        "{id}:²",
    ],
)
def test_session_without_the_current_generation_is_anonymous(app, make_user, identity):
    """Bare ids (the old format), stale or malformed generations and huge ids load nobody."""
    user = make_user()
    client = _session_with_identity(app, user, identity.format(id=user.id))
    assert client.get("/account").status_code == 302


def test_current_generation_in_the_session_is_accepted(app, make_user):
    """The control for the test above: the cookie rebuilt the same way works when it is current."""
    user = make_user()
    client = _session_with_identity(app, user, f"{user.id}:0")
    assert client.get("/account").status_code == 200
