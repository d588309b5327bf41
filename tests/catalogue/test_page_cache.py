"""The anonymous page cache: shared only between anonymous visitors of one language, retired by writes."""

import re

import pytest
from sqlalchemy import select, text

from app.catalogue import services
from app.catalogue.models import Patent
from app.core.page_cache import HIT_HEADER, data_version, enable_page_cache, versioned_memo
from app.extensions import db

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh"}


@pytest.fixture
def cache(app):
    return enable_page_cache(app, seconds=600)


def _token(response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def _without_token(response) -> str:
    return response.get_data(as_text=True).replace(_token(response), "")


def test_second_anonymous_view_is_served_from_the_cache(cache, client, make_patent, holder):
    patent = make_patent(holder)
    first = client.get(f"/patents/{patent.id}", headers=EN)
    second = client.get(f"/patents/{patent.id}", headers=EN)
    assert first.headers[HIT_HEADER] == "miss"
    assert second.headers[HIT_HEADER] == "hit"
    assert "Lithium-ion battery" in second.get_data(as_text=True)
    assert _without_token(first) == _without_token(second)


def test_each_visitor_gets_their_own_working_csrf_token(app, client, cache, make_patent, holder):
    patent = make_patent(holder)
    first_visitor, second_visitor = client, app.test_client()  # IsolatedClient: own g per request
    first = first_visitor.get(f"/patents/{patent.id}", headers=EN)
    second = second_visitor.get(f"/patents/{patent.id}", headers=EN)
    assert second.headers[HIT_HEADER] == "hit"
    assert _token(first) != _token(second)
    assert "ipex-csrf-token" not in second.get_data(as_text=True)
    app.config["WTF_CSRF_ENABLED"] = True
    switched = second_visitor.post("/lang/zh", data={"csrf_token": _token(second)})
    assert switched.status_code == 302  # the served token is valid for the visitor who got it


def test_languages_never_share_a_page(cache, client, make_patent, holder):
    patent = make_patent(holder)
    client.get(f"/patents/{patent.id}", headers=ZH)
    english = client.get(f"/patents/{patent.id}", headers=EN)
    assert english.headers[HIT_HEADER] == "miss"
    assert '<html lang="en">' in english.get_data(as_text=True)
    chinese = client.get(f"/patents/{patent.id}", headers=ZH)
    assert chinese.headers[HIT_HEADER] == "hit"
    assert '<html lang="zh-CN">' in chinese.get_data(as_text=True)


def test_signed_in_users_neither_get_nor_leave_cached_pages(app, client, cache, make_patent, holder, auth):
    patent = make_patent(holder)
    anonymous = app.test_client()
    anonymous.get(f"/patents/{patent.id}", headers=EN)  # stored for anonymous visitors
    auth.login(holder)
    signed_in = auth.client.get(f"/patents/{patent.id}", headers=EN)
    assert HIT_HEADER not in signed_in.headers
    assert holder.display_name in signed_in.get_data(as_text=True)
    cache.clear()
    auth.client.get(f"/patents/{patent.id}", headers=EN)  # a signed-in view is never stored
    assert len(cache) == 0
    after = anonymous.get(f"/patents/{patent.id}", headers=EN)
    assert after.headers[HIT_HEADER] == "miss"
    assert holder.display_name not in after.get_data(as_text=True)


def test_a_pending_flash_message_bypasses_the_cache(cache, client, make_patent, holder, auth):
    patent = make_patent(holder)
    client.get(f"/patents/{patent.id}", headers=EN)
    auth.login(holder)
    client.post("/logout", headers=EN)  # flashes "Logged out." for the next page
    page = client.get(f"/patents/{patent.id}", headers=EN)
    assert HIT_HEADER not in page.headers
    assert "Logged out." in page.get_data(as_text=True)


def test_a_committed_write_retires_cached_pages(cache, client, make_patent, holder):
    patent = make_patent(holder)
    client.get(f"/patents/{patent.id}", headers=EN)
    assert client.get(f"/patents/{patent.id}", headers=EN).headers[HIT_HEADER] == "hit"
    services.update_patent(patent, holder, {"title_en": "Sodium-ion battery"})
    db.session.commit()
    page = client.get(f"/patents/{patent.id}", headers=EN)
    assert page.headers[HIT_HEADER] == "miss"
    assert "Sodium-ion battery" in page.get_data(as_text=True)


def test_data_version_moves_on_writes_only(app, make_patent, holder):
    before = data_version(app)
    db.session.execute(select(Patent)).all()
    db.session.commit()
    assert data_version(app) == before  # a read-only transaction leaves the version alone
    db.session.execute(text("UPDATE patents SET title_en = title_en"))
    db.session.rollback()
    assert data_version(app) == before  # nothing committed
    make_patent(holder)
    assert data_version(app) != before


def test_the_cache_is_off_in_tests_by_default(client, make_patent, holder):
    patent = make_patent(holder)
    client.get(f"/patents/{patent.id}", headers=EN)
    assert HIT_HEADER not in client.get(f"/patents/{patent.id}", headers=EN).headers


def test_versioned_memo_is_shared_until_a_write_commits(app, make_patent, holder):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert versioned_memo("test.memo", ("k",), compute) == 1
    assert versioned_memo("test.memo", ("k",), compute) == 1  # same data version: kept
    assert versioned_memo("test.memo", ("other",), compute) == 2  # the key is part of it
    patent = make_patent(holder)  # a committed write
    assert versioned_memo("test.memo", ("k",), compute) == 3
    patent.title_en = "Changed, not committed"
    assert versioned_memo("test.memo", ("k",), compute) == 4  # a session with pending changes: fresh
    assert versioned_memo("test.memo", ("k",), compute) == 5
    db.session.rollback()
    assert versioned_memo("test.memo", ("k",), compute) == 3


def test_an_unflushed_statement_write_keeps_memos_fresh_until_it_ends(app, make_patent, holder):
    """A write sent as a statement (no ORM changes pending) marks the transaction as written; its
    rollback or commit clears the mark, so later reads use the memo again without a connection."""
    from sqlalchemy import update

    from app.accounts.models import User
    from app.core import page_cache

    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert versioned_memo("test.statement", ("k",), compute) == 1
    db.session.execute(update(User).where(User.id == holder.id).values(display_name="Renamed"))
    assert page_cache.session_has_written()
    assert versioned_memo("test.statement", ("k",), compute) == 2  # the transaction's own view
    db.session.rollback()
    assert not page_cache._WRITING
    assert not page_cache.session_has_written()
    assert versioned_memo("test.statement", ("k",), compute) == 1
    db.session.execute(update(User).where(User.id == holder.id).values(display_name="Renamed"))
    db.session.close()  # returned to the pool uncommitted: the pool rolls it back
    assert not page_cache._WRITING
    assert versioned_memo("test.statement", ("k",), compute) == 1
