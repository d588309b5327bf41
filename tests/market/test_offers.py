"""Negotiation rules: offers, counter-offers on any term, expiry, floor, acceptance, who sees what."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.core.audit_chain import verify_chain
from app.core.errors import Conflict, PermissionDenied
from app.core.lifecycle import InvalidTransition, StatusEvent
from app.core.money import Money
from app.core.notifications import Notification
from app.core.ticks import run_tick
from app.extensions import db
from app.market import offer_services as offers
from app.market.deal_models import Deal
from app.market.offer_models import Offer
from app.market.offer_services import OfferInvalid
from tests.market.deal_support import build_market


@pytest.fixture(autouse=True)
def _english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def market(make_user, frozen_clock):
    return build_market(make_user)


def _offer(market, buyer=None, price="400000", **kwargs):
    buyer = buyer or market.buyer
    offer = offers.make_offer(listing=market.listing, buyer=buyer, price=price, actor=buyer, **kwargs)
    db.session.commit()
    return offer


def _kinds(user):
    notes = db.session.scalars(select(Notification).where(Notification.user_id == user.id))
    return [n.kind for n in notes if not n.kind.startswith("listing_")]


def test_offer_is_exact_money_with_the_listings_terms_and_notifies_the_seller(market):
    offer = _offer(market, price="40万", message="Ready to sign this month.")
    assert offer.price == Money(Decimal("400000.00"))
    assert offer.status == "open"
    assert offer.made_by_side == "buyer"
    assert offer.thread_id == offer.id
    assert offer.terms["field_of_use"] == market.listing.field_of_use
    assert offer.expires_at == offer.created_at + dt.timedelta(days=14)
    assert _kinds(market.seller) == ["offer_received"]
    assert verify_chain() is None


def test_offer_below_the_floor_is_declined_politely(market):
    offer = _offer(market, price="100000")
    assert offer.status == "declined"
    assert _kinds(market.buyer) == ["offer_declined"]
    assert _kinds(market.seller) == []  # the seller is not bothered
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == market.buyer.id, Notification.kind == "offer_declined"
        )
    )
    assert "welcome to make a new offer" in note.body
    event = db.session.scalar(select(StatusEvent).where(StatusEvent.subject_type == "offers"))
    assert (event.action, event.actor.email) == ("decline", "system@ipex.internal")


def test_counter_offers_change_any_term_and_alternate_sides(market):
    offer = _offer(market)
    counter = offers.counter_offer(
        offer,
        market.seller,
        price="450000",
        terms={"term_months": 36, "royalty_rate": "4", "sublicensing": True},
    )
    db.session.commit()
    assert offer.status == "countered"
    assert counter.made_by_side == "seller"
    assert counter.thread_id == offer.id
    assert counter.parent_id == offer.id
    assert (counter.terms["term_months"], counter.terms["royalty_rate"], counter.terms["sublicensing"]) == (
        36,
        "4",
        True,
    )
    assert "offer_countered" in _kinds(market.buyer)
    again = offers.counter_offer(counter, market.buyer, price="430000", terms={"territory": "浙江省"})
    db.session.commit()
    assert again.made_by_side == "buyer"
    assert again.terms["territory"] == "浙江省"
    assert again.terms["term_months"] == 36
    assert [o.id for o in offers.thread_of(offer)] == [offer.id, counter.id, again.id]


def test_a_side_cannot_answer_its_own_proposal_and_strangers_cannot_act(market):
    offer = _offer(market)
    with pytest.raises(Conflict):
        offers.accept_offer(offer, market.buyer)
    with pytest.raises(PermissionDenied):
        offers.counter_offer(offer, market.stranger, price="1")
    with pytest.raises(Conflict):
        offers.withdraw_offer(offer, market.seller)
    assert offers.allowed_actions(market.seller, offer) == ["accept", "reject", "counter"]
    assert offers.allowed_actions(market.colleague, offer) == ["accept", "reject", "counter"]
    assert offers.allowed_actions(market.buyer, offer) == ["withdraw"]
    assert offers.allowed_actions(market.stranger, offer) == []


@pytest.mark.parametrize(
    ("user", "sees"),
    [
        ("seller", True),
        ("colleague", True),
        ("buyer", True),
        ("admin", True),
        ("rival", False),
        ("stranger", False),
    ],
)
def test_only_the_seller_the_offering_buyer_and_admins_see_an_offer(market, user, sees):
    offer = _offer(market)
    who = getattr(market, user)
    assert offers.can_see_offer(who, offer) is sees
    assert (offer in offers.offers_visible_to(who, market.listing)) is sees


def test_rival_sees_only_their_own_negotiation(market):
    mine, theirs = _offer(market), _offer(market, buyer=market.rival, price="420000")
    assert offers.offers_visible_to(market.rival, market.listing) == [theirs]
    assert set(offers.offers_visible_to(market.seller, market.listing)) == {mine, theirs}


def test_accepting_creates_the_deal_and_closes_competing_offers_with_a_notice(market):
    offer = _offer(market)
    rival = _offer(market, buyer=market.rival, price="420000")
    deal = offers.accept_offer(offer, market.seller)
    db.session.commit()
    assert isinstance(deal, Deal)
    assert deal.offer_id == offer.id
    assert deal.price_amount == Decimal("400000.00")
    assert offer.status == "accepted"
    assert rival.status == "closed"
    assert "offer_closed" in _kinds(market.rival)
    assert "offer_accepted" in _kinds(market.buyer)
    assert market.listing.status == "under_offer"
    with pytest.raises(InvalidTransition):  # the listing is under offer: no new offers
        _offer(market, buyer=market.stranger)


def test_reject_and_withdraw(market):
    offer = _offer(market)
    offers.reject_offer(offer, market.seller, "Too low for an exclusive licence.")
    db.session.commit()
    assert offer.status == "rejected"
    assert offer.answer_note == "Too low for an exclusive licence."
    assert "offer_rejected" in _kinds(market.buyer)
    second = _offer(market, price="480000")
    offers.withdraw_offer(second, market.buyer)
    db.session.commit()
    assert second.status == "withdrawn"
    with pytest.raises(InvalidTransition) as caught:
        offers.accept_offer(second, market.seller)
    assert caught.value.status == "withdrawn"
    assert caught.value.allowed == []


def test_one_open_offer_per_negotiation(market):
    _offer(market)
    with pytest.raises(Conflict):
        _offer(market, price="410000")


@pytest.mark.parametrize(
    ("price", "field"),
    [("-5", "price"), ("0", "price"), ("abc", "price"), ("99999999999999999", "price"), ("1.234", "price")],
)
def test_bad_amounts_name_the_field_and_write_nothing(market, price, field):
    with pytest.raises(OfferInvalid) as caught:
        _offer(market, price=price)
    db.session.rollback()
    assert caught.value.status_code == 422
    assert field in caught.value.fields
    assert db.session.scalar(select(func.count(Offer.id))) == 0


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"term_months": "0"}, "terms.term_months"),
        ({"royalty_rate": "150"}, "terms.royalty_rate"),
        ({"sublicensing": "yes"}, "terms.sublicensing"),
        ({"price_mechanism": "fixed"}, "terms.price_mechanism"),
        ({"milestones": [{"label": "", "amount": "5"}]}, "terms.milestones"),
    ],
)
def test_bad_terms_name_the_field(market, terms, field):
    with pytest.raises(OfferInvalid) as caught:
        _offer(market, terms=terms)
    assert field in caught.value.fields


def test_expiry_bounds(market, frozen_clock):
    with pytest.raises(OfferInvalid):
        _offer(market, expires_at=frozen_clock.now() + dt.timedelta(minutes=5))
    with pytest.raises(OfferInvalid):
        _offer(market, expires_at=frozen_clock.now() + dt.timedelta(days=120))


def test_offers_on_withdrawn_listings_and_own_listings_are_refused(make_user, frozen_clock):
    market = build_market(make_user)
    with pytest.raises(Conflict):
        offers.make_offer(
            listing=market.listing, buyer=market.colleague, price="400000", actor=market.colleague
        )
    from app.market.listing_services import withdraw_listing

    withdraw_listing(market.listing, market.seller)
    db.session.commit()
    with pytest.raises(InvalidTransition) as caught:
        _offer(market)
    assert caught.value.status == "withdrawn"


def test_unverified_buyers_cannot_offer(make_user, frozen_clock):
    from tests.market.listing_support import make_buyer

    market = build_market(make_user)
    unverified = make_buyer(make_user, name="New Co", verified=False)
    with pytest.raises(PermissionDenied):
        _offer(market, buyer=unverified)


def test_fixed_price_listings_take_no_offers(make_user, frozen_clock):
    market = build_market(make_user, price_mechanism="fixed")
    with pytest.raises(Conflict):
        _offer(market)


def test_tick_expires_offers_and_reminds_before(market, frozen_clock):
    offer = _offer(market, expires_at=frozen_clock.now() + dt.timedelta(hours=30))
    frozen_clock.advance(dt.timedelta(hours=7))
    run_tick("t")
    assert _kinds(market.seller).count("offer_expiring") == 1
    frozen_clock.advance(dt.timedelta(hours=2))
    run_tick("t")
    assert _kinds(market.seller).count("offer_expiring") == 1  # once per proposal
    frozen_clock.advance(dt.timedelta(hours=22))
    run_tick("t")
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).status == "expired"
    assert "offer_expired" in _kinds(market.buyer)
    assert "offer_expired" in _kinds(market.seller)
    assert verify_chain() is None


def test_second_chance_offer_from_the_seller(make_user, frozen_clock):
    market = build_market(make_user)
    offer = offers.make_offer(
        listing=market.listing, buyer=market.buyer, price="350000", actor=market.seller, second_chance=True
    )
    db.session.commit()
    assert offer.made_by_side == "seller"
    assert offer.status == "open"
    assert offers.allowed_actions(market.buyer, offer) == ["accept", "reject", "counter"]
    deal = offers.accept_offer(offer, market.buyer)
    assert deal.buyer_id == market.buyer.id
