"""What a given viewer may see of an auction: the summary, the bid history, the extensions.

One place decides visibility, so the page, the panel and the API can never disagree:
- an English bidder's maximum is seen by that bidder (and administrators) only;
- sealed bids, their count and their bidders are seen only by their own bidder until the close,
  then by every participant, the seller and administrators;
- whether the reserve is met is shown to the seller's side and administrators, to bidders only
  when the seller disclosed it, and to everyone once the auction closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from app.accounts.models import User
from app.accounts.permissions import is_admin, is_authenticated
from app.core.clock import clock
from app.core.money import Money
from app.core.page_cache import versioned_memo
from app.extensions import db
from app.market import auction_engine as engine
from app.market import auction_states as states
from app.market.auction_models import Auction, AuctionBid, AuctionExtension, AuctionParticipant
from app.market.auction_services import current_state
from app.market.listing_services import is_seller
from app.market.qualification import Qualification, bidder_qualification


def alias_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: spreadsheet-style, so any number of bidders gets a name."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def aliases(auction: Auction) -> dict[int, str]:
    rows = db.session.execute(
        select(AuctionParticipant.user_id, AuctionParticipant.alias_index).where(
            AuctionParticipant.auction_id == auction.id
        )
    )
    return {user_id: alias_letters(index) for user_id, index in rows}


def shared_aliases(auction: Auction) -> dict[int, str]:
    """aliases() read once per data version for the pages (the same for every viewer)."""
    return versioned_memo("market.auction_aliases", (auction.id,), lambda: aliases(auction))


def alias_label(alias_map: dict[int, str], user_id: int | None, viewer: User | None) -> str | None:
    if user_id is None:
        return None
    if is_authenticated(viewer) and viewer.id == user_id:
        return _("you")
    return _("Bidder %(alias)s", alias=alias_map.get(user_id, "?"))


def _seller_side(auction: Auction, viewer: User | None) -> bool:
    return is_seller(viewer, auction.listing) or is_admin(viewer)


def sealed_hidden(auction: Auction) -> bool:
    return auction.is_sealed and not auction.is_closed


def reserve_visible(auction: Auction, viewer: User | None) -> bool:
    return auction.is_closed or auction.reserve_disclosed or _seller_side(auction, viewer)


@dataclass(frozen=True)
class Summary:
    auction: Auction
    status_label: str
    price: Money | None  # English: the visible price; sealed: the winning bid once closed
    increment: Money | None
    next_minimum: Money | None  # for this viewer, while open
    bid_count: int | None  # None: hidden (sealed, before the close)
    bidder_count: int | None
    position: str | None  # leading | outbid | None
    my_amount: Money | None  # the viewer's standing maximum or sealed bid
    reserve_met: bool | None  # None: not for this viewer
    has_reserve: bool
    accepting_bids: bool
    can_bid: bool
    refusal: str  # why the viewer may not bid, and what to do
    winner_label: str | None
    ended: bool
    refusal_link: str = ""  # where to fix it (e.g. pay the deposit), with its label
    refusal_link_label: str = ""


def _own_standing(auction: Auction, viewer: User | None) -> Decimal | None:
    if not is_authenticated(viewer):
        return None
    return db.session.scalar(_standing_statement(), {"auction_id": auction.id, "user_id": viewer.id})


@cache
def _standing_statement():
    """Built once: constructing a statement costs more than running this one."""
    return select(AuctionParticipant.standing_amount).where(
        AuctionParticipant.auction_id == bindparam("auction_id"),
        AuctionParticipant.user_id == bindparam("user_id"),
    )


def summary(auction: Auction, viewer: User | None, verdict: Qualification | None = None) -> Summary:
    """The viewer's view; ``verdict`` is the viewer's qualification when the caller has it already
    (right after an accepted bid), so the request does not ask the database twice."""
    now = clock.now()
    current = current_state(auction)
    own = _own_standing(auction, viewer)
    hidden = sealed_hidden(auction)
    open_now = auction.accepting_bids_at(now) and auction.listing.status == "published"
    verdict = verdict or bidder_qualification(auction.listing, viewer)
    price = auction.hammer_price if auction.is_closed else (None if hidden else auction.current_price)
    increment = (
        None
        if auction.is_sealed
        else auction.rules.increments.step_at(auction.current_price or auction.start_price)
    )
    viewer_id = viewer.id if is_authenticated(viewer) else None
    alias_map = aliases(auction) if auction.winner_id else {}
    return Summary(
        auction=auction,
        status_label=states.AUCTION_LIFECYCLE.status_label(auction.status),
        price=auction.money(price),
        increment=auction.money(increment),
        next_minimum=auction.money(engine.minimum_bid(auction.rules, current, viewer_id))
        if open_now
        else None,
        bid_count=None if hidden and not is_admin(viewer) else auction.bid_count,
        bidder_count=None if hidden and not is_admin(viewer) else auction.bidder_count,
        position=None
        if hidden or auction.is_closed
        else engine.position(current, viewer_id, own is not None),
        my_amount=auction.money(own),
        reserve_met=auction.reserve_met
        if reserve_visible(auction, viewer) and auction.reserve_price
        else None,
        has_reserve=auction.reserve_price is not None,
        accepting_bids=open_now,
        can_bid=open_now and verdict.ok,
        refusal="" if verdict.ok else f"{verdict.reason} {verdict.remedy}".strip(),
        winner_label=alias_label(alias_map, auction.winner_id, viewer) if auction.is_closed else None,
        ended=auction.is_closed or now >= auction.ends_at,
        refusal_link="" if verdict.ok else verdict.link,
        refusal_link_label="" if verdict.ok else verdict.link_label,
    )


@dataclass(frozen=True)
class HistoryRow:
    bid_id: int
    seq: int
    bidder: str
    placed_at: datetime
    price_after: Money | None  # English: the price after this bid
    leader_after: str | None
    amount: Money | None  # shown only where the viewer may see it
    retracted: bool
    mine: bool


def _amount_visible(auction: Auction, bid: AuctionBid, viewer: User | None) -> bool:
    if is_admin(viewer) or (is_authenticated(viewer) and bid.bidder_id == viewer.id):
        return True
    return auction.is_sealed and auction.is_closed


def history(auction: Auction, viewer: User | None) -> list[HistoryRow]:
    """Bids newest first, as this viewer may see them (sealed: only their own until the close)."""
    values = {"auction_id": auction.id}
    own_only = sealed_hidden(auction) and not is_admin(viewer)
    if own_only:
        if not is_authenticated(viewer):
            return []
        values["bidder_id"] = viewer.id
    alias_map = shared_aliases(auction)
    bids = db.session.scalars(_history_statement(own_only), values)
    return [history_row(auction, bid, viewer, alias_map) for bid in bids]


@cache
def _history_statement(own_only: bool):
    """Built once per kind: every bid, or (a sealed auction before its close) the viewer's own."""
    query = select(AuctionBid).where(AuctionBid.auction_id == bindparam("auction_id"))
    if own_only:
        query = query.where(AuctionBid.bidder_id == bindparam("bidder_id"))
    return query.order_by(AuctionBid.seq.desc())


def history_row(
    auction: Auction, bid: AuctionBid, viewer: User | None, alias_map: dict[int, str]
) -> HistoryRow:
    """One bid as this viewer may see it (the answer to a bid builds it from the bid just placed)."""
    return HistoryRow(
        bid_id=bid.id,
        seq=bid.seq,
        bidder=alias_label(alias_map, bid.bidder_id, viewer),
        placed_at=bid.placed_at,
        price_after=auction.money(bid.price_after),
        leader_after=alias_label(alias_map, bid.leader_after_id, viewer),
        amount=auction.money(bid.amount) if _amount_visible(auction, bid, viewer) else None,
        retracted=bid.retracted_at is not None,
        mine=is_authenticated(viewer) and bid.bidder_id == viewer.id,
    )


@dataclass(frozen=True)
class ShownExtension:
    old_ends_at: datetime
    new_ends_at: datetime


def extensions(auction: Auction) -> tuple[ShownExtension, ...]:
    """The close's extensions, oldest first: public, so read once per data version."""

    def read() -> tuple[ShownExtension, ...]:
        rows = db.session.execute(
            select(AuctionExtension.old_ends_at, AuctionExtension.new_ends_at)
            .where(AuctionExtension.auction_id == auction.id)
            .order_by(AuctionExtension.id)
        )
        return tuple(ShownExtension(old, new) for old, new in rows)

    return versioned_memo("market.auction_extensions", (auction.id,), read)


def money_json(money: Money | None) -> dict | None:
    return money.to_json() if money else None
