"""Auctions on listings: the auction, its participants, bids, soft-close extensions, retractions.

The auction row carries the state the engine last computed (price, leader, counts) so pages read
it without replaying bids; it is only written under the auction's lock (see auction_services).
A bid's ``amount`` is the bidder's secret maximum (English) or sealed offer: pages show it to its
bidder only, and sealed amounts to everyone once the auction closed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.models import TimestampMixin, UTCDateTime, utcnow
from app.core.money import Money, positive_amount_check
from app.extensions import db
from app.market import auction_engine as engine
from app.market import auction_states as states
from app.market.listing_models import Listing


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Auction(TimestampMixin, db.Model):
    """One auction per auction-priced listing."""

    __tablename__ = "auctions"
    __table_args__ = (
        CheckConstraint(_in("kind", engine.KINDS), name="kind"),
        CheckConstraint(_in("status", states.STATUSES), name="status"),
        positive_amount_check("start_price", allow_null=False),
        positive_amount_check("reserve_price"),
        positive_amount_check("current_price"),
        positive_amount_check("hammer_price"),
        CheckConstraint("starts_at < ends_at AND ends_at <= hard_end_at", name="times"),
        CheckConstraint("soft_close_minutes >= 0", name="soft_close"),
        CheckConstraint("bid_count >= 0 AND bidder_count >= 0 AND last_seq >= 0", name="counts"),
        Index("ix_auctions_status_ends_at", "status", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # english | sealed
    status: Mapped[str] = mapped_column(String(20), default=states.SCHEDULED)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    start_price: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    reserve_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # None: no reserve
    reserve_disclosed: Mapped[bool] = mapped_column(default=False)  # bidders see whether it is met
    increments: Mapped[list[list[str]]] = mapped_column(JSON)  # [[band lower, step], ...] as decimal strings
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())  # moved by soft close
    hard_end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())  # soft close never passes it
    soft_close_minutes: Mapped[int] = mapped_column(default=5)  # a bid this close to the end extends it
    # What the engine last computed from the standing bids (written under the auction's lock).
    last_seq: Mapped[int] = mapped_column(default=0)  # the last bid's sequence number in this auction
    bid_count: Mapped[int] = mapped_column(default=0)  # bids not retracted
    bidder_count: Mapped[int] = mapped_column(default=0)  # bidders with a standing bid
    current_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # English: visible price
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # English: the leader's secret maximum and the runner-up's, all the proxy rule needs, so a bid
    # never re-reads the other bids (None with bids placed: rows from before these columns, recomputed).
    leader_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    second_bidder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    second_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    reserve_met: Mapped[bool] = mapped_column(default=False)
    # The head of the auction's own audit stream (``auction:<id>``: its bids and extensions), written
    # with them under the auction's lock; it anchors the stream's end for verify_chain.
    audit_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    audit_head: Mapped[str | None] = mapped_column(String(64))
    # The close: set once, by the conditional UPDATE that wins it.
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    winner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id")
    )  # or the top bidder, reserve not met
    hammer_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    deal_id: Mapped[int | None]  # the deal created by the award (no FK: deals are another module's table)
    ending_soon_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    listing: Mapped[Listing] = relationship()
    leader: Mapped[User | None] = relationship(foreign_keys=[leader_id])
    winner: Mapped[User | None] = relationship(foreign_keys=[winner_id])

    @property
    def rules(self) -> engine.Rules:
        return engine.Rules(
            kind=self.kind,
            start_price=self.start_price,
            reserve=self.reserve_price,
            increments=engine.IncrementTable.from_json(self.increments),
        )

    @property
    def is_sealed(self) -> bool:
        return self.kind == engine.SEALED

    @property
    def is_closed(self) -> bool:
        return self.status not in states.LIVE_STATUSES

    def money(self, amount: Decimal | None) -> Money | None:
        return Money.of(amount, self.currency)

    def accepting_bids_at(self, now: dt.datetime) -> bool:
        return self.status in states.LIVE_STATUSES and engine.is_open(self.starts_at, self.ends_at, now)


class AuctionParticipant(db.Model):
    """A bidder in one auction: a stable alias (Bidder A, B, ...) and the standing bid's copy."""

    __tablename__ = "auction_participants"
    __table_args__ = (
        UniqueConstraint("auction_id", "user_id"),
        UniqueConstraint("auction_id", "alias_index"),
        positive_amount_check("standing_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    auction_id: Mapped[int] = mapped_column(ForeignKey("auctions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    alias_index: Mapped[int]  # 0 -> "A": the order of first bids, so aliases never change
    # The bidder's standing bid (their latest, never retracted): what the engine ranks.
    standing_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    standing_seq: Mapped[int | None]
    first_bid_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()


class AuctionBid(db.Model):
    """Every bid ever placed; retraction marks it, never deletes it."""

    __tablename__ = "auction_bids"
    __table_args__ = (
        UniqueConstraint("auction_id", "seq"),  # two bids can never take the same place in line
        positive_amount_check("amount", allow_null=False),
        positive_amount_check("price_after"),
        Index("ix_auction_bids_bidder", "auction_id", "bidder_id", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    auction_id: Mapped[int] = mapped_column(ForeignKey("auctions.id", ondelete="CASCADE"))
    bidder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    seq: Mapped[int]  # place in this auction's bid order: decides ties
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # secret maximum (English) or sealed offer
    price_after: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # English: visible price after it
    leader_after_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # English: who led after it
    placed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retracted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    auction: Mapped[Auction] = relationship()
    bidder: Mapped[User] = relationship(foreign_keys=[bidder_id])

    def as_engine_bid(self) -> engine.Bid:
        return engine.Bid(self.bidder_id, self.amount, self.seq)


class AuctionExtension(db.Model):
    """A soft-close extension: which bid moved the end, from when to when."""

    __tablename__ = "auction_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    auction_id: Mapped[int] = mapped_column(ForeignKey("auctions.id", ondelete="CASCADE"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("auction_bids.id", ondelete="CASCADE"))
    old_ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    new_ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuctionRetraction(db.Model):
    """An administrator struck a bid (an obvious typo), with the reason and the price before and after."""

    __tablename__ = "auction_retractions"

    id: Mapped[int] = mapped_column(primary_key=True)
    auction_id: Mapped[int] = mapped_column(ForeignKey("auctions.id", ondelete="CASCADE"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("auction_bids.id", ondelete="CASCADE"), unique=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(1000))
    price_before: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    price_after: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    bid: Mapped[AuctionBid] = relationship()
    admin: Mapped[User] = relationship()


class AuctionBidRequest(db.Model):
    """A bid request's idempotency key (API header or the bid form's one-time token): a retry with
    the same key gets the first answer and never records a second bid."""

    __tablename__ = "auction_bid_requests"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(120))  # "api:<Idempotency-Key>" or "form:<token>"
    auction_id: Mapped[int] = mapped_column(ForeignKey("auctions.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the auction and the request body
    bid_id: Mapped[int] = mapped_column(ForeignKey("auction_bids.id", ondelete="CASCADE"))
    response: Mapped[dict | None] = mapped_column(JSON)  # the API's first 201 body, replayed as is
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
