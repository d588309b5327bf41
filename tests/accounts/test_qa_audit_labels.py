"""The audit log names exchange-rate entries and the platform itself in the reader's language (QA pass)."""

import datetime as dt
from decimal import Decimal

from app.accounts.models import Role
from app.core.actors import ensure_system_actor
from app.extensions import db
from app.valuation import fx


def test_fx_rate_entry_and_system_actor_read_in_chinese(client, auth, make_user):
    admin = make_user(email="root@example.com", roles=(Role.ADMIN,))
    fx.add_rate("USD", Decimal("7.1"), dt.date(2025, 1, 1), "demo", ensure_system_actor())
    db.session.commit()
    auth.login(admin)
    html = client.get("/admin/audit", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "新增汇率" in html
    assert "其他事件" not in html
    assert "详情：USD" not in html
    assert "币种：USD" in html
    assert "(system)" not in html
    english = client.get("/admin/audit", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Exchange rate added" in english
    assert "Currency: USD" in english
