"""Auction deposits by card against localstripe: a hold released or captured, a charge refunded."""

from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.audit_chain import verify_chain
from app.core.money import Money
from app.extensions import db
from app.market import deal_states
from app.market.qualification import bidder_qualification
from app.payments import deposit_jobs, deposits, ledger, reconcile, stripe_api
from app.payments import deposit_states as ds
from app.payments import services as payments
from app.payments.deposit_models import AuctionDeposit
from tests.payments.conftest import localstripe_post
from tests.payments.deposit_support import bid_and_close, deposit_auction, signed_auction_deal


@pytest.fixture(autouse=True)
def _english(stripe_app):
    with stripe_app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def cny(text: str) -> Money:
    return Money(Decimal(text), "CNY")


def _card(case, user, card="pm_card_visa"):
    deposit = deposits.start_deposit(case.auction, user)
    db.session.commit()
    deposits.confirm_deposit(deposit, user, card)
    db.session.commit()
    return deposit


def test_a_short_auction_holds_the_card_releases_the_loser_and_captures_the_winner(make_user, frozen_clock):
    case = deposit_auction(make_user, duration=timedelta(days=3))
    won, lost = _card(case, case.winner), _card(case, case.loser)
    assert (won.provider, won.capture_method, won.status, won.captured) == (
        "stripe",
        "manual",
        ds.HELD,
        False,
    )
    intent = stripe_api.retrieve_intent(won.provider_ref)
    assert (intent["status"], intent["amount"]) == ("requires_capture", 200000)
    assert ledger.deposit_balances(won.id) == {}  # a hold is not money received
    assert bidder_qualification(case.auction.listing, case.winner).ok
    bid_and_close(case, frozen_clock)
    assert deposit_jobs.settle_closed_auctions() == 2
    assert deposit_jobs.settle_closed_auctions() == 0  # once
    db.session.refresh(lost)
    db.session.refresh(won)
    assert lost.status == ds.RELEASED
    assert stripe_api.retrieve_intent(lost.provider_ref)["status"] == "canceled"
    assert ledger.deposit_balances(lost.id) == {}
    assert (won.status, won.captured) == (ds.HELD, True)
    assert stripe_api.retrieve_intent(won.provider_ref)["status"] == "succeeded"
    assert ledger.deposit_balances(won.id) == {"buyer": cny("-2000"), "hold": cny("2000")}

    deal = signed_auction_deal(case)
    payment, _ = payments.start_payment(deal, case.winner)
    assert payment.due == cny("11000")
    assert stripe_api.retrieve_intent(payment.provider_ref)["amount"] == 1100000
    payments.confirm_payment(payment, case.winner, "pm_card_visa")
    db.session.commit()
    assert deal.money_status == deal_states.PAID
    assert won.status == ds.CREDITED
    assert ledger.balances(deal.id)["hold"] == cny("13000")
    assert ledger.deal_total(deal.id) == 0
    assert reconcile.reconcile() == []
    assert verify_chain() is None


def test_a_long_auction_charges_now_and_refunds_the_loser_after_the_close(make_user, frozen_clock):
    case = deposit_auction(make_user, duration=timedelta(days=10))
    won, lost = _card(case, case.winner), _card(case, case.loser)
    assert (lost.capture_method, lost.status, lost.captured) == ("automatic", ds.HELD, True)
    assert ledger.deposit_balances(lost.id) == {"buyer": cny("-2000"), "hold": cny("2000")}
    bid_and_close(case, frozen_clock)
    assert deposit_jobs.settle_closed_auctions() == 1  # the loser; the winner's is already captured
    db.session.refresh(lost)
    assert lost.status == ds.REFUNDED
    assert lost.refund_reference.startswith("re_")
    charge = stripe_api.retrieve_intent(lost.provider_ref)["latest_charge"]
    assert charge["amount_refunded"] == 200000
    assert ledger.deposit_balances(lost.id) == {"buyer": cny("0"), "hold": cny("0")}
    assert won.status == ds.HELD


def test_a_declined_card_fails_and_the_bidder_may_start_again(make_user, frozen_clock):
    case = deposit_auction(make_user)
    failed = _card(case, case.winner, "pm_card_chargeCustomerFail")
    assert failed.status == ds.FAILED
    assert not bidder_qualification(case.auction.listing, case.winner).ok
    again = _card(case, case.winner)
    assert again.reference.endswith("-02")
    assert again.status == ds.HELD


def test_a_deposit_confirmed_in_the_browser_is_recorded_from_the_signed_webhook_once(
    stripe_app, client, make_user, frozen_clock, localstripe, webhook_catcher
):
    case = deposit_auction(make_user, duration=timedelta(days=10))
    deposit = deposits.start_deposit(case.auction, case.winner)
    db.session.commit()
    intent = f"/v1/payment_intents/{deposit.provider_ref}"
    localstripe_post(localstripe, intent, {"payment_method": "pm_card_visa"})
    localstripe_post(localstripe, f"{intent}/confirm", {})  # as Stripe.js would: our server is not told
    assert deposit.status == ds.REQUIRES_PAYMENT
    body, signature = webhook_catcher.wait_for("payment_intent.succeeded", deposit.provider_ref)
    for _ in range(3):
        delivered = client.post(
            "/payments/stripe/webhook",
            data=body,
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )
        assert delivered.status_code == 200
    db.session.expire_all()
    deposit = db.session.get(AuctionDeposit, deposit.id)
    assert (deposit.status, deposit.captured) == (ds.HELD, True)
    assert ledger.deposit_balances(deposit.id) == {"buyer": cny("-2000"), "hold": cny("2000")}
    assert bidder_qualification(case.auction.listing, case.winner).ok
