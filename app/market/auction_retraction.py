"""An administrator strikes a bid (an obvious typo) and the price is recomputed from the rest.

Under the auction's lock like a bid: the bid is marked (never deleted), its bidder's standing bid
falls back to their latest bid still in force, and the engine recomputes price and leader from
the standing bids. The retraction, with its reason and the price before and after, is recorded
and appended to the audit log in the same transaction.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.permissions import is_admin
from app.catalogue.validation import ValidationFailed
from app.core.audit_chain import chain_append
from app.core.clock import clock
from app.core.errors import Conflict, NotFound, PermissionDenied
from app.extensions import db
from app.market import auction_notices as notices
from app.market.auction_models import Auction, AuctionBid, AuctionParticipant, AuctionRetraction
from app.market.auction_services import lock_auction, recompute_state


def retract_bid(bid_id: int, actor: User, reason: str) -> AuctionRetraction:
    """An administrator strikes a bid (an obvious typo); the price is recomputed from the rest."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only an administrator may retract a bid."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _("Give the reason for the retraction.")})
    bid = db.session.get(AuctionBid, bid_id)
    if bid is None:
        raise NotFound(_("There is no such bid."))
    auction = lock_auction(bid.auction_id)
    db.session.refresh(bid)
    if auction.is_closed:
        raise Conflict(_("The auction has closed: its bids can no longer be retracted."))
    if bid.retracted_at is not None:
        raise Conflict(_("That bid was retracted already."))
    now = clock.now()
    price_before = auction.current_price
    bid.retracted_at = now
    _restore_standing(auction, bid)
    auction.bid_count -= 1
    recompute_state(auction)
    retraction = AuctionRetraction(
        auction_id=auction.id,
        bid_id=bid.id,
        admin_id=actor.id,
        reason=reason[:1000],
        price_before=price_before,
        price_after=auction.current_price,
        created_at=now,
    )
    db.session.add(retraction)
    chain_append(
        "auction.retract",
        "auctions",
        auction.id,
        actor,
        {
            "seq": bid.seq,
            "reason": retraction.reason,
            "price_before": price_before,
            "price_after": auction.current_price,
        },
    )
    notices.retracted(auction, bid, retraction.reason)
    db.session.flush()
    return retraction


def _restore_standing(auction: Auction, bid: AuctionBid) -> None:
    """The bidder's standing bid becomes their latest bid that was not retracted (or none)."""
    db.session.flush()
    previous = db.session.scalar(
        select(AuctionBid)
        .where(
            AuctionBid.auction_id == auction.id,
            AuctionBid.bidder_id == bid.bidder_id,
            AuctionBid.retracted_at.is_(None),
        )
        .order_by(AuctionBid.seq.desc())
        .limit(1)
    )
    participant = db.session.scalar(
        select(AuctionParticipant).where(
            AuctionParticipant.auction_id == auction.id, AuctionParticipant.user_id == bid.bidder_id
        )
    )
    participant.standing_amount = previous.amount if previous else None
    participant.standing_seq = previous.seq if previous else None
