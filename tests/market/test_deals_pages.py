"""Offer and deal pages: who sees what (a permission table), forms, zh and en, nothing raw on the page."""

import re

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.market import deal_services as deals
from app.market import offer_services as offers
from tests.market.deal_support import build_market


@pytest.fixture
def market(make_user, frozen_clock):
    market = build_market(make_user)
    market.assessor = make_user(email="assessor@example.com", roles=(Role.ASSESSOR,), organisation="Valuers")
    market.other_seller = make_user(
        email="other@example.com", roles=(Role.RIGHTS_HOLDER,), organisation="Other U"
    )
    offer = offers.make_offer(listing=market.listing, buyer=market.buyer, price="400000", actor=market.buyer)
    db.session.commit()
    market.offer = offer
    return market


@pytest.fixture
def deal(market):
    deal = offers.accept_offer(market.offer, market.seller)
    deals.draft_contract(deal, market.seller, "zh")
    db.session.commit()
    return deal


def _login(client, auth, user):
    auth.logout()
    if user is not None:
        auth.login(user)


ROLES = ("anonymous", "buyer", "seller", "other_seller", "assessor", "admin", "stranger")


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_offers_page_and_the_offer(client, auth, market, role):
    _login(client, auth, getattr(market, role, None))
    response = client.get(f"/market/listings/{market.listing.id}/offers", headers={"Accept-Language": "en"})
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    sees_offer = role in ("buyer", "seller", "admin")
    assert (f'id="offer-{market.offer.id}"' in response.get_data(as_text=True)) is sees_offer


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_deal(client, auth, market, deal, role):
    _login(client, auth, getattr(market, role, None))
    page = client.get(f"/market/deals/{deal.id}")
    printable = client.get(f"/market/deals/{deal.id}/contract")
    listed = client.get("/market/deals", headers={"Accept-Language": "en"})
    if role == "anonymous":
        assert (page.status_code, printable.status_code, listed.status_code) == (302, 302, 302)
        return
    allowed = role in ("buyer", "seller", "admin")
    assert page.status_code == (200 if allowed else 404)
    assert printable.status_code == (200 if allowed else 404)
    assert (deal.reference in listed.get_data(as_text=True)) is allowed


@pytest.mark.parametrize("role", ROLES)
def test_who_may_act_on_an_offer(client, auth, market, role):
    _login(client, auth, getattr(market, role, None))
    response = client.post(f"/market/offers/{market.offer.id}/reject", data={"reason": "no"})
    db.session.expire_all()
    if role == "seller":
        assert market.offer.status == "rejected"
    else:
        assert market.offer.status == "open"
        expected = {"anonymous": 302, "buyer": 302}.get(role, 404 if role != "admin" else 302)
        assert response.status_code == expected


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_deal_page_renders_in_both_languages_without_raw_values(client, auth, market, deal, lang):
    _login(client, auth, market.seller)
    html = client.get(f"/market/deals/{deal.id}", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert deal.reference in html
    assert deal.contract.text_sha256 in html
    assert ("Audit trail" in html) is (lang == "en")
    assert "contract_drafted" not in re.sub(r'class="[^"]*"', "", html)  # labels, never status identifiers
    assert "Decimal(" not in html
    assert "None" not in re.sub(r"<[^>]+>", "", html)


def test_whole_flow_through_the_pages(client, auth, market, deal):
    sha = deal.contract.text_sha256
    _login(client, auth, market.seller)
    client.post(f"/market/deals/{deal.id}/sign", data={"typed_name": "陈教授", "text_sha256": sha})
    twice = client.post(
        f"/market/deals/{deal.id}/sign", data={"typed_name": "陈教授", "text_sha256": sha}, follow_redirects=True,
        headers={"Accept-Language": "en"},
    )  # fmt: skip
    assert "Your side has signed this contract already." in twice.get_data(as_text=True)
    _login(client, auth, market.buyer)
    early = client.post(
        f"/market/deals/{deal.id}/filing", data={"filing_number": "X-1", "filed_on": "2026-12-01"},
        follow_redirects=True, headers={"Accept-Language": "en"},
    )  # fmt: skip
    assert "The seller records the filing" in early.get_data(as_text=True)
    client.post(f"/market/deals/{deal.id}/sign", data={"typed_name": "刘总", "text_sha256": sha})
    _login(client, auth, market.seller)
    client.post(
        f"/market/deals/{deal.id}/filing", data={"filing_number": "LR-2026-9", "filed_on": "2026-12-01"}
    )
    client.post(
        f"/market/deals/{deal.id}/registration", data={"registered_on": "2026-12-01", "notice": "N-1"}
    )
    _login(client, auth, market.admin)
    client.post(f"/market/deals/{deal.id}/paid", data={"reference": "ICBC-1"})
    db.session.expire_all()
    assert deal.status == "completed"
    printable = client.get(f"/market/deals/{deal.id}/contract").get_data(as_text=True)
    assert "刘总" in printable
    assert sha in printable


def test_offer_form_errors_are_shown_and_nothing_is_written(client, auth, market):
    _login(client, auth, market.rival)
    response = client.post(
        f"/market/listings/{market.listing.id}/offers", data={"price": "-3", "expires_in": "7"},
        follow_redirects=True, headers={"Accept-Language": "en"},
    )  # fmt: skip
    assert response.status_code == 422  # the form comes back with what was typed (no redirect)
    assert "Enter an amount of zero or more." in response.get_data(as_text=True)
    assert len(offers.offers_visible_to(market.rival, market.listing)) == 0


def test_my_market_for_each_role(client, auth, market, deal):
    for user, expected in (
        (market.seller, "Offers received"),
        (market.buyer, "Offers made"),
        (market.admin, "Active deals"),
    ):
        _login(client, auth, user)
        html = client.get("/market/my", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert expected in html
        assert deal.reference in html


def test_listing_page_shows_the_offer_form_to_buyers_only(client, auth, market):
    _login(client, auth, market.rival)
    html = client.get(f"/market/listings/{market.listing.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Make an offer" in html
    _login(client, auth, market.seller)
    html = client.get(f"/market/listings/{market.listing.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Send the offer" not in html
