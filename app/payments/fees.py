"""The platform's commission: one pure calculation used by quotes, payments and the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.core.money import Money

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class FeeTerms:
    """A commission rate in percent with a minimum, from one version of the fee schedule."""

    rate_percent: Decimal
    minimum: Money
    version: int  # the schedule version the terms came from (0: the built-in default)


@dataclass(frozen=True)
class FeeQuote:
    price: Money
    fee: Money
    seller_receives: Money
    terms: FeeTerms

    def to_json(self) -> dict:
        return {
            "price": self.price.to_json(),
            "fee": self.fee.to_json(),
            "seller_receives": self.seller_receives.to_json(),
            "rate_percent": str(self.terms.rate_percent),
            "minimum": self.terms.minimum.to_json(),
            "schedule_version": self.terms.version,
        }


def calculate_fee(price: Money, terms: FeeTerms) -> FeeQuote:
    """Commission = rate x price rounded half-up to the minor unit, at least the minimum, at most the price."""
    if terms.minimum.currency != price.currency:
        raise ValueError("fee minimum and price in different currencies")
    unit = Decimal(1).scaleb(-price.exponent)
    fee = Money((price.amount * terms.rate_percent / HUNDRED).quantize(unit, ROUND_HALF_UP), price.currency)
    fee = max(fee, terms.minimum.quantized(), key=lambda m: m.amount)
    fee = min(fee, price, key=lambda m: m.amount)  # never more than the price itself
    return FeeQuote(price=price, fee=fee, seller_receives=price - fee, terms=terms)
