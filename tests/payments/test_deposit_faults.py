"""Auction deposits when the provider fails mid-flow (issue 12): nothing is recorded half-way, and the
retry, with the same idempotency keys, completes each step once."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.audit_chain import verify_chain
from app.extensions import db
from app.payments import deposit_jobs, deposits, ledger, reconcile, stripe_api
from app.payments import deposit_states as ds
from app.payments.deposit_models import AuctionDeposit
from app.payments.errors import ProviderUnavailable
from tests.payments.conftest import _free_port
from tests.payments.deposit_support import bid_and_close, deposit_auction


@pytest.fixture(autouse=True)
def _english(stripe_app):
    with stripe_app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def outage(stripe_app, localstripe):
    """Switch the provider off (nobody listens on the address) and on again."""

    class Switch:
        def off(self) -> None:
            stripe_app.config["STRIPE_API_BASE"] = f"http://127.0.0.1:{_free_port()}"

        def on(self) -> None:
            stripe_app.config["STRIPE_API_BASE"] = localstripe

    switch = Switch()
    yield switch
    switch.on()


def _card(case, user):
    deposit = deposits.start_deposit(case.auction, user)
    db.session.commit()
    deposits.confirm_deposit(deposit, user, "pm_card_visa")
    db.session.commit()
    return deposit


def test_an_outage_when_the_deposit_starts_records_nothing_and_the_retry_works(make_user, outage):
    case = deposit_auction(make_user, duration=timedelta(days=3))
    outage.off()
    with pytest.raises(ProviderUnavailable):
        deposits.start_deposit(case.auction, case.winner)
    db.session.rollback()
    assert db.session.scalar(select(func.count(AuctionDeposit.id))) == 0
    outage.on()
    deposit = _card(case, case.winner)
    assert deposit.status == ds.HELD
    assert db.session.scalar(select(func.count(AuctionDeposit.id))) == 1


def test_an_outage_at_the_close_leaves_the_holds_and_the_next_tick_settles_once(
    make_user, frozen_clock, outage
):
    case = deposit_auction(make_user, duration=timedelta(days=3))
    won, lost = _card(case, case.winner), _card(case, case.loser)
    bid_and_close(case, frozen_clock)
    outage.off()
    assert deposit_jobs.settle_closed_auctions() == 0  # each failure rolled back, none half-applied
    db.session.expire_all()
    assert (won.status, won.captured, lost.status) == (ds.HELD, False, ds.HELD)
    outage.on()
    assert deposit_jobs.settle_closed_auctions() == 2
    assert deposit_jobs.settle_closed_auctions() == 0
    db.session.expire_all()
    assert (won.status, won.captured, lost.status) == (ds.HELD, True, ds.RELEASED)
    assert stripe_api.retrieve_intent(lost.provider_ref)["status"] == "canceled"
    assert stripe_api.retrieve_intent(won.provider_ref)["status"] == "succeeded"
    assert ledger.deposit_balances(lost.id) == {}
    assert reconcile.reconcile() == []
    assert verify_chain() is None
