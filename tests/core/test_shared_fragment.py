"""Shared fragments: parts of signed-in pages rendered once per data version for every viewer, while
what is personal (the user's menu, buttons, forms, CSRF token) is still rendered for each viewer."""

import re

import pytest
from flask import render_template_string

from app.core.page_cache import data_version
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD

FRAGMENT = "{% call shared_fragment('test.counter', key) %}{{ count() }}{% endcall %}"


def _render(app, key: str, calls: list) -> str:
    with app.test_request_context("/"):
        return render_template_string(FRAGMENT, key=key, count=lambda: calls.append(1) or len(calls))


def test_fragment_is_rendered_once_per_data_version_and_key(app, make_user):
    calls: list = []
    assert _render(app, "a", calls) == "1"
    assert _render(app, "a", calls) == "1"  # shared
    assert _render(app, "b", calls) == "2"  # another key
    version = data_version()
    make_user()
    db.session.commit()  # a write moves the data version
    assert data_version() != version
    assert _render(app, "a", calls) == "3"


def test_fragment_holding_the_csrf_token_fails_loudly(app):
    template = "{% call shared_fragment('test.csrf') %}{{ csrf_token() }}{% endcall %}"
    with app.test_request_context("/"), pytest.raises(RuntimeError, match="CSRF"):
        render_template_string(template)


def _menu_name(page: str) -> str:
    return re.search(r"<summary>([^<]+)", page.split('class="nav-user"')[1]).group(1).strip()


@pytest.mark.parametrize("path", ["/", "/catalogue/search?q=battery"])
def test_personal_parts_differ_per_viewer_around_a_shared_fragment(app, client, make_user, path):
    """Two signed-in users and a visitor in turn: each sees their own menu, buttons and token."""
    users = [make_user(display_name="Alice Buyer"), make_user(display_name="Bob Buyer")]
    db.session.commit()
    pages, tokens = {}, set()
    for user in [*users, None]:
        client = app.test_client()  # the `client` fixture made these isolated, as in production
        if user is not None:
            client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
        for _ in range(2):  # the second view uses the shared part rendered by the first viewer
            page = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
        pages[user.display_name if user else "visitor"] = page
        tokens |= set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert _menu_name(pages["Alice Buyer"]) == "Alice Buyer"
    assert _menu_name(pages["Bob Buyer"]) == "Bob Buyer"
    assert "Alice" not in pages["Bob Buyer"]
    assert "Bob" not in pages["Alice Buyer"]
    assert 'action="/logout"' not in pages["visitor"]
    assert "Alice" not in pages["visitor"]
    assert len(tokens) == 3  # one CSRF token per session, never another viewer's
    if path == "/":
        assert 'href="/login"' in pages["visitor"].split('class="hero-actions"')[1][:400]
        assert 'href="/login"' not in pages["Alice Buyer"].split('class="hero-actions"')[1][:400]
    else:
        assert 'class="inline-form save-search"' in pages["Alice Buyer"]
        assert 'class="inline-form save-search"' not in pages["visitor"]


def test_sized_memo_keeps_within_its_byte_budget():
    """Fragments and search results are keyed by visitors' URLs: their total size stays bounded."""
    from app.core.page_cache import SizedMemo

    memo = SizedMemo(800)
    for number in range(20):
        memo.put(("k", number), "x" * 90, 90)
    assert memo.used <= 800
    assert memo.get(("k", 0)) == (False, None)  # the oldest went first
    assert memo.get(("k", 19)) == (True, "x" * 90)
    memo.put(("big",), "y" * 200, 200)  # more than an eighth of the budget: not kept
    assert memo.get(("big",)) == (False, None)


def test_a_request_reads_the_data_version_once_and_sees_its_own_writes(app, make_user, tmp_path):
    """The stamp is read once a request (another process's later write may go unseen until the next
    request), but a commit made within the request moves the version it uses at once."""
    import os

    from app.core.page_cache import STAMP_NAME

    calls: list = []
    with app.test_request_context("/"):
        first = data_version()
        stamp = os.path.join(app.instance_path, STAMP_NAME)
        os.utime(stamp, ns=(1, 1))  # as if another process replaced the stamp meanwhile
        assert data_version() == first  # read once a request
        make_user()
        db.session.commit()  # this request's own write
        after = data_version()
        assert after != first
        fragment = render_template_string(FRAGMENT, key="own", count=lambda: calls.append(1) or len(calls))
        assert fragment == "1"
    with app.test_request_context("/"):
        assert data_version() == after  # the next request reads the stamp again
