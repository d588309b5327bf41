"""The inbox: notify() in the change's transaction, rendered in the reader's language, mark read."""

import pytest
from sqlalchemy import func, select

from app.core import notifications
from app.core.notifications import Notification, notify, register_kind, unread_count
from app.extensions import db

N_ = str  # marks the test's message ids


@pytest.fixture(autouse=True)
def kind():
    register_kind("test.hello", N_("Hello %(name)s"), N_("Your offer of %(amount)s arrived."))


def test_notify_writes_inbox_row_and_counts_unread(app, make_user):
    user = make_user()
    note = notify(user, "test.hello", {"name": "Li", "amount": "¥1,000"}, "/market/deals")
    db.session.commit()
    assert unread_count(user) == 1
    assert note.title == "Hello Li"
    assert note.body == "Your offer of ¥1,000 arrived."


def test_dedupe_key_sends_a_reminder_once(app, make_user):
    user = make_user()
    assert notify(user, "test.hello", {"name": "a", "amount": "1"}, "/", dedupe_key="r:1") is not None
    assert notify(user, "test.hello", {"name": "a", "amount": "1"}, "/", dedupe_key="r:1") is None
    db.session.commit()
    assert db.session.scalar(select(func.count(Notification.id))) == 1


def test_unknown_kind_fails_loudly(app, make_user):
    with pytest.raises(LookupError):
        notify(make_user(), "nope", {}, "/")


def test_rollback_leaves_no_notification_and_sends_nothing(app, make_user, monkeypatch):
    sent = []
    monkeypatch.setattr(notifications, "send_mail", lambda *args, **kw: sent.append(args))
    user = make_user()
    notify(user, "test.hello", {"name": "x", "amount": "1"}, "/")
    db.session.rollback()
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert sent == []


def test_email_after_commit_in_the_recipients_language(app, make_user, monkeypatch):
    sent = []
    monkeypatch.setattr(
        notifications, "send_mail", lambda to, subject, body, html=None: sent.append((to, body))
    )
    user = make_user(email="li@example.com")
    user.locale = "en"
    note = notify(user, "test.hello", {"name": "Li", "amount": "¥5"}, "/notifications")
    assert sent == []
    db.session.commit()
    assert sent[0][0] == "li@example.com"
    assert "Your offer of ¥5 arrived." in sent[0][1]
    assert "http://localhost:5000/notifications" in sent[0][1]
    db.session.expire_all()
    assert db.session.get(Notification, note.id).emailed_at is not None


def test_inbox_page_mark_read_and_navigation_count(client, auth, make_user):
    user, other = make_user(), make_user()
    mine = notify(user, "test.hello", {"name": "A", "amount": "1"}, "/market/deals/1")
    theirs = notify(other, "test.hello", {"name": "B", "amount": "2"}, "/")
    db.session.commit()
    auth.login(user)
    page = client.get("/notifications", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Hello A" in page
    assert "Hello B" not in page
    assert 'class="badge badge-count"' in page
    opened = client.post(f"/notifications/{mine.id}/read", data={"open": "1"})
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith("/market/deals/1")
    assert unread_count(user) == 0
    client.post(f"/notifications/{theirs.id}/read")  # someone else's: nothing happens
    assert unread_count(other) == 1
    api = client.get("/api/v1/notifications").get_json()
    assert api["unread"] == 0
    assert api["items"][0]["title"] == "Hello A"


def test_mark_all_read(client, auth, make_user):
    user = make_user()
    for n in range(3):
        notify(user, "test.hello", {"name": str(n), "amount": "1"}, "/")
    db.session.commit()
    auth.login(user)
    client.post("/notifications/read-all")
    assert unread_count(user) == 0


def test_anonymous_is_sent_to_login(client):
    assert client.get("/notifications").status_code == 302
    assert client.get("/api/v1/notifications").status_code == 401


def test_badge_count_comes_with_the_user_and_follows_new_notifications(app, client, auth, make_user):
    """The unread count is loaded with the signed-in user; a later commit (a new data version) shows."""
    user = make_user()
    auth.login(user)
    assert "badge-count" not in client.get("/").get_data(as_text=True)
    notify(user, "test.hello", {"name": "Li", "amount": "1"}, "/")
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert '<span class="badge badge-count" aria-label="1 unread">1</span>' in page or ">1</span>" in page
    notifications.mark_read(user)
    db.session.commit()
    assert "badge-count" not in client.get("/").get_data(as_text=True)


def test_remembered_count_is_not_used_once_the_request_has_written(app, make_user):
    """A count loaded with the user is read afresh after a write in the same transaction."""
    from app.core.page_cache import data_version

    user = make_user()
    db.session.commit()
    notifications.remember_unread(user, 0, data_version())
    assert unread_count(user) == 0
    notify(user, "test.hello", {"name": "a", "amount": "1"}, "/")
    assert unread_count(user) == 1
    db.session.commit()
    assert unread_count(user) == 1
