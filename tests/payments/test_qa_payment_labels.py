"""The administrators' payments page calls its check 对账 in Chinese, not the valuation report's heading."""

import pytest

from tests.market.deal_support import build_market
from tests.payments.support import signed_deal


@pytest.fixture
def market(app, make_user, frozen_clock):
    with app.test_request_context():
        market = build_market(make_user)
        market.deal = signed_deal(market)
    return market


def test_payments_reconciliation_heading_in_chinese(client, auth, market):
    auth.login(market.admin)
    page = client.get("/payments/admin", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "对账" in page
    assert "评估结论的形成" not in page  # the valuation report's 'Reconciliation'
    english = client.get("/payments/admin", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Payment reconciliation" in english
