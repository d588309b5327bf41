"""Auction services on the database: bidding rules, who may bid, soft close, close, retraction, audit."""

from datetime import timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import event, func, select

from app.accounts.models import Role
from app.catalogue.validation import ValidationFailed
from app.core.actors import system_actor
from app.core.audit_chain import AuditLogEntry, verify_chain
from app.core.errors import Conflict, PermissionDenied
from app.core.money import Money
from app.core.notifications import Notification
from app.extensions import db
from app.market import auction_display as display
from app.market import auction_services as services
from app.market import auction_states as states
from app.market.auction_jobs import close_auction_job
from app.market.auction_models import AuctionBid, AuctionExtension
from app.market.auction_retraction import retract_bid
from app.market.qualification import bidder_qualification
from tests.market.auction_support import accept_nda, bid, make_auction, make_bidder, make_seller

D = Decimal


@pytest.fixture
def seller(make_user):
    return make_seller(make_user)


@pytest.fixture
def english(app, frozen_clock, seller):
    return make_auction(seller)


def kinds_of_audit(auction_id):
    return list(
        db.session.scalars(
            select(AuditLogEntry.kind)
            .where(AuditLogEntry.subject_type == "auctions", AuditLogEntry.subject_id == auction_id)
            .order_by(AuditLogEntry.id)  # the bids chain in the auction's own stream: seq restarts there
        )
    )


def test_proxy_bidding_through_the_service(english, make_user):
    alice, bob = make_bidder(make_user, english), make_bidder(make_user, english)
    first = bid(english, alice, "50000")
    assert first.position == "leading"
    assert english.current_price == D("10000")
    assert english.status == states.OPEN
    second = bid(english, bob, "30000")
    assert second.position == "outbid"  # the proxy defended Alice at once
    db.session.refresh(english)
    assert (english.leader_id, english.current_price, english.bid_count, english.bidder_count) == (
        alice.id,
        D("31000"),
        2,
        2,
    )
    bid(english, bob, "60000")
    db.session.refresh(english)
    assert (english.leader_id, english.current_price) == (bob.id, D("51000"))
    assert kinds_of_audit(english.id) == [
        "auction.configure",
        "auction.open",
        "auction.bid",
        "auction.bid",
        "auction.bid",
    ]
    assert verify_chain() is None


def test_outbid_leader_is_notified_but_not_the_defended_one(english, make_user):
    alice, bob = make_bidder(make_user, english), make_bidder(make_user, english)
    bid(english, alice, "50000")
    bid(english, bob, "30000")
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == alice.id)) == 0
    bid(english, bob, "60000")
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == alice.id)).all()
    assert kinds == ["auction_outbid"]


def test_leader_raises_without_raising_the_price(english, make_user):
    alice, bob = make_bidder(make_user, english), make_bidder(make_user, english)
    bid(english, alice, "50000")
    bid(english, bob, "30000")
    bid(english, alice, "90000")
    db.session.refresh(english)
    assert (english.leader_id, english.current_price) == (alice.id, D("31000"))
    summary = display.summary(english, alice)
    assert summary.my_amount == Money(D("90000"))
    assert summary.position == "leading"


@pytest.mark.parametrize(
    ("amount", "reason", "minimum"),
    [("31000", "below_minimum", "32000"), ("32500", "not_multiple", "32000"), ("1e15", "too_large", "32000")],
)
def test_refused_amounts_write_nothing(english, make_user, amount, reason, minimum):
    alice, bob, carol = (make_bidder(make_user, english) for _ in range(3))
    bid(english, alice, "50000")
    bid(english, bob, "30000")
    with pytest.raises(services.BidRefused) as refused:
        services.place_bid(
            english.id, carol, Money(D(amount)) if amount != "1e15" else Money(D("1000000000000000"))
        )
    db.session.rollback()
    assert refused.value.status_code == 422
    assert refused.value.reason == reason
    assert refused.value.next_minimum == Money(D(minimum))
    assert db.session.scalar(select(func.count(AuctionBid.id))) == 2


def test_bid_in_another_currency_is_refused(english, make_user):
    alice = make_bidder(make_user, english)
    with pytest.raises(services.BidRefused):
        services.place_bid(english.id, alice, Money(D("50000"), "USD"))


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("seller", "seller"),
        ("colleague", "seller"),
        ("unverified", "unverified"),
        ("no_nda", "nda"),
        ("rights_holder_only", "role"),
    ],
)
def test_who_may_not_bid(english, make_user, seller, who, code):
    if who == "seller":
        user = seller
    elif who == "colleague":
        user = make_user(roles=(Role.BUYER,), verified=True)
        user.organisation_id = seller.organisation_id
        db.session.commit()
    elif who == "unverified":
        user = make_user(roles=(Role.BUYER,), verified=False)
        accept_nda(english.listing, user)
    elif who == "no_nda":
        user = make_user(roles=(Role.BUYER,), verified=True)
    else:
        user = make_user(roles=(Role.RIGHTS_HOLDER,), verified=True)
        accept_nda(english.listing, user)
    verdict = bidder_qualification(english.listing, user)
    assert not verdict.ok
    assert verdict.code == code
    assert verdict.reason
    assert verdict.remedy
    with pytest.raises(PermissionDenied) as refused:
        services.place_bid(english.id, user, Money(D("50000")))
    assert refused.value.details()["reason"] == code
    db.session.rollback()
    assert db.session.scalar(select(func.count(AuctionBid.id))) == 0


def test_qualification_unpacks_as_ok_and_reason(english, make_user):
    ok, reason = bidder_qualification(english.listing, make_bidder(make_user, english))
    assert ok
    assert reason == ""


def test_registered_check_can_refuse(english, make_user, monkeypatch):
    from app.market import qualification

    def deposit(listing, user):
        return qualification.Qualification(False, "deposit", "Pay the deposit.", "Open the payment page.")

    monkeypatch.setattr(qualification, "_EXTRA_CHECKS", [])
    qualification.register_check(deposit)
    assert bidder_qualification(english.listing, make_bidder(make_user, english)).code == "deposit"


def test_not_open_before_start_after_end_and_on_unpublished_listing(app, frozen_clock, seller, make_user):
    auction = make_auction(seller, duration=timedelta(hours=1), hard_extra=timedelta(0))
    alice = make_bidder(make_user, auction)
    frozen_clock.advance(timedelta(hours=1))
    with pytest.raises(services.AuctionNotOpen) as refused:
        services.place_bid(auction.id, alice, Money(D("10000")))
    assert refused.value.status_code == 409
    db.session.rollback()
    draft = make_auction(seller, listing_status="draft")
    accept_nda(draft.listing, alice)
    with pytest.raises(services.AuctionNotOpen):
        services.place_bid(draft.id, alice, Money(D("10000")))


def test_soft_close_extends_and_is_capped(app, frozen_clock, seller, make_user):
    auction = make_auction(seller, duration=timedelta(minutes=10), hard_extra=timedelta(minutes=4))
    alice, bob = make_bidder(make_user, auction), make_bidder(make_user, auction)
    original_end = auction.ends_at
    bid(auction, alice, "10000")  # 10 minutes left: no extension
    assert auction.ends_at == original_end
    frozen_clock.advance(timedelta(minutes=8))  # 2 minutes left
    result = bid(auction, bob, "20000")
    assert result.extended
    assert auction.ends_at == original_end + timedelta(minutes=3)  # now + 5 minutes
    frozen_clock.advance(timedelta(minutes=4))  # 1 minute left, hard end 4 minutes after the original
    bid(auction, alice, "30000")
    assert auction.ends_at == auction.hard_end_at
    assert db.session.scalar(select(func.count(AuctionExtension.id))) == 2
    assert kinds_of_audit(auction.id).count("auction.extend") == 2


def test_a_late_sealed_bid_does_not_move_the_close(app, frozen_clock, seller, make_user):
    """A sealed auction extended like an English one: the extension, in every bidder's history,
    told them that someone had bid in the last minutes, which a sealed auction must not reveal."""
    auction = make_auction(seller, kind="sealed", duration=timedelta(minutes=10))
    assert (auction.soft_close_minutes, auction.hard_end_at) == (0, auction.ends_at)
    # as configured before sealed auctions ignored soft close
    auction.soft_close_minutes, auction.hard_end_at = 5, auction.ends_at + timedelta(hours=1)
    db.session.commit()
    alice = make_bidder(make_user, auction)
    original_end = auction.ends_at
    frozen_clock.advance(timedelta(minutes=9))
    assert not bid(auction, alice, "20000").extended
    assert auction.ends_at == original_end
    assert db.session.scalar(select(func.count(AuctionExtension.id))) == 0
    assert "auction.extend" not in kinds_of_audit(auction.id)


def _end(frozen_clock, auction):
    frozen_clock.advance(auction.ends_at - frozen_clock.now() + timedelta(seconds=1))


def test_close_reserve_not_met_then_no_second_close(app, frozen_clock, seller, make_user):
    auction = make_auction(seller, reserve="100000")
    alice = make_bidder(make_user, auction)
    bid(auction, alice, "50000")
    _end(frozen_clock, auction)
    system = system_actor()
    closed = services.close_auction(auction.id, system)
    db.session.commit()
    assert closed.status == states.RESERVE_NOT_MET
    assert (closed.winner_id, closed.hammer_price) == (alice.id, D("10000"))
    assert services.close_auction(auction.id, system) is None
    seller_notes = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == seller.id)
    ).all()
    assert seller_notes == ["auction_reserve_not_met_seller"]


def test_close_without_bids(app, frozen_clock, seller):
    auction = make_auction(seller)
    assert services.close_auction(auction.id, system_actor()) is None  # not ended yet
    _end(frozen_clock, auction)
    assert services.close_auction(auction.id, system_actor()).status == states.NO_BIDS


def test_retraction_recomputes_and_is_logged(english, make_user):
    alice, bob = make_bidder(make_user, english), make_bidder(make_user, english)
    admin = make_user(roles=(Role.ADMIN,))
    bid(english, alice, "50000")
    typo = bid(english, bob, "900000").bid
    db.session.refresh(english)
    assert (english.leader_id, english.current_price) == (bob.id, D("51000"))
    with pytest.raises(PermissionDenied):
        retract_bid(typo.id, alice, "typo")
    with pytest.raises(ValidationFailed):
        retract_bid(typo.id, admin, "  ")
    db.session.rollback()
    retraction = retract_bid(typo.id, admin, "Obvious typo: 900000 for 90000")
    db.session.commit()
    db.session.refresh(english)
    assert (english.leader_id, english.current_price, english.bid_count, english.bidder_count) == (
        alice.id,
        D("10000"),
        1,
        1,
    )
    assert (retraction.price_before, retraction.price_after) == (D("51000"), D("10000"))
    assert "auction.retract" in kinds_of_audit(english.id)
    with pytest.raises(Conflict):
        retract_bid(typo.id, admin, "again")


def test_history_aliases_and_hidden_maximums(english, make_user, seller):
    alice, bob = make_bidder(make_user, english), make_bidder(make_user, english)
    bid(english, alice, "50000")
    bid(english, bob, "30000")
    with force_locale("en"):
        rows = display.history(english, bob)
        seller_rows = display.history(english, seller)
    assert [row.bidder for row in rows] == ["you", "Bidder A"]
    assert rows[0].amount == Money(D("30000"))
    assert rows[1].amount is None  # Alice's maximum stays secret
    assert rows[0].leader_after == "Bidder A"
    assert [row.bidder for row in seller_rows] == ["Bidder B", "Bidder A"]
    assert all(row.amount is None for row in seller_rows)


def test_sealed_bids_hidden_until_close(app, frozen_clock, seller, make_user):
    auction = make_auction(seller, kind="sealed", reserve="90000")
    alice, bob = make_bidder(make_user, auction), make_bidder(make_user, auction)
    bid(auction, alice, "50000")
    bid(auction, bob, "70000")
    bid(auction, alice, "80000")  # replaces her bid
    assert [row.amount for row in display.history(auction, bob)] == [Money(D("70000"))]
    assert display.history(auction, None) == []
    for viewer in (bob, seller, None):
        summary = display.summary(auction, viewer)
        assert summary.bid_count is None
        assert summary.price is None
        assert summary.position is None
    assert not db.session.scalars(select(Notification).where(Notification.kind == "auction_outbid")).all()
    _end(frozen_clock, auction)
    closed = services.close_auction(auction.id, system_actor())
    assert closed.status == states.RESERVE_NOT_MET
    assert (closed.winner_id, closed.hammer_price) == (alice.id, D("80000"))
    revealed = display.history(auction, bob)
    assert [row.amount for row in revealed] == [Money(D("80000")), Money(D("70000")), Money(D("50000"))]


def test_award_creates_the_deal_at_the_hammer_price(app, frozen_clock, seller, make_user):
    from app.market.deal_models import Deal

    auction = make_auction(seller, reserve="40000")
    alice, bob = make_bidder(make_user, auction), make_bidder(make_user, auction)
    bid(auction, alice, "50000")
    bid(auction, bob, "45000")
    _end(frozen_clock, auction)
    assert close_auction_job(auction.id)
    db.session.expire_all()
    closed = db.session.get(type(auction), auction.id)
    assert closed.status == states.AWARDED
    deal = db.session.get(Deal, closed.deal_id)
    assert (deal.origin, deal.buyer_id, deal.price_amount) == ("auction", alice.id, D("46000"))
    assert deal.terms == auction.listing.terms_snapshot()
    with force_locale("en"):
        winner_view = display.summary(closed, alice)
    assert (winner_view.position, winner_view.winner_label) == (None, "you")  # not "leading" once closed
    assert auction.listing.status == "under_offer"
    kinds = {
        user.id: db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)).all()
        for user in (alice, bob, seller)
    }
    assert "auction_won" in kinds[alice.id]
    assert "auction_lost" in kinds[bob.id]
    assert "auction_sold" in kinds[seller.id]
    assert "auction.award" in kinds_of_audit(auction.id)
    assert verify_chain() is None


def test_second_chance_offer_after_reserve_not_met(app, frozen_clock, seller, make_user):
    from app.market.offer_models import Offer

    auction = make_auction(seller, reserve="100000")
    alice = make_bidder(make_user, auction)
    bid(auction, alice, "60000")
    _end(frozen_clock, auction)
    services.close_auction(auction.id, system_actor())
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.second_chance_offer(auction.id, alice, Money(D("90000")))
    db.session.rollback()
    with app.test_request_context():  # the offer's notices link with url_for
        offer = services.second_chance_offer(
            auction.id, seller, Money(D("90000")), "Shall we meet at 90,000?"
        )
    db.session.commit()
    assert isinstance(offer, Offer)
    assert (offer.buyer_id, offer.price_amount, offer.made_by_side) == (alice.id, D("90000"), "seller")
    assert db.session.get(type(auction), auction.id).status == states.SECOND_CHANCE
    with pytest.raises(Conflict):
        services.second_chance_offer(auction.id, seller, Money(D("90000")))


def test_the_close_seals_the_bid_streams_head_into_the_global_chain(app, frozen_clock, seller, make_user):
    auction = make_auction(seller, reserve="100000")
    bid(auction, make_bidder(make_user, auction), "50000")
    _end(frozen_clock, auction)
    closed = services.close_auction(auction.id, system_actor())
    db.session.commit()
    sealed = db.session.scalar(
        select(AuditLogEntry).where(AuditLogEntry.stream == "", AuditLogEntry.kind == "auction.fail_reserve")
    )
    assert sealed.payload["details"]["bid_log"] == {"seq": 1, "hash": closed.audit_head}
    assert verify_chain() is None


def test_the_co_owner_check_is_shared_by_viewers_and_follows_the_owners(app, english, seller, make_user):
    """The owners of the listed patents are read once per data version for every viewer (they cost
    three statements a view); an owner of record added later is refused at once."""
    from app.catalogue.models import PatentParty
    from app.market.listing_models import ListingPatent
    from tests.market.listing_support import make_patent

    patent = make_patent(seller)
    english.listing.patent_links.append(ListingPatent(patent_id=patent.id, position=0))
    db.session.commit()
    partner = make_user(roles=(Role.BUYER,), verified=True, organisation="Partner University")
    outsider = make_user(roles=(Role.BUYER,), verified=True, organisation="Another Buyer")
    for user in (partner, outsider):
        accept_nda(english.listing, user)
    assert bidder_qualification(english.listing, partner).ok
    db.session.expire_all()  # as a new request would
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        assert bidder_qualification(english.listing, outsider).ok
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert not [s for s in statements if "patent" in s.lower()], statements
    patent = db.session.get(type(patent), patent.id)
    patent.parties.append(PatentParty(role="owner", name=" partner university ", sequence=9))
    db.session.commit()
    verdict = bidder_qualification(english.listing, partner)
    assert (verdict.ok, verdict.code) == (False, "seller")
    assert bidder_qualification(english.listing, outsider).ok
