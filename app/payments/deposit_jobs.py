"""The deposit tick: settle deposits of closed auctions, forfeit those of winners who did not pay.

Job entry points, not services: each deposit is its own unit of work under the system actor, so
one provider failure never holds back the others; the services they call are idempotent.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from app.core.actors import system_actor
from app.core.ticks import periodic
from app.extensions import db
from app.market import auction_states
from app.market.auction_models import Auction
from app.payments import deposit_states as ds
from app.payments import deposits
from app.payments.deposit_models import AuctionDeposit

log = logging.getLogger(__name__)


def _each(ids: list[int], work) -> int:
    done = 0
    for deposit_id in ids:
        try:
            done += bool(work(db.session.get(AuctionDeposit, deposit_id), system_actor()))
            db.session.commit()
        except Exception:  # one failing deposit must not keep the others waiting
            db.session.rollback()
            log.exception("settling deposit %s failed", deposit_id)
    return done


@periodic("payments.deposits.settle", every=timedelta(minutes=1))
def settle_closed_auctions() -> int:
    """Release or refund the others' deposits after the close, and capture the winner's hold."""
    return _each(deposits.unsettled_ids(), deposits.settle)


@periodic("payments.deposits.forfeit", every=timedelta(hours=1))
def forfeit_overdue_deposits() -> int:
    """Winners who did not pay the deal within the listing's deadline forfeit their deposit."""
    ids = list(
        db.session.scalars(
            select(AuctionDeposit.id)
            .join(Auction, Auction.id == AuctionDeposit.auction_id)
            .where(
                AuctionDeposit.status == ds.HELD,
                Auction.status == auction_states.AWARDED,
                AuctionDeposit.bidder_id == Auction.winner_id,
            )
        )
    )
    return _each(ids, deposits.forfeit_if_overdue)
