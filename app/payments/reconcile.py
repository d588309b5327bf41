"""Reconciliation: our payment records, the ledger, the deal's money status and the provider agree."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.core.money import Money
from app.extensions import db
from app.market import deal_states
from app.payments import ledger, payout_reconcile
from app.payments import states as st
from app.payments.models import Payment
from app.payments.providers import get_provider

RECEIVED = (st.SUCCEEDED, st.PAID_OUT, st.REFUNDED, st.PARTIALLY_REFUNDED)


@dataclass(frozen=True)
class Difference:
    payment_reference: str
    what: str  # e.g. "ledger.hold"
    ours: str
    theirs: str


def expected_balances(payment: Payment) -> dict[str, Money]:
    """What each ledger account must hold for this payment, from the payment record alone."""
    zero = Money(Decimal(0), payment.currency)
    if payment.status not in RECEIVED:
        return dict.fromkeys(("buyer", "hold", "seller", "fee"), zero)
    paid_out = payment.status == st.PAID_OUT
    kept = payment.money - payment.refunded
    return {
        "buyer": -kept,
        "hold": zero if paid_out else kept,
        "seller": payment.money - payment.fee if paid_out else zero,
        "fee": payment.fee if paid_out else zero,
    }


def _expected_deal_money(payment: Payment) -> str | None:
    if payment.royalty_invoice_id is not None:
        return None  # a royalty invoice's payment leaves the deal's money status alone
    if payment.status == st.REFUNDED:
        return deal_states.REFUNDED
    return deal_states.PAID if payment.status in RECEIVED else None


def check_payment(payment: Payment) -> list[Difference]:
    ref = payment.reference
    found = ledger.balances(payment.deal_id, payment.id if payment.royalty_invoice_id else None)
    wanted = payout_reconcile.expected_balances(payment) or expected_balances(payment)
    differences = [
        Difference(ref, f"ledger.{account}", str(money), str(found.get(account, money * 0)))
        for account, money in wanted.items()
        if found.get(account, money * 0) != money
    ]
    if ledger.deal_total(payment.deal_id) != 0:
        differences.append(Difference(ref, "ledger.total", "0", str(ledger.deal_total(payment.deal_id))))
    expected = _expected_deal_money(payment)
    if expected and payment.deal.money_status != expected:
        differences.append(Difference(ref, "deal.money_status", expected, payment.deal.money_status))
    return (
        differences
        + _provider_differences(payment)
        + payout_reconcile.transfer_differences(payment, Difference)
    )


def _provider_differences(payment: Payment) -> list[Difference]:
    view = get_provider(payment.provider).retrieve(payment)
    if view is None:
        return []
    ref, result = payment.reference, []
    received = payment.due if payment.status in RECEIVED else payment.money * 0
    if view.amount_received is not None and view.amount_received != received:
        result.append(Difference(ref, "provider.received", str(received), str(view.amount_received)))
    if view.amount_refunded is not None and view.amount_refunded != payment.refunded:
        result.append(Difference(ref, "provider.refunded", str(payment.refunded), str(view.amount_refunded)))
    return result


def reconcile() -> list[Difference]:
    """Every difference over all payments that reached or passed the provider (a read, no writes)."""
    payments = db.session.scalars(select(Payment).where(Payment.status.in_(st.LIVE)).order_by(Payment.id))
    return [difference for payment in payments for difference in check_payment(payment)]
