"""The stripe provider against a real localstripe process: card, decline, 3-D Secure, refunds, faults."""

import urllib.error
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.core.audit_chain import verify_chain
from app.core.money import Money
from app.extensions import db
from app.market import deal_services as deals
from app.market import deal_states
from app.payments import connect, ledger, reconcile
from app.payments import services as payments
from app.payments import states as st
from app.payments.errors import ProviderUnavailable
from app.payments.models import Payment
from tests.market.deal_support import build_market
from tests.payments.conftest import _free_port, localstripe_post
from tests.payments.support import register, signed_deal

THREE_D_SECURE_CARD = "4000002500003155"


@pytest.fixture(autouse=True)
def _english(stripe_app):
    with stripe_app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def market(make_user, frozen_clock):
    return build_market(make_user)


def _card_paid(market):
    deal = signed_deal(market)
    payment, step = payments.start_payment(deal, market.buyer)
    payments.confirm_payment(payment, market.buyer, "pm_card_visa")
    db.session.commit()
    return deal, payment


def test_card_payment_is_confirmed_server_side_held_and_paid_out(market, connect_app, connect_stub):
    deal = signed_deal(market)
    payment, step = payments.start_payment(deal, market.buyer)
    assert payment.provider == "stripe"
    assert payment.provider_ref.startswith("pi_")
    assert step.client["client_secret"]
    assert step.status == st.REQUIRES_PAYMENT
    payments.confirm_payment(payment, market.buyer, "pm_card_visa")
    db.session.commit()
    assert (payment.status, deal.money_status) == (st.SUCCEEDED, deal_states.PAID)
    assert ledger.balances(deal.id)["hold"] == Money(Decimal("400000"))
    assert reconcile.reconcile() == []
    account, _ = connect.start_onboarding(market.seller, market.seller, "http://x/r", "http://x/b")
    connect_stub.complete_onboarding(account.provider_ref)
    connect.refresh_account(account, market.seller)
    db.session.commit()
    register(
        deal, market
    )  # the seller's share goes out as a Connect transfer (tests/payments/test_connect_payouts.py)
    db.session.refresh(payment)
    assert payment.status == st.PAID_OUT
    assert reconcile.reconcile() == []
    assert ledger.deal_total(deal.id) == 0
    assert verify_chain() is None


def test_a_declined_card_fails_and_the_buyer_can_start_again(market):
    deal = signed_deal(market)
    payment, _ = payments.start_payment(deal, market.buyer)
    payments.confirm_payment(payment, market.buyer, "pm_card_chargeCustomerFail")
    db.session.commit()
    assert (payment.status, deal.money_status) == (st.FAILED, deal_states.UNPAID)
    assert ledger.balances(deal.id) == {}
    again, _ = payments.start_payment(deal, market.buyer)
    assert again.id != payment.id
    assert again.reference.endswith("-02")
    payments.confirm_payment(again, market.buyer, "pm_card_visa")
    db.session.commit()
    assert again.status == st.SUCCEEDED
    assert reconcile.reconcile() == []


def test_three_d_secure_requires_action_until_the_buyer_authenticates(market, localstripe):
    deal = signed_deal(market)
    payment, _ = payments.start_payment(deal, market.buyer)
    method = localstripe_post(localstripe, "/v1/payment_methods", {
        "type": "card", "card[number]": THREE_D_SECURE_CARD, "card[exp_month]": "12",
        "card[exp_year]": "2030", "card[cvc]": "123"})  # fmt: skip
    step = payments.confirm_payment(payment, market.buyer, method["id"])
    db.session.commit()
    assert payment.status == st.REQUIRES_ACTION
    assert step.client["next_action"]
    assert deal.money_status == deal_states.UNPAID
    # The buyer's browser completes 3-D Secure with the provider; the redirect alone proves nothing,
    # so the server re-fetches the intent.
    localstripe_post(localstripe, f"/v1/payment_intents/{payment.provider_ref}/_authenticate",
                     {"client_secret": step.client["client_secret"], "success": "true"})  # fmt: skip
    payments.sync_payment(payment, market.buyer)
    db.session.commit()
    assert (payment.status, deal.money_status) == (st.SUCCEEDED, deal_states.PAID)


def test_partial_then_full_refund_through_the_provider_reconciles(market):
    deal, payment = _card_paid(market)
    deals.cancel_deal(deal, market.admin, "The buyer's board said no.")
    payments.refund(payment, market.admin, "100000", "Costs of the filing kept.")
    db.session.commit()
    assert payment.status == st.PARTIALLY_REFUNDED
    assert reconcile.reconcile() == []
    payments.refund(payment, market.admin, "300000", "The rest, after review.")
    db.session.commit()
    assert (payment.status, deal.money_status) == (st.REFUNDED, deal_states.REFUNDED)
    assert reconcile.reconcile() == []


def test_reconcile_reports_a_refund_made_outside_our_records(market, localstripe):
    deal, payment = _card_paid(market)
    localstripe_post(localstripe, "/v1/refunds", {"payment_intent": payment.provider_ref, "amount": "5000"})
    assert [d.what for d in reconcile.reconcile()] == ["provider.refunded"]


def test_a_provider_outage_records_nothing_and_the_retry_completes_once(market, stripe_app, localstripe):
    deal = signed_deal(market)
    stripe_app.config["STRIPE_API_BASE"] = f"http://127.0.0.1:{_free_port()}"  # nobody listens there
    with pytest.raises(ProviderUnavailable):
        payments.start_payment(deal, market.buyer)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Payment.id))) == 0
    stripe_app.config["STRIPE_API_BASE"] = localstripe
    payment, _ = payments.start_payment(deal, market.buyer)
    payments.confirm_payment(payment, market.buyer, "pm_card_visa")
    db.session.commit()
    assert payment.reference.endswith("-01")
    assert payment.status == st.SUCCEEDED
    assert db.session.scalar(select(func.count(Payment.id))) == 1


def test_confirming_twice_charges_once(market):
    deal, payment = _card_paid(market)
    with pytest.raises(Exception, match="no longer open"):
        payments.confirm_payment(payment, market.buyer, "pm_card_visa")
    assert ledger.balances(deal.id)["buyer"] == Money(Decimal("-400000"))


def test_localstripe_rejects_unknown_parameters(localstripe):
    with pytest.raises(urllib.error.HTTPError) as refused:
        localstripe_post(
            localstripe, "/v1/payment_intents", {"amount": "100", "currency": "cny", "bogus": "1"}
        )
    assert refused.value.code == 400
    refused.value.close()
