"""A forfeited card deposit's seller share goes out as a Connect transfer (localstripe for the card,
the Connect stub for the transfer), once, and the deposit's ledger ends balanced (issue 12)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.audit_chain import verify_chain
from app.core.money import Money
from app.extensions import db
from app.payments import connect, deposit_jobs, deposits, ledger, payout_jobs, payouts
from app.payments import deposit_states as ds
from app.payments import payout_states as ps
from tests.payments.deposit_support import bid_and_close, deposit_auction


@pytest.fixture(autouse=True)
def _english(connect_app):
    with connect_app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def cny(text: str) -> Money:
    return Money(Decimal(text), "CNY")


def _card(case, user):
    deposit = deposits.start_deposit(case.auction, user)
    db.session.commit()
    deposits.confirm_deposit(deposit, user, "pm_card_visa")
    db.session.commit()
    return deposit


def test_a_forfeited_card_deposit_pays_the_seller_through_connect_once(make_user, frozen_clock, connect_stub):
    case = deposit_auction(make_user, duration=timedelta(days=10))  # charged at once
    won, _lost = _card(case, case.winner), _card(case, case.loser)
    bid_and_close(case, frozen_clock)
    deposit_jobs.settle_closed_auctions()
    frozen_clock.advance(timedelta(days=5, seconds=1))
    assert deposit_jobs.forfeit_overdue_deposits() == 1
    db.session.refresh(won)
    assert won.status == ds.FORFEITED
    [payout] = payouts.deposit_payouts(won)
    assert payout.status == ps.WAITING  # the seller has no connected account yet
    share = cny("2000") - cny("1000")
    assert ledger.deposit_balances(won.id)["hold"] == share

    account, _url = connect.start_onboarding(
        case.seller, case.seller, "http://ipex.test/r", "http://ipex.test/b"
    )
    connect_stub.complete_onboarding(account.provider_ref)
    db.session.commit()
    payout_jobs.retry_payouts()  # the tick re-reads the account and sends what waited
    db.session.commit()
    db.session.refresh(payout)
    assert payout.status == ps.PAID
    [transfer] = connect_stub.transfers_to(account.provider_ref)
    assert (transfer["amount"], transfer["currency"]) == (100000, "cny")
    assert payout.transfer_ref == transfer["id"]
    payout_jobs.retry_payouts()
    db.session.commit()
    assert len(connect_stub.transfers_to(account.provider_ref)) == 1  # never twice
    assert ledger.deposit_balances(won.id) == {
        "buyer": cny("-2000"), "hold": cny("0"), "fee": cny("1000"), "seller": share,
    }  # fmt: skip
    assert verify_chain() is None
