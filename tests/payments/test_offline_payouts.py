"""Offline payouts: the recipients' bank details stand in for onboarding; an administrator records
each bank transfer; a refund after payout takes the shares and the fee back in the ledger."""

from decimal import Decimal

import pytest

from app.core.audit_chain import verify_chain
from app.core.errors import Conflict
from app.core.money import Money
from app.extensions import db
from app.payments import connect, ledger, payouts, reconcile
from app.payments import payout_states as ps
from app.payments import services as payments
from app.payments import states as st
from tests.market.deal_support import build_market
from tests.payments.support import register, signed_deal

BANK = ("中国银行 杭州分行", "6216610000001234567")


def cny(text: str) -> Money:
    return Money(Decimal(text), "CNY")


@pytest.fixture(autouse=True)
def _english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def market(make_user, frozen_clock):
    return build_market(make_user)


def test_split_bank_payouts_wait_for_bank_details_then_an_admin_records_each(client, auth, market):
    deal = signed_deal(market, "400000.01")
    payment, _ = payments.start_payment(deal, market.buyer)
    payments.record_receipt(payment, market.admin, "BOC-1", "400000.01")
    payouts.set_shares(deal, market.seller, [{"user": market.stranger, "role": "broker", "percent": "10"}])
    connect.save_bank_details(market.seller, market.seller, "陈教授", *BANK)
    db.session.commit()
    register(deal, market)
    rows = {p.role: p for p in payouts.payouts_of(payment)}
    # 400000.01 less the 5 % fee (20000.00): the broker 38000.00 (10 % of 380000.01 rounded down),
    # the seller the rest, remainder cent included
    assert (rows["seller"].money, rows["broker"].money) == (cny("342000.01"), cny("38000.00"))
    assert (rows["seller"].status, rows["broker"].status) == (ps.PENDING, ps.WAITING)
    with pytest.raises(Conflict, match="each recipient"):
        payments.record_payout(payment, market.admin, "BOC-2")  # two recipients: one record each
    with pytest.raises(Conflict, match="bank details"):
        payouts.record_bank_payout(rows["broker"], market.admin, "BOC-3")
    db.session.rollback()

    auth.login(market.admin)
    page = client.get("/payments/admin/payouts").get_data(as_text=True)
    assert "6216610000001234567" in page  # the administrator sees where to send the seller's share
    client.post(f"/payments/admin/payouts/{rows['seller'].id}/bank", data={"bank_reference": "BOC-SELLER"})
    db.session.refresh(rows["seller"])
    assert (rows["seller"].status, rows["seller"].transfer_ref) == (ps.PAID, "BOC-SELLER")
    connect.save_bank_details(market.stranger, market.stranger, "Broker Li", "工商银行", "6222020000000001")
    payouts.record_bank_payout(rows["broker"], market.admin, "BOC-BROKER")
    db.session.commit()
    db.session.refresh(payment)
    assert payment.status == st.PAID_OUT
    balances = ledger.balances(deal.id)
    assert (balances["seller"], balances["fee"], balances["hold"].amount) == (
        cny("380000.01"),
        cny("20000.00"),
        0,
    )
    assert reconcile.reconcile() == []

    payments.refund(payment, market.admin, "40000.00", "Goodwill after the settlement.")
    db.session.commit()
    # the fee gives back 2000.00 (in proportion to the price, half-up); the recipients 38000.00 in
    # proportion to what they hold: the broker 3799.99 rounded down, the seller the remainder cent
    assert (rows["seller"].reversed, rows["broker"].reversed) == (cny("34200.01"), cny("3799.99"))
    assert payment.status == st.PARTIALLY_REFUNDED
    assert ledger.deal_total(deal.id) == 0
    assert reconcile.reconcile() == []
    assert verify_chain() is None
