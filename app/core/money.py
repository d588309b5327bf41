"""Exact money: a Decimal amount with its currency, and the one parser for amounts people type.

People write "12.5万", "1.2亿", "¥125,000.00" or "125000"; all become ``Money``. Amounts are kept as
Decimal with two places in ``Numeric(18, 2)`` columns beside a currency column; integer minor
units appear only at a payment boundary (``to_minor_units``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint

DEFAULT_CURRENCY = "CNY"
MAX_AMOUNT = Decimal("9999999999999999.99")  # what Numeric(18, 2) holds
CENT = Decimal("0.01")
# ISO 4217 exponents that are not 2 (the currencies our users may meet).
MINOR_UNIT_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "KWD": 3, "BHD": 3}
SCALE_WORDS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
# Currency signs and codes people put in front of an amount, and what they mean.
PREFIXES = {
    "CN¥": "CNY",
    "RMB": "CNY",
    "CNY": "CNY",
    "¥": "CNY",
    "￥": "CNY",
    "US$": "USD",
    "USD": "USD",
    "$": "USD",
    "EUR": "EUR",
    "€": "EUR",
}
_CURRENCY = re.compile(r"[A-Z]{3}")
_PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?")
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")


class MoneyError(ValueError):
    """An amount that cannot be read; the message is translated and says what to type.

    ``code`` lets callers word their own message: format, negative, places, too_large, currency.
    """

    def __init__(self, message: object | None = None, code: str = "format") -> None:
        self.code = code
        self.message = str(message or _l("Enter an amount such as 125000, 125,000.00 or 12.5万."))
        super().__init__(self.message)


class CurrencyMismatch(MoneyError):
    def __init__(self, left: str, right: str) -> None:
        message = _l("Amounts in %(left)s and %(right)s cannot be combined.", left=left, right=right)
        super().__init__(message, code="currency")


@dataclass(frozen=True, order=False)
class Money:
    """An exact amount in one currency; arithmetic and comparison only within that currency."""

    amount: Decimal
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        amount = self.amount if isinstance(self.amount, Decimal) else Decimal(str(self.amount))
        if not amount.is_finite():
            raise MoneyError()
        if not _CURRENCY.fullmatch(self.currency or ""):
            raise MoneyError(
                _l("A three-letter currency code (e.g. CNY) is required with an amount."), "currency"
            )
        object.__setattr__(self, "amount", amount)

    @classmethod
    def of(cls, amount: Decimal | int | str | None, currency: str | None) -> Money | None:
        """Money from a pair of columns, or None when the amount is empty."""
        return None if amount is None else cls(Decimal(str(amount)), currency or DEFAULT_CURRENCY)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("Money combines only with Money")
        if other.currency != self.currency:
            raise CurrencyMismatch(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, float | Money):
            raise TypeError("multiply Money by an int or a Decimal")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __str__(self) -> str:
        return f"{self.quantized().amount} {self.currency}"

    @property
    def exponent(self) -> int:
        return MINOR_UNIT_EXPONENTS.get(self.currency, 2)

    def quantized(self) -> Money:
        """Rounded to the currency's minor unit (half-even, as banks do)."""
        return Money(self.amount.quantize(Decimal(1).scaleb(-self.exponent)), self.currency)

    def to_minor_units(self) -> int:
        """Integer minor units (fen, cents) for a payment provider; refuses fractions of a unit."""
        scaled = self.amount.scaleb(self.exponent)
        if scaled != scaled.to_integral_value():
            raise MoneyError(_l("The amount has more decimals than the currency allows."), code="places")
        return int(scaled)

    @classmethod
    def from_minor_units(cls, units: int, currency: str = DEFAULT_CURRENCY) -> Money:
        exponent = MINOR_UNIT_EXPONENTS.get(currency, 2)
        return cls(Decimal(int(units)).scaleb(-exponent), currency)

    def to_json(self) -> dict[str, str]:
        """Money in JSON: a decimal string and the currency, never a float."""
        return {"amount": str(self.quantized().amount), "currency": self.currency}


def parse_money(text: str | Decimal | int, currency: str = DEFAULT_CURRENCY, *, places: int = 2) -> Money:
    """Read an amount as people type it; refuses negatives, more than ``places`` decimals and excess.

    "12.5万" -> 125000, "1.2亿" -> 120000000, "¥125,000.00", "125000" and "125000元" all work.
    A currency sign must agree with ``currency``. Raises MoneyError with a translated message.
    """
    if isinstance(text, bool) or text is None:
        raise MoneyError()
    if isinstance(text, int | Decimal):
        return _checked(Decimal(text), currency, places)
    # NFKC folds full-width digits and signs typed with a Chinese IME (１２５，０００ ￥) to ASCII.
    raw = re.sub(r"\s", "", unicodedata.normalize("NFKC", str(text)))
    raw, currency = _strip_currency(raw, currency)
    raw = raw.removesuffix("元").removesuffix("圆")
    if raw.startswith("-") and (_PLAIN.fullmatch(raw[1:]) or _GROUPED.fullmatch(raw[1:])):
        raise MoneyError(_l("Enter an amount of zero or more."), code="negative")
    scale = Decimal(1)
    if raw and raw[-1] in SCALE_WORDS:
        raw, scale = raw[:-1], SCALE_WORDS[raw[-1]]
    if not (_PLAIN.fullmatch(raw) or _GROUPED.fullmatch(raw)):
        raise MoneyError()
    try:
        amount = Decimal(raw.replace(",", "")) * scale
    except InvalidOperation as error:
        raise MoneyError() from error
    return _checked(amount, currency, places)


def _strip_currency(raw: str, currency: str) -> tuple[str, str]:
    for prefix, code in PREFIXES.items():
        if raw.upper().startswith(prefix):
            if code != currency:
                message = _l("The currency sign does not match %(currency)s.", currency=currency)
                raise MoneyError(message, code="currency")
            return raw[len(prefix) :], currency
    return raw, currency


def _checked(amount: Decimal, currency: str, places: int) -> Money:
    if not amount.is_finite() or amount < 0:
        raise MoneyError(_l("Enter an amount of zero or more."), code="negative")
    if amount > MAX_AMOUNT:
        raise MoneyError(_l("The amount is too large."), code="too_large")
    step = Decimal(1).scaleb(-places)
    if amount != amount.quantize(step):
        raise MoneyError(_l("Enter at most %(places)d decimals.", places=places), code="places")
    return Money(amount.quantize(step), currency)


def positive_amount_check(column: str, *, allow_null: bool = True) -> CheckConstraint:
    """A CHECK that an amount column is above zero (NULL allowed unless told otherwise)."""
    condition = f"{column} > 0"
    if allow_null:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=f"{column}_positive")
