"""The audit log names exchange-rate entries and the platform itself in the reader's language (QA pass)."""

import datetime as dt
from decimal import Decimal

import pytest

from app.accounts.models import Role
from app.core.actors import ensure_system_actor
from app.extensions import db
from app.valuation import fx


@pytest.fixture
def admin_after_a_demo_rate(auth, make_user):
    """An administrator signed in after the platform added a demo exchange rate."""
    admin = make_user(email="root@example.com", roles=(Role.ADMIN,))
    fx.add_rate("USD", Decimal("7.1"), dt.date(2025, 1, 1), "demo", ensure_system_actor())
    db.session.commit()
    auth.login(admin)
    return admin


@pytest.mark.usefixtures("admin_after_a_demo_rate")
def test_fx_rate_entry_and_system_actor_read_in_chinese(client):
    html = client.get("/admin/audit", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "新增汇率" in html
    assert "其他事件" not in html
    assert "详情：USD" not in html
    assert "币种：USD" in html
    assert "(system)" not in html
    english = client.get("/admin/audit", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Exchange rate added" in english
    assert "Currency: USD" in english


@pytest.mark.usefixtures("admin_after_a_demo_rate")
def test_the_audit_log_is_filtered_by_actions_in_words_and_shows_no_codes(client):
    """The filter asked for a code ("Action, e.g. role.") an administrator cannot know, a demo rate
    read "来源：demo", and English role lists were joined with 、."""
    html = client.get("/admin/audit", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<option value="fx_rate.added">新增汇率</option>' in html
    assert "role." not in html.replace('value="role.', "")  # option values are codes; no text is
    assert "来源：demo" not in html
    assert "来源：演示汇率" in html
    only_logins = client.get("/admin/audit?action=user.login", headers={"Accept-Language": "zh-CN"})
    assert "新增汇率" not in only_logins.get_data(as_text=True).split("</select>")[1]
    assert '<option value="user.login" selected>' in only_logins.get_data(as_text=True)


def test_role_lists_in_the_audit_log_follow_the_readers_language(app):
    from app.accounts.audit_display import _role_text

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert _role_text(["buyer", "assessor"]) == "Buyer, Assessor"
