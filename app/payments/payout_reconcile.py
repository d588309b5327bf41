"""Reconciliation of payouts: the ledger after transfers and reversals, and each transfer at the provider."""

from __future__ import annotations

from decimal import Decimal

from app.core.money import Money
from app.payments import payout_states as ps
from app.payments import payouts
from app.payments import states as st
from app.payments.models import Payment


def expected_balances(payment: Payment) -> dict[str, Money] | None:
    """What the ledger must hold once payouts exist (None: no payouts, the payment alone decides).

    Transferred parts (less reversals) sit with the seller side; the fee left the hold when the
    payment was paid out and comes back with refunds in proportion; the rest is held.
    """
    rows = payouts.payouts_of(payment)
    if not rows:
        return None
    zero = Money(Decimal(0), payment.currency)
    sent = [p for p in rows if p.status in (*ps.SENT, ps.REVERSED)]
    seller = sum((p.kept for p in sent), zero)
    reversed_total = sum((p.reversed for p in sent), zero)
    fee_moved = all(p.status in (*ps.SENT, ps.REVERSED) for p in rows) and payment.status != st.SUCCEEDED
    fee = payment.fee - (payment.refunded - reversed_total) if fee_moved else zero
    kept = payment.money - payment.refunded
    return {"buyer": -kept, "hold": kept - seller - fee, "seller": seller, "fee": fee}


def transfer_differences(payment: Payment, difference) -> list:
    """Each sent payout's transfer at the provider: amount, reversals, destination group."""
    result = []
    for payout in payouts.payouts_of(payment):
        if (
            payout.status in (*ps.SENT, ps.REVERSED)
            and not payout.transfer_ref
            and payout.provider == "stripe"
        ):
            result.append(difference(payout.reference, "transfer.missing", str(payout.money), "-"))
            continue
        remote = payouts.transfer_status(payout)
        if remote is None:
            continue
        amount = Money.from_minor_units(remote["amount"], remote["currency"].upper())
        reversed_ = Money.from_minor_units(remote["amount_reversed"], remote["currency"].upper())
        if amount != payout.money:
            result.append(difference(payout.reference, "transfer.amount", str(payout.money), str(amount)))
        if reversed_ != payout.reversed:
            result.append(
                difference(payout.reference, "transfer.reversed", str(payout.reversed), str(reversed_))
            )
        if remote.get("transfer_group") != payout.transfer_group:
            result.append(difference(payout.reference, "transfer.group", payout.transfer_group,
                                     str(remote.get("transfer_group"))))  # fmt: skip
    return result
