"""Splitting a deal's seller proceeds, and a refund's take-back, between recipients: pure Decimal.

The remainder-cent rule: every co-owner and broker receives their percentage of the proceeds
rounded *down* to the currency's minor unit; the seller receives what is left, so the parts always
add up to the proceeds exactly and any leftover cents go to the seller. A refund takes back from
each recipient in proportion to what they still hold, by the same rule (the seller absorbs the
leftover cents, never more than they hold), and a refund of everything takes back every part whole.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from app.core.money import Money

HUNDRED = Decimal(100)


def _unit(money: Money) -> Decimal:
    return Decimal(1).scaleb(-money.exponent)


def split_proceeds(total: Money, shares: dict, seller) -> dict:
    """``shares`` maps each other recipient to a percentage; returns every recipient's Money."""
    unit = _unit(total)
    parts = {key: Money((total.amount * pct / HUNDRED).quantize(unit, ROUND_DOWN), total.currency)
             for key, pct in shares.items()}  # fmt: skip
    rest = total - sum((m for m in parts.values()), Money(Decimal(0), total.currency))
    if rest.amount < 0:
        raise ValueError("the shares exceed the proceeds")
    return {seller: rest, **parts}


def fee_take_back(amount: Money, price: Money, fee_kept: Money, everything: bool) -> Money:
    """The platform fee's part of a refund: in proportion to the price, half-up; all of it at the end."""
    if everything:
        return fee_kept
    share = (amount.amount * fee_kept.amount / price.amount).quantize(_unit(amount), ROUND_HALF_UP)
    return Money(min(share, fee_kept.amount, amount.amount), amount.currency)


def split_take_back(amount: Money, kept: dict, seller) -> dict:
    """Take ``amount`` back from recipients in proportion to what each keeps (see the module rule)."""
    total = sum((m.amount for m in kept.values()), Decimal(0))
    if amount.amount > total:
        raise ValueError("taking back more than was paid out")
    if amount.amount == total:
        return dict(kept)
    unit = _unit(amount)
    parts = {key: (amount.amount * m.amount / total).quantize(unit, ROUND_DOWN)
             for key, m in kept.items() if key != seller}  # fmt: skip
    parts[seller] = amount.amount - sum(parts.values(), Decimal(0))
    excess = parts[seller] - kept[seller].amount
    for key in parts:  # the seller holds too little for the leftover cents: the others take them
        if excess <= 0:
            break
        if key != seller:
            extra = min(excess, kept[key].amount - parts[key])
            parts[key] += extra
            parts[seller] -= extra
            excess -= extra
    return {key: Money(value, amount.currency) for key, value in parts.items()}
