"""Stripe.js and the CSP: loaded from Stripe's origin only with a publishable key, and only then allowed."""

import pytest

from app.core.security import extended_policy
from app.extensions import db
from app.payments import services as payments
from tests.market.deal_support import build_market
from tests.payments.support import signed_deal

EN = {"Accept-Language": "en"}


@pytest.fixture
def market(make_user, frozen_clock):
    return build_market(make_user)


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def _open_card_payment(market):
    deal = signed_deal(market)
    payments.start_payment(deal, market.buyer)
    db.session.commit()
    return deal


def test_with_a_publishable_key_the_deal_page_loads_stripe_js_and_the_policy_allows_only_stripe(
    stripe_app, client, auth, market
):
    deal = _open_card_payment(market)
    auth.login(market.buyer)
    page = client.get(f"/market/deals/{deal.id}", headers=EN)
    body = page.get_data(as_text=True)
    assert '<script src="https://js.stripe.com/v3/"></script>' in body
    assert 'data-stripe-key="pk_test_ipex"' in body
    assert 'data-client-secret="pi_' in body
    assert 'name="payment_method"' in body  # the server-side confirmation stays
    directives = _directives(page)
    assert directives["script-src"] == "'self' https://js.stripe.com"
    assert directives["frame-src"] == "https://js.stripe.com https://hooks.stripe.com"
    assert directives["connect-src"] == "'self' https://api.stripe.com"
    assert directives["default-src"] == "'self'"
    other = client.get("/market/auctions", headers=EN)  # pages without a card form stay closed
    assert "stripe" not in other.headers["Content-Security-Policy"]


def test_the_seller_s_view_of_the_same_deal_loads_nothing_from_stripe(stripe_app, client, auth, market):
    deal = _open_card_payment(market)
    auth.login(market.seller)
    page = client.get(f"/market/deals/{deal.id}", headers=EN)
    assert "js.stripe.com" not in page.get_data(as_text=True)
    assert "stripe" not in page.headers["Content-Security-Policy"]


def test_without_a_publishable_key_nothing_from_stripe_is_loaded_and_the_server_confirms(
    stripe_app, client, auth, market
):
    stripe_app.config["STRIPE_PUBLISHABLE_KEY"] = ""
    deal = _open_card_payment(market)
    auth.login(market.buyer)
    page = client.get(f"/market/deals/{deal.id}", headers=EN)
    body = page.get_data(as_text=True)
    assert "js.stripe.com" not in body
    assert "data-client-secret" not in body
    assert 'name="payment_method"' in body
    assert _directives(page)["script-src"] == "'self'"
    assert "frame-src" not in _directives(page)
    assert "stripe" not in page.headers["Content-Security-Policy"]


def test_the_policy_helper_adds_sources_and_creates_missing_directives():
    policy = extended_policy(
        "default-src 'self'; script-src 'self'", {"script-src": ("https://a",), "frame-src": ("https://b",)}
    )
    assert policy == "default-src 'self'; script-src 'self' https://a; frame-src https://b"


def test_the_deposit_page_loads_stripe_js_only_with_a_publishable_key(stripe_app, client, auth, make_user):
    from app.payments import deposits
    from tests.payments.deposit_support import deposit_auction

    case = deposit_auction(make_user)
    deposit = deposits.start_deposit(case.auction, case.winner)
    db.session.commit()
    auth.login(case.winner)
    url = f"/payments/auctions/{case.auction.id}/deposit"
    page = client.get(url, headers=EN)
    assert '<script src="https://js.stripe.com/v3/"></script>' in page.get_data(as_text=True)
    assert f'data-client-secret="{deposit.provider_ref}' in page.get_data(as_text=True)
    assert _directives(page)["script-src"] == "'self' https://js.stripe.com"
    stripe_app.config["STRIPE_PUBLISHABLE_KEY"] = ""
    page = client.get(url, headers=EN)
    assert "js.stripe.com" not in page.get_data(as_text=True)
    assert _directives(page)["script-src"] == "'self'"
    assert 'name="payment_method"' in page.get_data(as_text=True)  # the server-side confirmation
