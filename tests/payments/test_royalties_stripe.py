"""Royalty invoices paid by card through the Stripe provider, against the real localstripe process."""

from decimal import Decimal

import pytest

from app.extensions import db
from app.market import deal_states
from app.payments import reconcile, royalties
from app.payments import royalty_models as rm
from app.payments import services as payments
from app.payments import states as st
from tests.payments.royalty_support import QUARTER, royalty_market


@pytest.fixture(autouse=True)
def _english(stripe_app):
    with stripe_app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def test_invoice_paid_by_card_after_a_decline(make_user, frozen_clock):
    market = royalty_market(make_user)
    upfront, _step = payments.start_payment(market.deal, market.buyer)
    payments.confirm_payment(upfront, market.buyer, "pm_card_visa")
    db.session.commit()
    frozen_clock.advance(QUARTER)
    invoice = royalties.report_sales(market.deal, market.buyer, 1, "200000").period.invoice
    declined, _step = royalties.start_invoice_payment(invoice, market.buyer)
    assert declined.provider == "stripe"
    payments.confirm_payment(declined, market.buyer, "pm_card_chargeCustomerFail")
    db.session.commit()
    assert (declined.status, invoice.status) == (st.FAILED, rm.OPEN)
    payment, _step = royalties.start_invoice_payment(invoice, market.buyer)
    assert payment.reference.endswith("-02")
    payments.confirm_payment(payment, market.buyer, "pm_card_visa")
    db.session.commit()
    assert (payment.status, payment.amount, invoice.status) == (st.SUCCEEDED, Decimal("7000.00"), rm.PAID)
    assert market.deal.money_status == deal_states.PAID  # the upfront price's status, untouched
    assert reconcile.reconcile() == []
