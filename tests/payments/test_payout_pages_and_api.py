"""The payout settings page (Connect onboarding or bank details), the admin payouts page and
GET /api/v1/payouts, in zh and en; a page view never writes."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.payments import connect, payouts
from app.payments import payout_states as ps
from app.payments import services as payments
from app.payments.payout_models import Payout, PayoutAccount
from tests.market.deal_support import build_market
from tests.payments.support import register, signed_deal

ZH, EN = {"Accept-Language": "zh"}, {"Accept-Language": "en"}


@pytest.fixture
def market(app, make_user, frozen_clock):
    with app.test_request_context():
        return build_market(make_user)


def _token_headers(user) -> dict:
    from app.accounts.services import create_api_token

    _token, plaintext = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plaintext}", "Accept": "application/json"}


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_offline_bank_details_are_validated_and_saved(client, auth, market):
    auth.login(market.seller)
    page = client.get("/payments/payouts", headers=ZH).get_data(as_text=True)
    assert "尚未设置" in page
    assert "保存银行信息" in page
    bad = client.post("/payments/payouts/bank", data={"account_name": "陈", "bank_name": "",
                                                      "account_number": "12ab"}, headers=EN)  # fmt: skip
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Enter the bank and branch." in text
    assert "8 to 30 digits" in text
    assert _count(PayoutAccount) == 0
    good = client.post("/payments/payouts/bank", data={"account_name": "陈教授", "bank_name": "中国银行 北京分行",
                                                       "account_number": "6216 6100 0000 1234 567"})  # fmt: skip
    assert good.status_code == 302
    account = db.session.scalar(select(PayoutAccount))
    assert (account.bank_account_number, account.ready) == ("6216610000001234567", True)
    page = client.get("/payments/payouts", headers=EN).get_data(as_text=True)
    assert "Ready to receive payouts" in page
    assert "•••• 4567" in page
    assert "6216610000001234567" not in page


def test_connect_onboarding_through_the_pages_and_a_get_never_writes(
    client, auth, market, connect_app, connect_stub
):
    auth.login(market.seller)
    assert "Set up payouts" in client.get("/payments/payouts", headers=EN).get_data(as_text=True)
    response = client.post("/payments/payouts/onboard", headers=EN)
    assert response.status_code == 200  # a link to follow: form posts stay on our origin (CSP form-action)
    assert f'href="{connect_stub.base}/onboard/' in response.get_data(as_text=True)
    account = db.session.scalar(select(PayoutAccount))
    connect_stub.complete_onboarding(account.provider_ref)
    calls = len(connect_stub.calls)
    page = client.get("/payments/payouts", headers=ZH).get_data(as_text=True)
    assert "设置未完成" in page  # the page shows what we know; it asks the provider only on POST
    assert len(connect_stub.calls) == calls
    db.session.refresh(account)
    assert not account.ready
    client.post("/payments/payouts/refresh")
    db.session.refresh(account)
    assert account.ready
    assert "可以收款" in client.get("/payments/payouts", headers=ZH).get_data(as_text=True)


def test_the_seller_is_told_why_the_payout_waits_and_the_api_lists_it(
    client, auth, market, connect_app, connect_stub
):
    with connect_app.test_request_context():
        deal = signed_deal(market)
        payment, _ = payments.start_payment(deal, market.buyer)
        payments.confirm_payment(payment, market.buyer, "pm_card_visa")
        db.session.commit()
        register(deal, market)
    payout = db.session.scalar(select(Payout))
    assert payout.status == ps.WAITING
    auth.login(market.seller)
    page = client.get("/payments/payouts", headers=ZH).get_data(as_text=True)
    assert "等待您的收款账户" in page
    assert "完成上方的设置后即会发出" in page
    en = client.get("/payments/payouts", headers=EN).get_data(as_text=True)
    assert "Finish the setup above" in en
    assert "380,000.00" in en
    deal_page = client.get(f"/market/deals/{deal.id}", headers=ZH).get_data(as_text=True)
    assert "正在等待您的收款账户" in deal_page
    inbox = client.get("/notifications", headers=ZH).get_data(as_text=True)
    assert f"成交 {deal.reference} 的收款正在等待" in inbox

    body = client.get("/api/v1/payouts?per_page=1", headers=_token_headers(market.seller)).get_json()
    assert (body["total"], body["page"], body["per_page"]) == (1, 1, 1)
    item = body["items"][0]
    assert (item["status"], item["role"]) == (ps.WAITING, "seller")
    assert item["amount"] == {"amount": "380000.00", "currency": "CNY"}
    assert item["transfer_group"] == payouts.transfer_group(deal.id)
    assert client.get("/api/v1/payouts", headers=_token_headers(market.buyer)).get_json()["items"] == []
    assert client.get("/api/v1/payouts?per_page=0", headers=_token_headers(market.buyer)).status_code == 422
    auth.logout()
    assert client.get("/api/v1/payouts").status_code == 401

    # The seller onboards; the admin page's retry sends the payout once.
    with connect_app.test_request_context():
        account, _ = connect.start_onboarding(market.seller, market.seller, "http://x/r", "http://x/b")
        connect_stub.complete_onboarding(account.provider_ref)
        db.session.commit()
    auth.login(market.admin)
    assert payout.reference in client.get("/payments/admin/payouts", headers=EN).get_data(as_text=True)
    client.post(f"/payments/admin/payouts/{payout.id}/retry")
    db.session.refresh(payout)
    assert payout.status == ps.PAID
    assert client.post(f"/payments/admin/payouts/{payout.id}/retry").status_code == 302  # refused, flashed
    assert len(connect_stub.transfers) == 1


def test_the_seller_splits_the_proceeds_on_the_deal_page(client, auth, market):
    with client.application.test_request_context():
        deal = signed_deal(market)
    url = f"/payments/deals/{deal.id}/shares"
    auth.login(market.buyer)
    assert "co_owner_email" not in client.get(f"/market/deals/{deal.id}", headers=EN).get_data(as_text=True)
    client.post(url, data={"co_owner_email": market.buyer.email, "co_owner_percent": "10"})
    assert payouts.shares_of(deal) == []  # only the seller side splits
    auth.logout()
    auth.login(market.seller)
    page = client.get(f"/market/deals/{deal.id}", headers=ZH).get_data(as_text=True)
    assert "与共有人或经纪人分配收益" in page
    client.post(url, data={"co_owner_email": "nobody@example.com", "co_owner_percent": "10"})
    assert payouts.shares_of(deal) == []
    client.post(url, data={"co_owner_email": market.colleague.email, "co_owner_percent": "33.333",
                           "broker_email": market.stranger.email, "broker_percent": "10%"})  # fmt: skip
    shares = {s.role: s.percent for s in payouts.shares_of(deal)}
    assert shares == {"co_owner": Decimal("33.333"), "broker": Decimal("10")}
    page = client.get(f"/market/deals/{deal.id}", headers=EN).get_data(as_text=True)
    assert "33.333%" in page
    assert "10%" in page
