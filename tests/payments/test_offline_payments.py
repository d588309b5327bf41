"""Offline (bank transfer) payments: hold, payout after registration, refunds, ledger and reconciliation."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.core.audit_chain import verify_chain
from app.core.errors import Conflict, PermissionDenied
from app.core.lifecycle import InvalidTransition, status_history
from app.core.money import Money
from app.extensions import db
from app.market import deal_services as deals
from app.market import deal_states
from app.payments import connect, fee_schedule, ledger, reconcile
from app.payments import services as payments
from app.payments import states as st
from app.payments.fees import FeeTerms, calculate_fee
from app.payments.models import LedgerEntry, Payment
from app.payments.services import PaymentInvalid
from tests.market.deal_support import build_market
from tests.payments.support import register, signed_deal


@pytest.fixture(autouse=True)
def _english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def market(make_user, frozen_clock):
    return build_market(make_user)


def cny(text: str) -> Money:
    return Money(Decimal(text), "CNY")


def _paid(market):
    deal = signed_deal(market)
    payment, step = payments.start_payment(deal, market.buyer)
    payments.record_receipt(payment, market.admin, "BOC-778812", "400000")
    db.session.commit()
    return deal, payment


@pytest.mark.parametrize(
    ("price", "rate", "minimum", "fee"),
    [
        ("400000", "5", "1000", "20000.00"),  # rate applies
        ("10000", "5", "1000", "1000.00"),  # the minimum applies
        ("500", "5", "1000", "500.00"),  # never more than the price
        ("333.33", "2.5", "0", "8.33"),  # 8.33325 rounds half-up to the fen
    ],
)
def test_fee_is_rate_with_a_minimum_capped_at_the_price(price, rate, minimum, fee):
    quote = calculate_fee(cny(price), FeeTerms(Decimal(rate), cny(minimum), 1))
    assert quote.fee == cny(fee)
    assert quote.fee + quote.seller_receives == cny(price)


def test_newest_schedule_version_and_most_specific_rule_apply(market):
    assert fee_schedule.quote(cny("400000"), "assignment", "negotiable").terms.version == 0
    fee_schedule.publish_schedule([{"rate_percent": "4", "minimum_amount": "500"}], market.admin, "first")
    fee_schedule.publish_schedule(
        [
            {"rate_percent": "3", "minimum_amount": "500"},
            {"right_type": "assignment", "rate_percent": "2", "minimum_amount": "800"},
            {
                "right_type": "assignment",
                "price_mechanism": "fixed",
                "rate_percent": "1",
                "minimum_amount": "0",
            },
        ],
        market.admin,
        "second",
    )
    assert fee_schedule.quote(cny("100000"), "assignment", "negotiable").fee == cny("2000.00")
    assert fee_schedule.quote(cny("100000"), "assignment", "fixed").fee == cny("1000.00")
    quote = fee_schedule.quote(cny("100000"), "exclusive_licence", "negotiable")
    assert (quote.fee, quote.terms.version) == (cny("3000.00"), 2)
    with pytest.raises(PermissionDenied):
        fee_schedule.publish_schedule([{"rate_percent": "1"}], market.seller)


def test_bank_transfer_payment_is_held_until_registration_then_paid_out(market):
    deal = signed_deal(market)
    payment, step = payments.start_payment(deal, market.buyer)
    assert step.client["reference"] == payment.reference.upper()
    assert payment.reference.startswith("IPEX-")
    assert step.client["amount"] == {"amount": "400000.00", "currency": "CNY"}
    assert payments.start_payment(deal, market.buyer)[0].id == payment.id  # resumed, not doubled
    payments.record_receipt(payment, market.admin, "BOC-778812", "400000")
    db.session.commit()
    assert (payment.status, deal.money_status) == (st.SUCCEEDED, deal_states.PAID)
    assert ledger.balances(deal.id)["hold"] == cny("400000")

    with pytest.raises(Conflict, match="held until registration"):
        payments.record_payout(payment, market.admin, "BOC-PAYOUT-1")
    register(deal, market)
    assert deal.status == deal_states.COMPLETED
    with pytest.raises(Conflict, match="bank details"):  # the payout waits for the seller's bank account
        payments.record_payout(payment, market.admin, "BOC-PAYOUT-1")
    connect.save_bank_details(
        market.seller, market.seller, "陈教授", "中国银行 杭州分行", "6216610000001234567"
    )
    payments.record_payout(payment, market.admin, "BOC-PAYOUT-1")
    db.session.commit()

    balances = ledger.balances(deal.id)
    assert payment.status == st.PAID_OUT
    assert balances["seller"] == cny("380000.00")
    assert balances["fee"] == cny("20000.00")
    assert balances["hold"].amount == 0
    assert balances["buyer"] == cny("-400000")
    assert ledger.deal_total(deal.id) == 0
    assert [e.to_status for e in status_history(payment)] == [st.SUCCEEDED, st.PAID_OUT]
    assert reconcile.reconcile() == []
    assert verify_chain() is None


def test_only_the_buyer_starts_and_only_an_admin_records(market):
    deal = signed_deal(market)
    with pytest.raises(PermissionDenied):
        payments.start_payment(deal, market.seller)
    payment, _ = payments.start_payment(deal, market.buyer)
    with pytest.raises(PermissionDenied):
        payments.record_receipt(payment, market.buyer, "BOC-1", "400000")
    with pytest.raises(PaymentInvalid):
        payments.record_receipt(payment, market.admin, "BOC-1", "399999.99")
    assert payment.status == st.REQUIRES_PAYMENT
    assert ledger.balances(deal.id) == {}


def test_receipt_recorded_twice_moves_money_once(market):
    deal, payment = _paid(market)
    with pytest.raises(InvalidTransition):
        payments.record_receipt(payment, market.admin, "BOC-778812", "400000")
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 2


def test_no_payment_before_signing_or_on_a_paid_deal(market):
    deal, payment = _paid(market)
    with pytest.raises(Conflict):
        payments.start_payment(deal, market.buyer)


def test_full_refund_after_cancellation_returns_everything(market):
    deal, payment = _paid(market)
    with pytest.raises(Conflict, match="cancel the deal first"):
        payments.refund(payment, market.admin, "400000", "buyer withdrew")
    deals.cancel_deal(deal, market.admin, "The parties agreed to stop.")
    with pytest.raises(PermissionDenied):
        payments.refund(payment, market.seller, "400000", "buyer withdrew")
    payments.refund(payment, market.admin, "400000", "The parties agreed to stop.")
    db.session.commit()
    assert (payment.status, deal.money_status) == (st.REFUNDED, deal_states.REFUNDED)
    balances = ledger.balances(deal.id)
    assert balances["buyer"].amount == 0
    assert balances["hold"].amount == 0
    assert reconcile.reconcile() == []


def test_partial_refunds_then_the_rest(market):
    deal, payment = _paid(market)
    deals.cancel_deal(deal, market.admin, "The patent lapsed.")
    payments.refund(payment, market.admin, "150000", "Half of the fees were spent.")
    assert payment.status == st.PARTIALLY_REFUNDED
    assert payment.held == cny("250000")
    with pytest.raises(PaymentInvalid):
        payments.refund(payment, market.admin, "250000.01", "too much")
    payments.refund(payment, market.admin, "250000", "The rest after all.")
    db.session.commit()
    assert payment.status == st.REFUNDED
    assert deal.money_status == deal_states.REFUNDED
    assert ledger.deal_total(deal.id) == 0
    assert reconcile.reconcile() == []


def test_the_database_refuses_a_second_live_payment(market):
    deal, payment = _paid(market)
    twin = Payment(deal_id=deal.id, payer_id=market.buyer.id, provider="offline", status=st.REQUIRES_PAYMENT,
                   amount=Decimal(1), currency="CNY", fee_amount=Decimal(0), fee_version=0,
                   refunded_amount=Decimal(0), reference="IPEX-TWIN")  # fmt: skip
    db.session.add(twin)
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.flush()
    db.session.rollback()


def test_reconcile_reports_a_tampered_ledger(market, runner):
    deal, payment = _paid(market)
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.account == "hold"))
    entry.amount = Decimal("399000")
    db.session.commit()
    whats = {d.what for d in reconcile.reconcile()}
    assert {"ledger.hold", "ledger.total"} <= whats
    result = runner.invoke(args=["payments", "reconcile"])
    assert result.exit_code == 1
    assert "ledger.hold" in result.output


def test_no_payment_recorded_by_hand_beside_a_platform_payment(market):
    deal = signed_deal(market)
    payments.start_payment(deal, market.buyer)
    assert "mark_paid" not in deals.allowed_deal_actions(market.admin, deal)
    with pytest.raises(Conflict, match="payments page"):
        deals.mark_paid_manually(deal, market.admin, "BOC-HAND-1")
    assert deal.money_status == deal_states.UNPAID
