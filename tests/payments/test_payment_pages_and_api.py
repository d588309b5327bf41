"""The pay panel, the administrators' payments page and /api/v1 payments, in zh and en."""

import pytest

from app.extensions import db
from app.market import deal_states
from app.payments import connect
from app.payments import states as st
from app.payments.models import Payment
from tests.market.deal_support import build_market
from tests.payments.support import register, signed_deal


@pytest.fixture
def market(app, make_user, frozen_clock):
    with app.test_request_context():
        market = build_market(make_user)
        market.deal = signed_deal(market)
    return market


def _token_headers(user) -> dict:
    from app.accounts.services import create_api_token

    _token, plaintext = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plaintext}", "Accept": "application/json"}


def _as(client, auth, user):
    auth.logout()
    auth.login(user)


def test_bank_transfer_through_the_pages_from_panel_to_payout(client, auth, market):
    deal = market.deal
    _as(client, auth, market.buyer)
    page = client.get(f"/market/deals/{deal.id}", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "银行转账付款" in page
    assert "款项" in page
    client.post(f"/payments/deals/{deal.id}/start")
    payment = db.session.query(Payment).one()
    page = client.get(f"/market/deals/{deal.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert payment.reference in page
    assert "Quote this reference" in page

    _as(client, auth, market.admin)
    admin_page = client.get("/payments/admin", headers={"Accept-Language": "zh"})
    assert admin_page.status_code == 200
    assert payment.reference in admin_page.get_data(as_text=True)
    client.post(f"/payments/admin/{payment.id}/receipt", data={"bank_reference": "BOC-1", "amount": "40万"})
    db.session.refresh(payment)
    assert payment.status == st.SUCCEEDED
    assert payment.deal.money_status == deal_states.PAID
    client.post(f"/payments/admin/{payment.id}/payout", data={"bank_reference": "BOC-2"})
    db.session.refresh(payment)
    assert payment.status == st.SUCCEEDED  # refused: held until registration
    with client.application.test_request_context():
        register(payment.deal, market)
        connect.save_bank_details(
            market.seller, market.seller, "陈教授", "中国银行 杭州分行", "6216610000001234567"
        )
        db.session.commit()
    client.post(f"/payments/admin/{payment.id}/payout", data={"bank_reference": "BOC-2"})
    db.session.refresh(payment)
    assert payment.status == st.PAID_OUT
    assert "agree" in client.get("/payments/admin", headers={"Accept-Language": "en"}).get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "code"), [("buyer", 200), ("seller", 200), ("stranger", 404), ("admin", 200)]
)
def test_who_sees_a_deals_payments(client, market, role, code):
    headers = _token_headers(getattr(market, role))
    assert client.get(f"/api/v1/deals/{market.deal.id}/payments", headers=headers).status_code == code


def test_non_admins_cannot_open_the_payments_page(client, auth, market):
    _as(client, auth, market.buyer)
    assert client.get("/payments/admin").status_code == 403


def test_api_starts_once_and_refuses_the_seller(client, market):
    url = f"/api/v1/deals/{market.deal.id}/payments"
    refused = client.post(url, json={}, headers=_token_headers(market.seller))
    assert refused.status_code == 403
    assert refused.get_json()["error"]["message"]
    buyer = _token_headers(market.buyer)
    first = client.post(url, json={}, headers=buyer)
    again = client.post(url, json={}, headers=buyer)
    assert first.status_code == 201
    body = first.get_json()
    assert (
        body["client"]["reference"]
        == body["payment"]["reference"]
        == again.get_json()["payment"]["reference"]
    )
    assert body["payment"]["amount"] == {"amount": "400000.00", "currency": "CNY"}
    assert len(client.get(url, headers=buyer).get_json()) == 1


def test_fee_quote(client, market):
    seller = _token_headers(market.seller)
    quote = client.get(
        f"/api/v1/fees/quote?listing={market.deal.listing_id}&price=100000", headers=seller
    ).get_json()
    assert quote["fee"] == {"amount": "5000.00", "currency": "CNY"}
    assert quote["seller_receives"]["amount"] == "95000.00"
    bad = client.get(f"/api/v1/fees/quote?listing={market.deal.listing_id}&price=abc", headers=seller)
    assert bad.status_code == 400
    assert "price" in bad.get_json()["error"]["fields"]


def test_card_payment_through_the_api_against_localstripe(client, market, stripe_app):
    url = f"/api/v1/deals/{market.deal.id}/payments"
    response = client.post(url, json={"payment_method": "pm_card_visa"}, headers=_token_headers(market.buyer))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["payment"]["status"] == st.SUCCEEDED


def test_a_declined_card_on_the_pay_panel_says_so_and_records_nothing_paid(client, auth, market, stripe_app):
    deal = market.deal
    _as(client, auth, market.buyer)
    client.post(f"/payments/deals/{deal.id}/start")
    payment = db.session.query(Payment).one()
    response = client.post(
        f"/payments/{payment.id}/confirm",
        data={"payment_method": "pm_card_chargeCustomerFail"},
        headers={"Accept-Language": "en"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "The card was declined" in page
    assert "sent to the card issuer" not in page
    db.session.refresh(payment)
    assert payment.status == st.FAILED
    assert deal.money_status == deal_states.UNPAID


def test_a_refused_receipt_keeps_what_the_administrator_typed(client, auth, market):
    _as(client, auth, market.buyer)
    client.post(f"/payments/deals/{market.deal.id}/start")
    payment = db.session.query(Payment).one()
    _as(client, auth, market.admin)
    response = client.post(
        f"/payments/admin/{payment.id}/receipt",
        data={"bank_reference": "BOC-778812", "amount": "400,000.01"},
        headers={"Accept-Language": "zh"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="BOC-778812"' in page
    assert 'value="400,000.01"' in page
    db.session.refresh(payment)
    assert payment.status == st.REQUIRES_PAYMENT


@pytest.mark.parametrize(
    ("lang", "data", "field", "message"),
    [
        (
            "zh",
            {"bank_reference": "BOC-778812", "amount": "400,000.01"},
            "amount",
            "转账金额必须与应付金额完全一致",
        ),
        ("en", {"bank_reference": "B", "amount": "40万"}, "bank_reference", "Enter the bank"),
        ("en", {"bank_reference": "BOC-778812", "amount": "lots"}, "amount", ""),
    ],
)
def test_a_refused_receipt_says_why_beside_the_field(client, auth, market, lang, data, field, message):
    _as(client, auth, market.buyer)
    client.post(f"/payments/deals/{market.deal.id}/start")
    payment = db.session.query(Payment).one()
    _as(client, auth, market.admin)
    response = client.post(
        f"/payments/admin/{payment.id}/receipt", data=data, headers={"Accept-Language": lang}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error_id = f"receipt-{payment.id}-{field}-error"
    assert f'aria-describedby="{error_id}"' in page
    beside = page[page.index(f'<span class="error" id="{error_id}">') :]
    assert message in beside[: beside.index("</span>")]
    for name, value in data.items():
        assert f'name="{name}" placeholder' in page
        assert f'value="{value}"' in page
