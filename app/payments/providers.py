"""The provider interface, a small registry, and the embedded ``offline`` (bank transfer) provider."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from flask import current_app
from flask_babel import get_locale

from app.core.money import Money
from app.payments.models import Payment


@dataclass(frozen=True)
class ProviderStep:
    """Where the provider says a payment stands, in our status words, and what the client needs."""

    status: str  # one of app.payments.states.STATUSES
    provider_ref: str | None = None
    client: dict = field(default_factory=dict)  # bank instructions, or the next action for the buyer
    amount_received: Money | None = None
    amount_refunded: Money | None = None


class PaymentProvider(Protocol):
    name: str

    def start(self, payment: Payment) -> ProviderStep:
        """Create the payment with the provider (idempotently, keyed on our record)."""

    def confirm(self, payment: Payment, method: str) -> ProviderStep:
        """Confirm server-side with a payment method the client collected."""

    def refund(self, payment: Payment, amount: Money, key: str) -> str | None:
        """Send ``amount`` back to the buyer; returns the provider's refund id, if it has one."""

    def retrieve(self, payment: Payment) -> ProviderStep | None:
        """The provider's current view of the payment, or None when only our records exist."""


class OfflineProvider:
    """Bank transfer: the buyer quotes our reference, an administrator records receipt and payout."""

    name = "offline"

    def start(self, payment: Payment) -> ProviderStep:
        return ProviderStep(status=payment.status, client=self.instructions(payment))

    def instructions(self, payment: Payment) -> dict:
        config = current_app.config
        return {
            "method": "bank_transfer",
            "account_name": in_reader_language(config, "PAYMENTS_BANK_ACCOUNT_NAME"),
            "bank": in_reader_language(config, "PAYMENTS_BANK_NAME"),
            "account_number": config["PAYMENTS_BANK_ACCOUNT_NUMBER"],
            "reference": payment.reference,
            "amount": payment.due.to_json(),
        }

    def confirm(self, payment: Payment, method: str) -> ProviderStep:
        return self.start(payment)  # nothing to confirm: the administrator records the receipt

    def refund(self, payment: Payment, amount: Money, key: str) -> str | None:
        return None  # the administrator sends the bank refund and records it

    def retrieve(self, payment: Payment) -> ProviderStep | None:
        return None


def in_reader_language(config, name: str) -> str:
    """A setting kept per language (NAME_ZH, NAME_EN): the reader's, else the other one."""
    zh = str(get_locale() or "zh").startswith("zh")
    first, second = ("_ZH", "_EN") if zh else ("_EN", "_ZH")
    return config.get(name + first) or config.get(name + second) or ""


def _stripe() -> PaymentProvider:
    from app.payments.stripe_provider import StripeProvider  # imports stripe only when configured

    return StripeProvider()


_FACTORIES: dict[str, Callable[[], PaymentProvider]] = {"offline": OfflineProvider, "stripe": _stripe}


def register(name: str, factory: Callable[[], PaymentProvider]) -> None:
    _FACTORIES[name] = factory


def get_provider(name: str) -> PaymentProvider:
    """The provider by name; an unknown name is a configuration bug and fails loudly."""
    try:
        return _FACTORIES[name]()
    except KeyError:
        raise LookupError(f"unknown payment provider {name!r}; known: {sorted(_FACTORIES)}") from None


def default_provider_name() -> str:
    """Stripe when a secret key is configured, else the embedded offline provider."""
    return "stripe" if current_app.config.get("STRIPE_SECRET_KEY") else "offline"
