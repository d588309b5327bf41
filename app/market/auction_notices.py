"""What auctions tell people: outbid, ending soon, won, lost, reserve not met, bid struck.

Notices are written in the change's transaction and e-mailed after the commit (core outbox), in the
recipient's language: the parameters are neutral figures, the words come from the catalogue.
Sealed auctions never send an outbid notice: it would reveal another bidder's offer.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.accounts.models import User
from app.core.notifications import notify, register_kind
from app.core.outbox import emit, handles
from app.extensions import db
from app.market.auction_models import Auction, AuctionBid, AuctionParticipant
from app.market.listing_models import WatchItem

OUTBID_EVENT = "auction.outbid"


def N_(message: str) -> str:  # noqa: N802  (marks a message id for extraction; translated when shown)
    return message


KINDS = {
    "auction_outbid": (
        N_("You were outbid"),
        N_("Another bidder's maximum on “%(title)s” is higher than yours. The price is now %(price)s."),
    ),
    "auction_ending_soon": (
        N_("An auction ends soon"),
        N_("The auction of “%(title)s” ends at %(ends_at)s. Current price: %(price)s."),
    ),
    "auction_won": (
        N_("You won the auction"),
        N_("“%(title)s” is yours at %(price)s. The deal is waiting for you on IPEX."),
    ),
    "auction_lost": (
        N_("The auction has ended"),
        N_("The auction of “%(title)s” went to another bidder at %(price)s."),
    ),
    "auction_sold": (
        N_("Your auction ended with a winner"),
        N_("“%(title)s” was awarded at %(price)s; the deal has been created."),
    ),
    "auction_reserve_not_met_seller": (
        N_("Your auction ended below the reserve"),
        N_(
            "The top bid on “%(title)s” was %(price)s, below your reserve. You may make the top bidder a second-chance offer."
        ),
    ),
    "auction_reserve_not_met_bidder": (
        N_("The auction ended below the reserve"),
        N_(
            "Your bid on “%(title)s” was the highest, but below the seller's reserve. The seller may still make you an offer."
        ),
    ),
    "auction_no_bids": (
        N_("Your auction ended without bids"),
        N_("Nobody bid on “%(title)s”. You may relist it or change the price mechanism."),
    ),
    "auction_cancelled": (
        N_("An auction was cancelled"),
        N_("The auction of “%(title)s” was cancelled by an administrator: %(reason)s"),
    ),
    "auction_bid_retracted": (
        N_("A bid of yours was struck"),
        N_("An administrator struck one of your bids on “%(title)s”: %(reason)s"),
    ),
}
for _name, (_title, _body) in KINDS.items():
    register_kind(_name, _title, _body)


def auction_link(auction: Auction) -> str:
    # A plain path: notices are also written by the tick, outside any request.
    return f"/market/auctions/{auction.id}"


def money_text(auction: Auction, amount: Decimal | None) -> dict | str:
    """Stored as amount and currency: the inbox formats it in the reader's language."""
    return "—" if amount is None else {"amount": str(amount), "currency": auction.currency}


def _params(auction: Auction, **extra) -> dict:
    price = auction.current_price if auction.hammer_price is None else auction.hammer_price
    return {"title": auction.listing.title, "price": money_text(auction, price), **extra}


def _send(user_id: int | None, kind: str, auction: Auction, **extra) -> None:
    user = db.session.get(User, user_id) if user_id else None
    if user is not None:
        notify(user, kind, _params(auction, **extra), auction_link(auction))


def outbid_later(auction: Auction, previous_leader_id: int, seq: int) -> None:
    """The bid path writes only an outbox event (no user or inbox rows under the auction's lock);
    the notice is put in the inbox after the commit, once, with the price the bid made."""
    emit(OUTBID_EVENT, outbid_payload(auction, previous_leader_id, seq, auction.current_price))


def outbid_payload(auction: Auction, previous_leader_id: int, seq: int, price: Decimal | None) -> dict:
    return {
        "auction_id": auction.id,
        "user_id": previous_leader_id,
        "seq": seq,
        "price": money_text(auction, price),
    }


@handles(OUTBID_EVENT)
def send_outbid(payload: dict) -> None:
    """Outbox handler: the outbid notice (a retry finds the dedupe key and sends nothing twice)."""
    auction = db.session.get(Auction, payload["auction_id"])
    user = db.session.get(User, payload["user_id"])
    if auction is None or user is None:
        return
    notify(
        user,
        "auction_outbid",
        {"title": auction.listing.title, "price": payload["price"]},
        auction_link(auction),
        dedupe_key=f"auction-outbid:{auction.id}:{payload['seq']}",
    )


def bidder_ids(auction: Auction) -> list[int]:
    return list(
        db.session.scalars(
            select(AuctionParticipant.user_id).where(AuctionParticipant.auction_id == auction.id)
        )
    )


def closed(auction: Auction) -> None:
    """Tell the seller and every bidder how it ended."""
    seller_kind = {
        "awarded": "auction_sold",
        "reserve_not_met": "auction_reserve_not_met_seller",
        "no_bids": "auction_no_bids",
    }[auction.status]
    _send(auction.listing.seller_id, seller_kind, auction)
    for user_id in bidder_ids(auction):
        if user_id != auction.winner_id:
            _send(user_id, "auction_lost", auction)
        elif auction.status == "awarded":
            _send(user_id, "auction_won", auction)
        else:
            _send(user_id, "auction_reserve_not_met_bidder", auction)


def _followers(auction: Auction) -> set[int]:
    """The listing's watchers and the auction's bidders."""
    watchers = set(
        db.session.scalars(select(WatchItem.user_id).where(WatchItem.listing_id == auction.listing_id))
    )
    return watchers | set(bidder_ids(auction))


def cancelled(auction: Auction, reason: str) -> int:
    """Bidders, watchers and the seller learn that, and why, the auction was cancelled."""
    recipients = _followers(auction) | {auction.listing.seller_id}
    for user in db.session.scalars(select(User).where(User.id.in_(recipients))):
        notify(
            user,
            "auction_cancelled",
            _params(auction, reason=reason),
            auction_link(auction),
            dedupe_key=f"auction-cancelled:{auction.id}",
        )
    return len(recipients)


def ending_soon(auction: Auction) -> int:
    """Bidders and watchers of the listing, once per auction (the dedupe key makes re-runs quiet)."""
    recipients = _followers(auction)
    ends_at = auction.ends_at.isoformat()  # shown in the reader's time zone (notifications._param_text)
    for user in db.session.scalars(select(User).where(User.id.in_(recipients))):
        notify(
            user,
            "auction_ending_soon",
            _params(auction, ends_at=ends_at),
            auction_link(auction),
            dedupe_key=f"auction-ending:{auction.id}",
        )
    return len(recipients)


def retracted(auction: Auction, bid: AuctionBid, reason: str) -> None:
    _send(bid.bidder_id, "auction_bid_retracted", auction, reason=reason)
