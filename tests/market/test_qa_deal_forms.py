"""A refused filing or registration keeps what the seller typed (it redirected and lost it)."""

import pytest

from app.extensions import db
from app.market import deal_services as deals
from app.market.deal_models import Deal
from tests.market.deal_support import build_market
from tests.payments.support import signed_deal


@pytest.fixture
def deal(app, make_user, frozen_clock):
    with app.test_request_context():
        market = build_market(make_user)
        deal = signed_deal(market)
    return market, deal


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bad_filing_date_keeps_the_filing_number(client, auth, deal, lang):
    market, deal = deal
    auth.login(market.seller)
    response = client.post(
        f"/market/deals/{deal.id}/filing",
        data={"filing_number": "2026990001234", "filed_on": "2026-13-45"},
        headers={"Accept-Language": lang},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="2026990001234"' in html
    assert ("请输入受理号和日期" if lang == "zh" else "Enter the filing number") in html
    assert db.session.get(Deal, deal.id).filing_number is None


def test_bad_registration_date_keeps_the_notice(client, auth, deal):
    market, deal = deal
    deals.record_filing(deal, market.seller, "2026100012345", deals.today())
    db.session.commit()
    auth.login(market.seller)
    response = client.post(
        f"/market/deals/{deal.id}/registration",
        data={"registered_on": "not a date", "notice": "登记通知 7 号"},
        headers={"Accept-Language": "zh"},
    )
    assert response.status_code == 422
    assert 'value="登记通知 7 号"' in response.get_data(as_text=True)


def test_good_filing_still_redirects(client, auth, deal):
    market, deal = deal
    auth.login(market.seller)
    response = client.post(
        f"/market/deals/{deal.id}/filing", data={"filing_number": "2026990001234", "filed_on": "2026-12-01"}
    )
    assert response.status_code == 302
