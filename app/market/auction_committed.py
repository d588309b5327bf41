"""The last committed state of each English auction this process has seen, to refuse stale bids
without a statement.

When many bidders race for the next price, most attempts lose: by the time a bid's turn comes,
others have raised the price. Each such refusal used to cost the locking read and a rollback. Now
every committed state this process reads (before the lock, under it) or commits (a bid) is kept
here, and a bid is first checked against the newest one: an amount it refuses is refused at once.

Sound for the same reason as the early refusal before the lock: a committed state only raises the
minimum later, except a retraction; so an amount a committed state refuses, the current state
refuses too. A retraction (like a close, a cancellation, a change of the listing or of the rules)
is a write other than a bid, so it changes the facts version (app.core.page_cache) and every
state kept under the version before it is no longer used. A pass decides nothing: the bid is
decided under the row lock, on the row read there.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.market import auction_engine as engine
from app.market import auction_states as states

WRITTEN_KEY = "ipex_auction_written"  # session.info: the states this transaction's bids wrote


@dataclass(frozen=True)
class Committed:
    """What the early refusal needs of an auction: its rules, whether it is open, the podium."""

    auction_id: int
    listing_id: int
    listing_status: str
    currency: str
    rules: engine.Rules
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    last_seq: int
    top: tuple[engine.Bid, ...]

    def open_at(self, now: dt.datetime) -> bool:
        return self.status in states.LIVE_STATUSES and self.starts_at <= now < self.ends_at


_KEPT: dict[tuple, tuple[str, Committed]] = {}
_KEPT_LOCK = threading.Lock()


def podium(auction) -> list[engine.Bid] | None:
    """English: the leader's and the runner-up's maximums as kept on the row, best first; None when
    they must be recomputed from the standing bids (sealed bids may be lowered; rows from before)."""
    if auction.kind != engine.ENGLISH or (auction.leader_id is not None and auction.leader_amount is None):
        return None
    # Synthetic sequence numbers keep the stored order (ties already went to the earlier bid); any
    # new bid comes later than both.
    top = []
    if auction.leader_id is not None:
        top.append(engine.Bid(auction.leader_id, auction.leader_amount, 1))
    if auction.second_bidder_id is not None:
        top.append(engine.Bid(auction.second_bidder_id, auction.second_amount, 2))
    return top


def of(auction, listing_status: str, rules: engine.Rules | None = None) -> Committed | None:
    """The auction's row as it is now (read from the database, or just written), or None when it
    is not an English auction with its podium on the row."""
    top = podium(auction)
    if top is None:
        return None
    return Committed(
        auction_id=auction.id,
        listing_id=auction.listing_id,
        listing_status=listing_status,
        currency=auction.currency,
        rules=rules or auction.rules,
        status=auction.status,
        starts_at=auction.starts_at,
        ends_at=auction.ends_at,
        last_seq=auction.last_seq,
        top=tuple(top),
    )


def _key(auction_id: int) -> tuple:
    return (current_app.instance_path, str(db.engine.url), auction_id)


def keep(state: Committed | None, facts: str | None) -> None:
    """Keep a committed state under the facts version read before it was read; never replace a
    newer state of the same facts version by an older one."""
    if state is None or facts is None:
        return
    key = _key(state.auction_id)
    with _KEPT_LOCK:
        kept = _KEPT.get(key)
        if kept is None or kept[0] != facts or kept[1].last_seq <= state.last_seq:
            _KEPT[key] = (facts, state)


def newest(auction_id: int, facts: str | None) -> Committed | None:
    """The newest committed state kept under this facts version, or None."""
    if facts is None:
        return None
    kept = _KEPT.get(_key(auction_id))
    return kept[1] if kept is not None and kept[0] == facts else None


def refusal(state: Committed | None, bidder_id: int, amount, now: dt.datetime) -> engine.BidRejected | None:
    """The engine's refusal of this amount on a kept state that was open, or None (no verdict)."""
    if state is None or amount.currency != state.currency or not state.open_at(now):
        return None
    try:
        engine.check_bid(state.rules, state.top, bidder_id, amount.amount)
    except engine.BidRejected as rejected:
        return rejected
    return None


def written(session: Session, state: Committed | None, facts: str | None) -> None:
    """A bid wrote this state: kept once its transaction commits."""
    if state is not None and facts is not None:
        session.info.setdefault(WRITTEN_KEY, []).append((state, facts))


@event.listens_for(Session, "after_commit")
def _keep_written(session: Session) -> None:
    for state, facts in session.info.pop(WRITTEN_KEY, ()):
        keep(state, facts)


@event.listens_for(Session, "after_soft_rollback")
def _forget_written(session: Session, previous_transaction) -> None:
    session.info.pop(WRITTEN_KEY, None)
