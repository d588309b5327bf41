"""The ``stripe`` provider: PaymentIntents created and confirmed server-side through stripe_api."""

from __future__ import annotations

from flask import current_app

from app.core.money import Money
from app.payments import states as st
from app.payments import stripe_api
from app.payments.errors import CardDeclined
from app.payments.models import Payment
from app.payments.payouts import transfer_group
from app.payments.providers import ProviderStep

# Stripe's PaymentIntent statuses in our words (automatic capture: requires_capture is still open).
_STATUS = {
    "requires_payment_method": st.REQUIRES_PAYMENT,
    "requires_confirmation": st.REQUIRES_PAYMENT,
    "requires_action": st.REQUIRES_ACTION,
    "processing": st.PROCESSING,
    "requires_capture": st.PROCESSING,
    "succeeded": st.SUCCEEDED,
    "canceled": st.CANCELLED,
}


def step_from_intent(intent: dict) -> ProviderStep:
    """Our view of a PaymentIntent; a declined attempt shows as requires_payment_method with an error."""
    status = _STATUS[intent["status"]]
    if status == st.REQUIRES_PAYMENT and intent.get("last_payment_error"):
        status = st.FAILED
    currency = intent["currency"].upper()
    charge = intent.get("latest_charge") if isinstance(intent.get("latest_charge"), dict) else None
    received = refunded = None
    if charge is not None:
        captured = charge["amount"] if charge.get("status") == "succeeded" else 0
        received = Money.from_minor_units(captured, currency)
        refunded = Money.from_minor_units(charge.get("amount_refunded", 0), currency)
    client = {"method": "card", "client_secret": intent.get("client_secret"), "status": status,
              "next_action": intent.get("next_action"),
              "publishable_key": current_app.config.get("STRIPE_PUBLISHABLE_KEY") or None}  # fmt: skip
    return ProviderStep(status, intent["id"], client, received, refunded)


class StripeProvider:
    name = "stripe"

    def start(self, payment: Payment) -> ProviderStep:
        if payment.provider_ref:
            return step_from_intent(stripe_api.retrieve_intent(payment.provider_ref))
        metadata = {"payment_reference": payment.reference, "deal_id": str(payment.deal_id),
                    "transfer_group": transfer_group(payment.deal_id)}  # fmt: skip
        intent = stripe_api.create_intent(
            payment.due.to_minor_units(), payment.currency, metadata, payment.idempotency_key("create")
        )
        return step_from_intent(intent)

    def confirm(self, payment: Payment, method: str) -> ProviderStep:
        key = payment.idempotency_key(f"confirm-{method}")
        try:
            intent = stripe_api.confirm_intent(payment.provider_ref, method, key)
        except CardDeclined:
            intent = stripe_api.retrieve_intent(payment.provider_ref)  # declined: the intent says so
        return step_from_intent(intent)

    def refund(self, payment: Payment, amount: Money, key: str) -> str | None:
        return stripe_api.create_refund(payment.provider_ref, amount.to_minor_units(), key)["id"]

    def retrieve(self, payment: Payment) -> ProviderStep | None:
        if not payment.provider_ref:
            return None
        return step_from_intent(stripe_api.retrieve_intent(payment.provider_ref))
