"""A refused counter-offer keeps what was typed beside the field (it used to redirect and lose it), and
a pending counter-offer replaces the new-offer form with its answers and the reason."""

import pytest

from app.extensions import db
from app.market import offer_services
from app.market.offer_models import Offer
from tests.market.deal_support import build_market


@pytest.fixture
def market(make_user):
    return build_market(make_user)


@pytest.fixture
def offer(app, market):
    with app.test_request_context():
        offer = offer_services.make_offer(
            listing=market.listing, buyer=market.buyer, price="400000", actor=market.buyer
        )
        db.session.commit()
    return offer


@pytest.mark.parametrize(("lang", "price"), [("zh", "一百块"), ("en", "abc")])
def test_bad_counter_price_re_renders_with_the_typed_values(client, auth, market, offer, lang, price):
    auth.login(market.seller)
    response = client.post(
        f"/market/offers/{offer.id}/counter",
        data={"price": price, "expires_in": "7", "territory": "浙江省", "message": "可以再谈 / let us talk"},
        headers={"Accept-Language": lang},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'value="{price}"' in html
    assert 'value="浙江省"' in html
    assert "可以再谈 / let us talk</textarea>" in html
    assert f'id="price-{offer.id}-error"' in html  # the message sits beside the price field
    assert '<details class="deal-counter" open>' in html
    assert db.session.query(Offer).count() == 1
    db.session.refresh(offer)
    assert offer.status == "open"


def test_a_refused_counter_term_is_named_beside_its_field(client, auth, market, offer):
    auth.login(market.seller)
    response = client.post(
        f"/market/offers/{offer.id}/counter",
        data={"price": "45万", "expires_in": "7", "term_months": "很多", "message": ""},
        headers={"Accept-Language": "zh"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="很多"' in html
    assert f'id="term_months-{offer.id}-error"' in html
    assert 'value="45万"' in html


def test_a_good_counter_still_redirects(client, auth, market, offer):
    auth.login(market.seller)
    response = client.post(
        f"/market/offers/{offer.id}/counter", data={"price": "45万", "expires_in": "7", "message": ""}
    )
    assert response.status_code == 302
    assert db.session.query(Offer).count() == 2


def _countered(app, market, offer):
    with app.test_request_context():
        counter = offer_services.counter_offer(offer, market.seller, price="450000")
        db.session.commit()
    return counter


@pytest.mark.parametrize(
    ("lang", "why"),
    [
        ("zh", "此还价等待您答复期间，不能提出新的报价"),
        ("en", "A new offer cannot be made while this counter-offer"),
    ],
)
def test_a_pending_counter_replaces_the_new_offer_form(app, client, auth, market, offer, lang, why):
    counter = _countered(app, market, offer)
    auth.login(market.buyer)
    html = client.get(
        f"/market/listings/{market.listing.id}/offers", headers={"Accept-Language": lang}
    ).get_data(as_text=True)
    assert f'action="/market/listings/{market.listing.id}/offers"' not in html  # no new-offer form
    assert why in html
    for action in ("accept", "reject", "counter"):
        assert f'action="/market/offers/{counter.id}/{action}"' in html
    assert html.count(f'id="offer-{counter.id}"') == 1
    listing_page = client.get(
        f"/market/listings/{market.listing.id}", headers={"Accept-Language": lang}
    ).get_data(as_text=True)
    assert f'action="/market/listings/{market.listing.id}/offers"' not in listing_page


def test_the_new_offer_form_returns_once_the_counter_is_answered(app, client, auth, market, offer):
    counter = _countered(app, market, offer)
    auth.login(market.buyer)
    client.post(f"/market/offers/{counter.id}/reject", data={"reason": ""})
    html = client.get(f"/market/listings/{market.listing.id}/offers").get_data(as_text=True)
    assert f'action="/market/listings/{market.listing.id}/offers"' in html
