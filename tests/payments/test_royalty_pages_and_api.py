"""Royalties on the deal page and their own page (zh and en), the report form, and /api/v1."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.payments import royalty_models as rm
from app.payments.models import Payment
from tests.payments.royalty_support import QUARTER, royalty_market


@pytest.fixture
def market(app, make_user, frozen_clock):
    with app.test_request_context():
        market = royalty_market(make_user, minimum_annual_royalty="100000")
    frozen_clock.advance(QUARTER)
    return market


def _token_headers(user) -> dict:
    from app.accounts.services import create_api_token

    _token, plaintext = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plaintext}", "Accept": "application/json"}


def _as(auth, user):
    auth.logout()
    auth.login(user)


def _page(client, url, language):
    response = client.get(url, headers={"Accept-Language": language})
    return response.status_code, response.get_data(as_text=True)


def test_licensee_reports_and_pays_from_the_pages(client, auth, market):
    deal = market.deal
    _as(auth, market.buyer)
    code, page = _page(client, f"/market/deals/{deal.id}", "zh")
    assert code == 200
    assert "提成费" in page
    assert "申报净销售额" in page
    code, page = _page(client, f"/payments/deals/{deal.id}/royalties", "en")
    assert "Running royalties" in page
    assert "Report net sales" in page
    assert "Minimum per licence year" in page

    response = client.post(f"/payments/deals/{deal.id}/royalties", data={"period": "1", "net_sales": "-5"},
                           headers={"Accept-Language": "en"})  # fmt: skip
    assert response.status_code == 400
    assert "Enter an amount of zero or more." in response.get_data(as_text=True)
    response = client.post(f"/payments/deals/{deal.id}/royalties", data={"period": "9", "net_sales": "5"},
                           headers={"Accept-Language": "zh"})  # fmt: skip
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(rm.RoyaltyReport.id))) == 0

    client.post(f"/payments/deals/{deal.id}/royalties", data={"period": "1", "net_sales": "12.5万"})
    invoice = db.session.scalars(select(rm.RoyaltyInvoice)).one()
    assert invoice.amount == Decimal("4375.00")
    code, page = _page(client, f"/market/deals/{deal.id}", "en")
    assert "3.5% × 125000.00 = 4375.00" in page
    assert "Pay this invoice" in page
    client.post(f"/payments/royalty-invoices/{invoice.id}/pay")
    payment = db.session.scalars(select(Payment).where(Payment.royalty_invoice_id == invoice.id)).one()
    code, page = _page(client, f"/payments/deals/{deal.id}/royalties", "zh")
    assert payment.reference in page


def test_licensor_sees_overdue_items_and_cannot_report_or_pay(client, auth, market, frozen_clock):
    from datetime import timedelta

    frozen_clock.advance(timedelta(days=40))  # period 1 was due on 2027-03-30
    _as(auth, market.seller)
    code, page = _page(client, f"/market/deals/{market.deal.id}", "en")
    assert "1 item is overdue." in page
    assert "Report overdue" in page
    assert "Report net sales" not in page
    code, page = _page(client, f"/market/deals/{market.deal.id}", "zh")
    assert "项逾期" in page
    client.post(f"/payments/deals/{market.deal.id}/royalties", data={"period": "1", "net_sales": "5"})
    assert db.session.scalar(select(func.count(rm.RoyaltyReport.id))) == 0


@pytest.mark.parametrize(
    ("role", "code"), [("buyer", 200), ("seller", 200), ("admin", 200), ("stranger", 404)]
)
def test_who_reads_royalties(client, auth, market, role, code):
    headers = _token_headers(getattr(market, role))
    assert client.get(f"/api/v1/deals/{market.deal.id}/royalties", headers=headers).status_code == code
    _as(auth, getattr(market, role))
    assert client.get(f"/payments/deals/{market.deal.id}/royalties").status_code == code


def test_api_reports_corrects_and_refuses_bad_input(client, market):
    url = f"/api/v1/deals/{market.deal.id}/royalty-reports"
    buyer = _token_headers(market.buyer)
    assert (
        client.post(
            url, json={"period": 1, "net_sales": "1000"}, headers=_token_headers(market.seller)
        ).status_code
        == 403
    )
    assert (
        client.post(
            url, json={"period": 1, "net_sales": "1000"}, headers=_token_headers(market.stranger)
        ).status_code
        == 404
    )
    negative = client.post(url, json={"period": 1, "net_sales": "-1"}, headers=buyer)
    assert negative.status_code == 400
    assert "net_sales" in negative.get_json()["error"]["fields"]
    missing = client.post(url, json={"period": 42, "net_sales": "1"}, headers=buyer)
    assert missing.status_code == 400
    assert "period" in missing.get_json()["error"]["fields"]
    assert client.post(url, json={"period": 1}, headers=buyer).status_code == 422
    first = client.post(url, json={"period": 1, "net_sales": "1000.50"}, headers=buyer)
    assert first.status_code == 201
    second = client.post(url, json={"period": 1, "net_sales": "2000", "note": "corrected"}, headers=buyer)
    period = second.get_json()["periods"][0]
    assert period["invoice"]["amount"] == {"amount": "70.00", "currency": "CNY"}
    assert [r["net_sales"]["amount"] for r in period["history"]] == ["1000.50", "2000.00"]
    assert period["history"][0]["superseded_at"] is not None
    assert period["state"] == "invoice_due"
    body = client.get(f"/api/v1/deals/{market.deal.id}/royalties", headers=buyer).get_json()
    assert body["rate_percent"] == "3.5"
    assert body["term_assumed"] is False
    assert body["periods"][3]["year_minimum"] == {"amount": "100000.00", "currency": "CNY"}


def test_api_pays_an_invoice_for_the_licensee_only(client, market):
    buyer = _token_headers(market.buyer)
    client.post(
        f"/api/v1/deals/{market.deal.id}/royalty-reports",
        json={"period": 1, "net_sales": "1000"},
        headers=buyer,
    )
    invoice = db.session.scalars(select(rm.RoyaltyInvoice)).one()
    url = f"/api/v1/royalty-invoices/{invoice.id}/payments"
    assert client.post(url, json={}, headers=_token_headers(market.stranger)).status_code == 404
    assert client.post(url, json={}, headers=_token_headers(market.seller)).status_code == 403
    assert client.post("/api/v1/royalty-invoices/999/payments", json={}, headers=buyer).status_code == 404
    started = client.post(url, json={}, headers=buyer)
    assert started.status_code == 201
    body = started.get_json()
    assert body["payment"]["amount"] == {"amount": "35.00", "currency": "CNY"}
    assert body["client"]["reference"] == body["payment"]["reference"]
    again = client.post(url, json={}, headers=buyer).get_json()  # resumed, not doubled
    assert again["payment"]["id"] == body["payment"]["id"]
    period = client.get(f"/api/v1/deals/{market.deal.id}/royalties", headers=buyer).get_json()["periods"][0]
    assert period["payment"]["reference"] == body["payment"]["reference"]
