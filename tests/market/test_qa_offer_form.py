"""A refused offer keeps what the buyer typed and says why beside the field (it used to redirect and lose it)."""

import pytest

from app.extensions import db
from app.market.offer_models import Offer
from tests.market.deal_support import build_market


@pytest.fixture
def market(make_user):
    return build_market(make_user)


@pytest.mark.parametrize(("lang", "price"), [("zh", "一百块"), ("en", "abc")])
def test_bad_price_re_renders_the_form_with_the_typed_values(client, auth, market, lang, price):
    auth.login(market.buyer)
    response = client.post(
        f"/market/listings/{market.listing.id}/offers",
        data={"price": price, "expires_in": "7", "message": "请尽快答复 / please answer soon"},
        headers={"Accept-Language": lang},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'value="{price}"' in html
    assert "请尽快答复 / please answer soon</textarea>" in html
    assert 'id="price-error"' in html
    assert db.session.query(Offer).count() == 0


def test_missing_price_keeps_the_message(client, auth, market):
    auth.login(market.buyer)
    response = client.post(
        f"/market/listings/{market.listing.id}/offers",
        data={"price": "", "expires_in": "7", "message": "留言不丢"},
        headers={"Accept-Language": "zh"},
    )
    assert response.status_code == 422
    assert "留言不丢</textarea>" in response.get_data(as_text=True)


def test_good_offer_still_redirects(client, auth, market):
    auth.login(market.buyer)
    response = client.post(
        f"/market/listings/{market.listing.id}/offers",
        data={"price": "40万", "expires_in": "7", "message": ""},
    )
    assert response.status_code == 302
    assert db.session.query(Offer).count() == 1


def test_a_refused_term_opens_the_terms_panel(client, auth, market):
    auth.login(market.buyer)
    response = client.post(
        f"/market/listings/{market.listing.id}/offers",
        data={"price": "40万", "expires_in": "7", "term_months": "很多", "message": ""},
        headers={"Accept-Language": "zh"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="很多"' in html
    assert "<details open>" in html  # the error is visible, not folded away
