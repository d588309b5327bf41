"""The double-entry ledger: every movement is a set of legs that sum to zero; balances are derived."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from app.core.money import Money
from app.extensions import db
from app.payments.models import LedgerEntry, Payment


def post(payment: Payment, movement: str, key: str, legs: dict[str, Money]) -> list[LedgerEntry]:
    """Write one balanced movement of a deal's payment once (see ``post_scoped``)."""
    return post_scoped(movement, key, legs, deal_id=payment.deal_id, payment_id=payment.id)


def post_scoped(
    movement: str, key: str, legs: dict[str, Money], *, deal_id=None, payment_id=None, deposit_id=None
) -> list[LedgerEntry]:
    """Write one balanced movement once; a repeated ``key`` returns the existing legs untouched."""
    existing = list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.posting_key == key)))
    if existing:
        return existing
    if sum((m.amount for m in legs.values()), Decimal(0)) != 0:
        raise ValueError(f"unbalanced movement {key}: {legs}")
    entries = [
        LedgerEntry(
            deal_id=deal_id,
            payment_id=payment_id,
            deposit_id=deposit_id,
            movement=movement,
            posting_key=key,
            account=account,
            amount=money.amount,
            currency=money.currency,
        )
        for account, money in legs.items()
        if money.amount != 0
    ]
    db.session.add_all(entries)
    db.session.flush()
    return entries


def post_receipt(payment: Payment) -> None:
    """The buyer's money arrived: buyer -> platform hold."""
    post(payment, "receipt", f"payment-{payment.id}-receipt", {"buyer": -payment.due, "hold": payment.due})


def post_payout(payment: Payment) -> None:
    """After registration: hold -> seller (price less fee) and hold -> fee."""
    share = payment.money - payment.refunded - payment.fee
    post(payment, "payout", f"payment-{payment.id}-payout", {"hold": -share, "seller": share})
    post(payment, "fee", f"payment-{payment.id}-fee", {"hold": -payment.fee, "fee": payment.fee})


def post_refund(payment: Payment, amount: Money, key: str) -> None:
    """Money back to the buyer from the hold."""
    post(payment, "refund", key, {"hold": -amount, "buyer": amount})


def balances(deal_id: int, payment_id: int | None = None) -> dict[str, Money]:
    """Each account's balance for one deal's upfront price (or, with ``payment_id``, one payment)."""
    query = select(LedgerEntry.account, LedgerEntry.currency, func.sum(LedgerEntry.amount))
    if payment_id is not None:
        query = query.where(LedgerEntry.payment_id == payment_id)
    else:  # royalty invoices' payments are kept apart from the upfront price
        query = query.outerjoin(Payment, Payment.id == LedgerEntry.payment_id).where(
            LedgerEntry.deal_id == deal_id, Payment.royalty_invoice_id.is_(None)
        )
    rows = db.session.execute(query.group_by(LedgerEntry.account, LedgerEntry.currency))
    return {account: Money(Decimal(total), currency) for account, currency, total in rows}


def deposit_balances(deposit_id: int) -> dict[str, Money]:
    """Each account's balance for one auction deposit, summed from its entries."""
    rows = db.session.execute(
        select(LedgerEntry.account, LedgerEntry.currency, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.deposit_id == deposit_id)
        .group_by(LedgerEntry.account, LedgerEntry.currency)
    )
    return {account: Money(Decimal(total), currency) for account, currency, total in rows}


def deal_total(deal_id: int) -> Decimal:
    """The sum of every entry of a deal: zero unless the ledger is broken."""
    total = db.session.scalar(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.deal_id == deal_id))
    return Decimal(total or 0)
