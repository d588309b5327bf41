"""Background work on auctions: the periodic open/close/ending-soon tasks and the lazy close job.

These are job entry points, not services: each commits its own unit of work (one auction at a
time, so one failure never holds back the others), under the platform's system actor.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update

from app.core import jobs
from app.core.actors import system_actor
from app.core.clock import clock
from app.core.lifecycle import apply_transition
from app.core.ticks import periodic
from app.extensions import db
from app.market import auction_notices as notices
from app.market import auction_states as states
from app.market.auction_models import Auction
from app.market.auction_services import close_auction, due_auction_ids, lock_auction, needs_closing
from app.market.listing_models import Listing
from app.market.listing_states import PUBLISHED

log = logging.getLogger(__name__)
ENDING_SOON = timedelta(hours=1)


def close_auction_job(auction_id: int) -> bool:
    """Close one ended auction if nobody has (idempotent); True when this call closed it."""
    try:
        closed = close_auction(auction_id, system_actor()) is not None
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return closed


def enqueue_close_if_due(auction: Auction) -> bool:
    """Called by views: a GET never writes, so the close of an ended auction runs as a job."""
    if not needs_closing(auction):
        return False
    jobs.enqueue(close_auction_job, auction.id)
    return True


@periodic("auctions.close", every=timedelta(minutes=1))
def close_due_auctions() -> int:
    closed = 0
    for auction_id in due_auction_ids(clock.now()):
        try:
            closed += close_auction_job(auction_id)
        except Exception:  # one broken auction must not keep the others open
            log.exception("closing auction %s failed", auction_id)
    return closed


@periodic("auctions.open", every=timedelta(minutes=1))
def open_started_auctions() -> int:
    """Scheduled auctions whose start passed, on published listings, show as open (bids open them too)."""
    now = clock.now()
    due = db.session.scalars(
        select(Auction.id)
        .join(Listing, Listing.id == Auction.listing_id)
        .where(Auction.status == states.SCHEDULED, Auction.starts_at <= now, Auction.ends_at > now)
        .where(Listing.status == PUBLISHED)
    ).all()
    for auction_id in due:
        auction = lock_auction(auction_id)
        if auction.status == states.SCHEDULED:
            apply_transition(states.AUCTION_LIFECYCLE, auction, "open", actor=system_actor())
        db.session.commit()
    return len(due)


@periodic("auctions.ending_soon", every=timedelta(minutes=5))
def announce_ending_soon() -> int:
    """One notice per auction to its bidders and the listing's watchers, in its last hour."""
    now = clock.now()
    ids = db.session.scalars(
        select(Auction.id).where(
            Auction.status == states.OPEN,
            Auction.ending_soon_sent_at.is_(None),
            Auction.ends_at > now,
            Auction.ends_at <= now + ENDING_SOON,
        )
    ).all()
    for auction_id in ids:
        claimed = db.session.execute(
            update(Auction)
            .where(Auction.id == auction_id, Auction.ending_soon_sent_at.is_(None))
            .values(ending_soon_sent_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            notices.ending_soon(db.session.get(Auction, auction_id))
        db.session.commit()
    return len(ids)
