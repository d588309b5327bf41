"""An accepted bid's writes, and the auction's own audit stream; the bid path's hot end.

Every entry about an auction's bids (``auction.bid``, ``auction.extend``) is chained in the
auction's audit stream ``auction:<id>``, never in the platform-wide chain: appends to it are
serialised by the auction's row lock, which the bid holds anyway, and its head (seq and hash) is
kept on the auction row, so a bid neither queues on the global chain's lock nor reads a chain head.
The row's head also anchors the stream's end for ``verify_chain``.

For an open English auction whose row holds the podium (the usual bid), the writes are Core
statements built once with bind parameters: on PostgreSQL one statement of data-modifying CTEs
(the participant's standing bid, the auction row, the bid, its audit entries, the outbid event),
so the row lock is held for three round trips (lock, write, commit); on SQLite one statement each,
in process. The ORM objects are then told the values written (``set_committed_value``; the bid is
attached as persistent), so nothing is flushed twice or reloaded.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from sqlalchemy import bindparam, case, exists, func, insert, null, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.core.audit_chain import AuditLogEntry, register_stream_heads, stream_entry
from app.core.outbox import OutboxEvent, dispatch_after_commit, event_values
from app.extensions import db
from app.market import auction_engine as engine
from app.market import auction_notices as notices
from app.market.auction_models import Auction, AuctionBid, AuctionExtension, AuctionParticipant

# ---- the auction's audit stream -------------------------------------------------------------------


def audit_stream(auction_id: int) -> str:
    """The audit stream of one auction's bids and extensions (serialised by the auction's lock)."""
    return f"auction:{auction_id}"


def _stream_head(auction: Auction) -> tuple[int, str] | None:
    return (auction.audit_seq, auction.audit_head) if auction.audit_seq else None


def _entry(auction: Auction, head, kind: str, actor_id: int, payload: dict, now: dt.datetime) -> dict:
    return stream_entry(audit_stream(auction.id), head, kind, "auctions", auction.id, actor_id, payload, now)


def stream_append(auction: Auction, kind: str, actor_id: int, payload: dict, now: dt.datetime) -> None:
    """Under the auction's lock (ORM path): the next entry of its audit stream, and the row's new head."""
    values = _entry(auction, _stream_head(auction), kind, actor_id, payload, now)
    db.session.add(AuditLogEntry(**values))
    auction.audit_seq, auction.audit_head = values["seq"], values["hash"]


def _stream_heads():
    rows = db.session.execute(
        select(Auction.id, Auction.audit_seq, Auction.audit_head).where(Auction.audit_seq > 0)
    )
    return [(audit_stream(auction_id), seq, head) for auction_id, seq, head in rows]


register_stream_heads("auction:", _stream_heads)


def bid_payload(bid: AuctionBid | dict) -> dict:
    """The audit entry's facts of a bid (an ORM bid or the column values written)."""
    get = bid.get if isinstance(bid, dict) else functools.partial(getattr, bid)
    price = get("price_after")
    return {
        "seq": get("seq"),
        "bidder_id": get("bidder_id"),
        "amount": str(get("amount")),
        "price_after": None if price is None else str(price),
        "leader_after_id": get("leader_after_id"),
    }


def extend_payload(seq: int, old_end: dt.datetime, new_end: dt.datetime) -> dict:
    return {"seq": seq, "from": old_end, "to": new_end}


def add_participant(auction: Auction, bidder: User, amount: Decimal, seq: int, now: dt.datetime) -> None:
    """The bidder's first standing bid here (a new alias), or a new one after theirs was struck."""
    participant = db.session.scalar(
        select(AuctionParticipant).where(
            AuctionParticipant.auction_id == auction.id, AuctionParticipant.user_id == bidder.id
        )
    )
    if participant is None:
        taken = db.session.scalar(
            select(func.count(AuctionParticipant.id)).where(AuctionParticipant.auction_id == auction.id)
        )
        participant = AuctionParticipant(
            auction_id=auction.id, user_id=bidder.id, alias_index=taken, first_bid_at=now
        )
        db.session.add(participant)
    participant.standing_amount, participant.standing_seq = amount, seq


# ---- the English hot path -------------------------------------------------------------------------


def write_english_bid(
    auction: Auction,
    bidder: User,
    amount: Decimal,
    top: list[engine.Bid],
    after: engine.State,
    now: dt.datetime,
) -> tuple[AuctionBid, bool]:
    """Under the lock, an open English auction whose row holds the podium: record the accepted bid
    (the engine's ``after``), its audit entries and outbid event; the bid and whether it extended."""
    seq = auction.last_seq + 1
    ranked = engine.ranked(auction.rules, [*top, engine.Bid(bidder.id, amount, seq)])
    second = ranked[1] if len(ranked) > 1 else None
    bid_values = {
        "auction_id": auction.id,
        "bidder_id": bidder.id,
        "seq": seq,
        "amount": amount,
        "price_after": after.price,
        "leader_after_id": after.leader,
        "placed_at": now,
        "retracted_at": None,
    }
    entries = [_entry(auction, _stream_head(auction), "auction.bid", bidder.id, bid_payload(bid_values), now)]
    old_end = auction.ends_at
    new_end = engine.extended_end(
        old_end, auction.hard_end_at, now, dt.timedelta(minutes=auction.soft_close_minutes)
    )
    if new_end != old_end:
        head = (entries[0]["seq"], entries[0]["hash"])
        entries.append(
            _entry(auction, head, "auction.extend", bidder.id, extend_payload(seq, old_end, new_end), now)
        )
    row = {
        "last_seq": seq,
        "bid_count": auction.bid_count + 1,
        "current_price": after.price,
        "leader_id": after.leader,
        "leader_amount": after.leader_amount,
        "second_bidder_id": second.bidder if second else None,
        "second_amount": second.amount if second else None,
        "reserve_met": after.reserve_met,
        "ends_at": new_end,
        "audit_seq": entries[-1]["seq"],
        "audit_head": entries[-1]["hash"],
        "updated_at": now,
    }
    outbid = None
    if auction.leader_id not in (None, after.leader):
        payload = notices.outbid_payload(auction, auction.leader_id, seq, after.price)
        outbid = event_values(notices.OUTBID_EVENT, payload)
    params = _params(auction.id, bidder.id, row, bid_values, entries, outbid)
    if db.session.connection().dialect.name == "postgresql":
        statement = _postgresql_statement(len(entries), outbid is not None)
        bid_id, bidder_count, event_id, moved = db.session.execute(statement, params).one()
    else:
        bid_id, bidder_count, event_id, moved = _write_plain(params, len(entries), outbid is not None)
    if not moved:  # a first bid, or the bidder's standing bid was struck
        add_participant(auction, bidder, amount, seq, now)
    if event_id is not None:
        dispatch_after_commit(event_id)
    for key, value in {**row, "bidder_count": bidder_count}.items():
        set_committed_value(auction, key, value)
    bid = AuctionBid(id=bid_id, **bid_values)
    make_transient_to_detached(bid)
    db.session.add(bid)  # persistent as written: no INSERT, no reload
    if new_end != old_end:
        db.session.add(
            AuctionExtension(
                auction_id=auction.id, bid_id=bid_id, old_ends_at=old_end, new_ends_at=new_end, created_at=now
            )
        )
    return bid, new_end != old_end


# ---- the statements: built once, bound per bid -------------------------------------------------------

_participants = AuctionParticipant.__table__
_auctions = Auction.__table__
_bids = AuctionBid.__table__
_audit = AuditLogEntry.__table__
_outbox = OutboxEvent.__table__
_ROW = (
    "last_seq", "bid_count", "current_price", "leader_id", "leader_amount", "second_bidder_id",
    "second_amount", "reserve_met", "ends_at", "audit_seq", "audit_head", "updated_at",
)  # fmt: skip
_BID = (
    "auction_id",
    "bidder_id",
    "seq",
    "amount",
    "price_after",
    "leader_after_id",
    "placed_at",
    "retracted_at",
)
_ENTRY = (
    "stream", "seq", "kind", "subject_type", "subject_id", "actor_id", "payload", "created_at", "prev_hash", "hash",
)  # fmt: skip
_EVENT = ("event_type", "payload", "created_at", "available_at", "attempts")


def _params(auction_id, user_id, row, bid_values, entries, outbid) -> dict:
    params = {"w_auction": auction_id, "w_user": user_id}
    params.update((f"a_{key}", row[key]) for key in _ROW)
    params.update((f"b_{key}", bid_values[key]) for key in _BID)
    for index, entry in enumerate(entries):
        params.update((f"e{index}_{key}", entry[key]) for key in _ENTRY)
    if outbid is not None:
        params.update((f"o_{key}", outbid[key]) for key in _EVENT)
    return params


def _bound(table, prefix: str, columns: tuple[str, ...]) -> dict:
    return {name: bindparam(f"{prefix}{name}", type_=table.c[name].type) for name in columns}


def _standing_update():
    return (
        update(_participants)
        .where(
            _participants.c.auction_id == bindparam("w_auction"),
            _participants.c.user_id == bindparam("w_user"),
            _participants.c.standing_amount.is_not(None),
        )
        .values(standing_amount=bindparam("b_amount"), standing_seq=bindparam("b_seq"))
    )


def _row_update(new_bidder):
    return (
        update(_auctions)
        .where(_auctions.c.id == bindparam("w_auction"))
        .values(**_bound(_auctions, "a_", _ROW), bidder_count=_auctions.c.bidder_count + new_bidder)
        .returning(_auctions.c.bidder_count)
    )


def _bid_insert():
    return insert(_bids).values(**_bound(_bids, "b_", _BID)).returning(_bids.c.id)


def _entry_insert(index: int):
    # One INSERT per entry: a multi-row VALUES of bind parameters is not cached by SQLAlchemy.
    return insert(_audit).values(**_bound(_audit, f"e{index}_", _ENTRY))


def _event_insert():
    return insert(_outbox).values(**_bound(_outbox, "o_", _EVENT)).returning(_outbox.c.id)


@functools.cache
def _postgresql_statement(entries: int, outbid: bool):
    """One statement: data-modifying CTEs run exactly once each, whether or not the SELECT reads them,
    on one snapshot taken after the row lock was granted (the participant's row is current)."""
    moved = _standing_update().returning(_participants.c.id).cte("moved")
    row = _row_update(case((exists(select(moved.c.id)), 0), else_=1)).cte("auction_row")
    bid = _bid_insert().cte("bid")
    logged = [_entry_insert(index).returning(_audit.c.id).cte(f"logged{index}") for index in range(entries)]
    ctes = [moved, row, bid, *logged]
    event_id = null()
    if outbid:
        event = _event_insert().cte("event")
        ctes.append(event)
        event_id = select(event.c.id).scalar_subquery()
    return select(
        select(bid.c.id).scalar_subquery(),
        select(row.c.bidder_count).scalar_subquery(),
        event_id,
        exists(select(moved.c.id)),
    ).add_cte(*ctes)


@functools.cache
def _plain_statements(entries: int, outbid: bool):
    return (
        _standing_update(),
        _row_update(bindparam("new_bidder")),
        _bid_insert(),
        [_entry_insert(index) for index in range(entries)],
        _event_insert() if outbid else None,
    )


def _write_plain(params: dict, entries: int, outbid: bool) -> tuple:
    """SQLite (no data-modifying CTEs): one statement each, in process."""
    standing, row, bid, logged, event = _plain_statements(entries, outbid)
    moved = db.session.execute(standing, params).rowcount == 1
    bidder_count = db.session.execute(row, {**params, "new_bidder": 0 if moved else 1}).scalar_one()
    bid_id = db.session.execute(bid, params).scalar_one()
    for entry in logged:
        db.session.execute(entry, params)
    event_id = db.session.execute(event, params).scalar_one() if event is not None else None
    return bid_id, bidder_count, event_id, moved
