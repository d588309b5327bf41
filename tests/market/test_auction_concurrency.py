"""Bids under contention: 32 bidders in threads, each with its own app context and session.

Runs on a SQLite file (not :memory:, which one connection would serialise for free) and on
PostgreSQL. Asserts what must never happen: an acknowledged bid missing from the log, two bids in
one place of the order, a bid accepted against a state it did not see, two leaders, a price the
proxy rule would not give, a second close.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app import create_app
from app.accounts.models import User
from app.core.actors import ensure_system_actor
from app.core.audit_chain import AuditLogEntry, verify_chain
from app.core.lifecycle import StatusEvent
from app.core.money import Money
from app.extensions import db
from app.market import auction_services as services
from app.market import auction_states as states
from app.market.auction_jobs import close_auction_job
from app.market.auction_models import Auction, AuctionBid
from tests.conftest import make_config
from tests.market.auction_support import make_auction, make_bidder, make_seller
from tests.market.test_auction_engine import TABLE, ReferenceAuction

BIDDERS = 32
ATTEMPTS_PER_BIDDER = 6


@pytest.fixture
def stress_app(app, database_url, tmp_path):
    """An app with a connection per bidder thread, on a fresh SQLite file (WAL, busy timeout) or on
    the PostgreSQL test database (emptied by the `app` fixture afterwards). Its context goes on top
    of the test app's, so the factories write through it. Outbox events wait for the periodic
    dispatcher: the inline runner would hold a second connection per thread."""
    url = f"sqlite:///{tmp_path / 'stress.db'}" if database_url.startswith("sqlite") else database_url
    engine_options = {"pool_pre_ping": True, "pool_size": BIDDERS + 2, "max_overflow": 0, "pool_timeout": 120}
    stress = create_app(make_config(url, SQLALCHEMY_ENGINE_OPTIONS=engine_options, OUTBOX_DISPATCH=False))
    with stress.app_context():
        if url.startswith("sqlite"):
            db.create_all()
            ensure_system_actor()
            db.session.commit()
        yield stress
        db.session.remove()
        db.engine.dispose()


def run_threads(count: int, work: Callable[[int], None]) -> None:
    """Start every thread at once (a barrier) and fail the test if any thread raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def main(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=main, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def with_retry(app, action: Callable[[], object]) -> object:
    """One unit of work in its own app context; SQLite's "database is locked" is retried, as clients do."""
    while True:
        with app.app_context():
            try:
                result = action()
                db.session.commit()
                return result
            except OperationalError as error:
                db.session.rollback()
                if "locked" not in str(error):
                    raise
            except Exception:
                db.session.rollback()
                raise


def test_32_concurrent_bidders_lose_nothing_and_match_the_reference(stress_app, frozen_clock, make_user):
    seller = make_seller(make_user)
    auction = make_auction(seller, start="1000", increments=TABLE)
    bidders = [make_bidder(make_user, auction) for _ in range(BIDDERS)]
    bidder_ids = [user.id for user in bidders]
    auction_id = auction.id
    acknowledged: list[tuple[int, int, Decimal]] = []  # (seq, bidder, amount) the service confirmed
    refused = []
    lock = threading.Lock()

    def bidder_main(index: int) -> None:
        rng = random.Random(index)
        for _ in range(ATTEMPTS_PER_BIDDER):
            with stress_app.app_context():
                price = db.session.scalar(
                    select(Auction.current_price).where(Auction.id == auction_id)
                ) or Decimal(1000)
            amount = TABLE.round_up(price + TABLE.step_at(price) * rng.randint(1, 12))

            def place(amount=amount):
                user = db.session.get(User, bidder_ids[index])
                result = services.place_bid(auction_id, user, Money(amount))
                return result.bid.seq

            try:
                seq = with_retry(stress_app, place)
            except services.BidRefused as refusal:
                with lock:
                    refused.append(refusal.reason)
                continue
            with lock:
                acknowledged.append((seq, bidder_ids[index], amount))

    run_threads(BIDDERS, bidder_main)

    db.session.expire_all()
    log = db.session.scalars(
        select(AuctionBid).where(AuctionBid.auction_id == auction_id).order_by(AuctionBid.seq)
    ).all()
    # The contest really happened: several bidders got bids in (how many depends on the interleaving).
    assert len({bidder for _seq, bidder, _amount in acknowledged}) >= 2
    # No lost and no phantom bid: the log is exactly what was acknowledged, one bid per place in line.
    assert sorted(acknowledged) == [(bid.seq, bid.bidder_id, bid.amount) for bid in log]
    assert [bid.seq for bid in log] == list(range(1, len(log) + 1))
    # Replaying the log through the plain reference: every bid was valid against the state before it,
    # and the price and leader stored after each bid are the proxy rule's.
    reference = ReferenceAuction(Decimal(1000), None)
    for bid in log:
        assert reference.bid(bid.bidder_id, bid.amount), f"bid {bid.seq} was accepted against a stale state"
        assert (bid.leader_after_id, bid.price_after) == (reference.leader, reference.price)
    final = db.session.get(Auction, auction_id)
    assert (final.leader_id, final.current_price) == (reference.leader, reference.price)
    assert (final.bid_count, final.last_seq) == (len(log), len(log))
    assert final.bidder_count == len({bid.bidder_id for bid in log})
    bid_entries = db.session.scalar(
        select(func.count(AuditLogEntry.id)).where(
            AuditLogEntry.kind == "auction.bid", AuditLogEntry.subject_id == auction_id
        )
    )
    assert bid_entries == len(log)
    assert verify_chain() is None
    assert set(refused) <= {"below_minimum", "not_above_own_maximum"}


def test_concurrent_closes_close_once(stress_app, frozen_clock, make_user):
    seller = make_seller(make_user)
    auction = make_auction(seller, reserve="900000", duration=timedelta(hours=1), hard_extra=timedelta(0))
    alice = make_bidder(make_user, auction)
    services.place_bid(auction.id, alice, Money(Decimal(20000)))
    db.session.commit()
    frozen_clock.advance(timedelta(hours=2))
    auction_id = auction.id
    results: list[bool] = []
    lock = threading.Lock()

    def closer(_index: int) -> None:
        closed = with_retry(stress_app, lambda: close_auction_job(auction_id))
        with lock:
            results.append(closed)

    run_threads(8, closer)
    assert sorted(results) == [False] * 7 + [True]
    db.session.expire_all()
    assert db.session.get(Auction, auction_id).status == states.RESERVE_NOT_MET
    events = db.session.scalar(
        select(func.count(StatusEvent.id)).where(
            StatusEvent.subject_type == "auctions", StatusEvent.action == "fail_reserve"
        )
    )
    assert events == 1
