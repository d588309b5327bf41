"""The top bar is kept per viewer's frame facts and the signed-in user is rebuilt from values kept
per data version: each viewer must still see only their own bar, token and account, and every write
must show on the next page."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from app.accounts.models import Role, User, UserRole
from app.core.models import utcnow
from app.core.notifications import notify
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD

EN = {"Accept-Language": "en"}


def _signed_in(app, user):
    client = app.test_client()  # isolated per request (the `client` fixture set the class)
    client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    return client


def _bar(page: str) -> str:
    return page.split('<header class="topbar">')[1].split("</header>")[0]


def _menu_name(page: str) -> str:
    return re.search(r"<summary>([^<]+)", _bar(page).split('class="nav-user"')[1]).group(1).strip()


def _tokens(page: str) -> list[str]:
    return re.findall(r'name="csrf_token" value="([^"]+)"', _bar(page))


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("path", ["/", "/needs/", "/catalogue/search?q=battery"])
def test_each_viewer_sees_their_own_bar_in_any_order(app, client, make_user, path):
    """Two buyers with the same roles and organisation, and a visitor, in turns: the bars differ only
    where the viewers do, and each bar carries its own session's token in both of its forms."""
    alice = make_user(display_name="Alice Buyer")
    bob = make_user(display_name="Bob Buyer")
    clients = {"alice": _signed_in(app, alice), "bob": _signed_in(app, bob), "visitor": app.test_client()}
    seen: dict[str, set] = {name: set() for name in clients}
    secrets: dict[str, set] = {name: set() for name in clients}
    for name in ["alice", "bob", "visitor", "bob", "alice", "visitor", "alice"]:
        page = clients[name].get(path, headers=EN).get_data(as_text=True)
        # A signed token carries the second it was signed in; the session's secret comes first.
        secrets[name] |= {token.split(".")[0] for token in _tokens(page)}
        seen[name].add(re.sub(r'name="csrf_token" value="[^"]+"', "", _bar(page)))
        if name == "visitor":
            assert 'action="/logout"' not in page
            assert "Alice" not in page
            assert "Bob" not in page
            assert len(_tokens(page)) == 1  # the language switch
        else:
            assert _menu_name(page) == {"alice": "Alice Buyer", "bob": "Bob Buyer"}[name]
            other = "Bob" if name == "alice" else "Alice"
            assert other not in page
            assert len(_tokens(page)) == 2  # the language switch and the log-out form
    assert all(len(bars) == 1 for bars in seen.values())  # each viewer's bar is stable
    assert all(len(found) == 1 for found in secrets.values())
    assert len(set().union(*secrets.values())) == 3  # never another viewer's token


def test_the_bar_shows_each_write_on_the_next_page(app, client, make_user):
    """Unread count, name, roles and the verified badge are read afresh: a write shows at once."""
    user = make_user(display_name="Carol")
    browser = _signed_in(app, user)

    def bar() -> str:
        browser.get("/", headers=EN)
        return _bar(browser.get("/", headers=EN).get_data(as_text=True))

    assert "badge-count" not in bar()
    notify(db.session.get(User, user.id), "need_digest", {"count": 1, "items": "-"}, "/")
    db.session.commit()
    assert 'aria-label="1 unread"' in bar()
    db.session.get(User, user.id).display_name = "Carol Renamed"
    db.session.commit()
    assert "<summary>Carol Renamed" in bar()
    assert "<summary>Admin</summary>" not in bar()
    db.session.add(UserRole(user_id=user.id, role=Role.ADMIN.value))
    db.session.commit()
    assert "<summary>Admin</summary>" in bar()
    assert "badge-verified" not in bar()
    db.session.get(User, user.id).organisation.verified_at = utcnow()
    db.session.commit()
    assert "badge-verified" in bar()


def test_the_language_switch_returns_to_the_page_viewed(app, client, make_user):
    """The same endpoint with other arguments: the bar is shared, the return address is the page's."""
    browser = _signed_in(app, make_user())
    for path in ["/catalogue/search?q=battery", "/catalogue/search?q=motor&page=2", "/catalogue/search"]:
        page = browser.get(path, headers=EN).get_data(as_text=True)
        action = urlsplit(unescape(re.search(r'class="lang-switch" method="post" action="([^"]+)"', page)[1]))
        assert action.path == "/lang/zh"
        assert parse_qs(action.query) == {"next": [path]}


def test_the_token_in_the_bar_is_accepted(app, client, make_user, csrf_on):
    """The token put into the kept bar is the session's own: its log-out form works."""
    browser = _signed_in_with_token(app, make_user())
    for _ in range(2):
        page = browser.get("/", headers=EN).get_data(as_text=True)
    token = _tokens(page)[1]
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302
    assert 'action="/logout"' not in browser.get("/", headers=EN).get_data(as_text=True)


def _signed_in_with_token(app, user):
    browser = app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "email": user.email, "password": DEFAULT_PASSWORD}
    assert browser.post("/login", data=data).status_code == 302
    return browser


def test_signed_in_users_are_never_swapped(app, client, make_user):
    """The user rebuilt from kept values is the session's own, whoever was served before."""
    users = [make_user(display_name=f"Person {n}") for n in range(3)]
    browsers = [_signed_in(app, user) for user in users]
    for _ in range(3):
        for user, browser in zip(users, browsers, strict=True):
            page = browser.get("/account", headers=EN).get_data(as_text=True)
            assert user.email in page
            assert all(other.email not in page for other in users if other is not user)


def test_an_ended_session_is_refused_on_the_next_request(app, client, make_user):
    """Ending a user's sessions (logout elsewhere, password change, deactivation) is a write: the kept
    values are retired with the data version and the old session no longer signs in."""
    from app.accounts.services import end_sessions

    user = make_user(display_name="Dana")
    browser = _signed_in(app, user)
    for _ in range(2):
        assert browser.get("/account", headers=EN).status_code == 200
    end_sessions(db.session.get(User, user.id))
    db.session.commit()
    assert browser.get("/account", headers=EN).status_code == 302
    assert "Dana" not in browser.get("/", headers=EN).get_data(as_text=True)


def test_a_deactivated_user_is_signed_out_on_the_next_request(app, client, make_user):
    user = make_user(display_name="Erin")
    browser = _signed_in(app, user)
    for _ in range(2):
        assert "Erin" in browser.get("/", headers=EN).get_data(as_text=True)
    db.session.get(User, user.id).active = False
    db.session.commit()
    assert "Erin" not in browser.get("/", headers=EN).get_data(as_text=True)


def test_a_signed_token_is_reused_only_by_its_own_session(app, client, make_user, csrf_on, monkeypatch):
    """The signed CSRF token kept for a minute is per session secret: each session keeps its own, and
    each one is accepted by that session's next form."""
    from itertools import count

    from itsdangerous.timed import TimestampSigner

    seconds = count(1_900_000_000)  # every signature in another second: a re-signed token differs
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: next(seconds))
    browsers = [_signed_in_with_token(app, make_user()) for _ in range(2)]
    pages = [[browser.get("/", headers=EN).get_data(as_text=True) for _ in range(2)] for browser in browsers]
    tokens = [[_tokens(page)[0] for page in views] for views in pages]
    assert tokens[0][0] == tokens[0][1]  # the same session within the minute: signed once
    assert tokens[1][0] == tokens[1][1]
    assert tokens[0][0] != tokens[1][0]
    for browser, own in zip(browsers, tokens, strict=True):
        assert browser.post("/lang/zh", data={"csrf_token": own[0]}).status_code == 302
    assert browsers[0].post("/logout", data={"csrf_token": tokens[1][0]}).status_code == 400
