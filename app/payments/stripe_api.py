"""The one module that imports ``stripe``: thin calls that return plain dicts and raise our errors.

Amounts cross this boundary as integer minor units; every POST carries an idempotency key that
the caller derives from our own record, so a retry never charges or refunds twice.
"""

from __future__ import annotations

import stripe
from flask import current_app

from app.payments.errors import CardDeclined, ProviderUnavailable, SignatureRejected

WEBHOOK_TOLERANCE_SECONDS = 300


def _client() -> stripe.StripeClient:
    config = current_app.config
    base = config.get("STRIPE_API_BASE") or None
    addresses = {"api": base} if base else {}
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], base_addresses=addresses, max_network_retries=0)


def _call(func, *args, **kwargs) -> dict:
    try:
        return func(*args, **kwargs).to_dict()
    except stripe.CardError as error:
        raise CardDeclined(error.code or "card_declined") from error
    except stripe.StripeError as error:
        raise ProviderUnavailable(str(error.user_message or error)) from error


def create_intent(
    amount_minor: int, currency: str, metadata: dict, key: str, capture_method: str | None = None
) -> dict:
    params = {
        "amount": amount_minor,
        "currency": currency.lower(),
        "payment_method_types": list(current_app.config["STRIPE_PAYMENT_METHOD_TYPES"]),
        "metadata": metadata,
    }
    if capture_method:  # "manual": a card hold, captured or cancelled later
        params["capture_method"] = capture_method
    return _call(_client().v1.payment_intents.create, params=params, options={"idempotency_key": key})


def retrieve_intent(intent_id: str) -> dict:
    return _call(_client().v1.payment_intents.retrieve, intent_id, params={"expand": ["latest_charge"]})


def confirm_intent(intent_id: str, payment_method: str, key: str) -> dict:
    """Attach the payment method, then confirm server-side (two POSTs, each with its own key)."""
    client = _client()
    _call(client.v1.payment_intents.update, intent_id, params={"payment_method": payment_method},
          options={"idempotency_key": f"{key}-attach"})  # fmt: skip
    return _call(client.v1.payment_intents.confirm, intent_id, options={"idempotency_key": f"{key}-confirm"})


def capture_intent(intent_id: str, key: str) -> dict:
    return _call(_client().v1.payment_intents.capture, intent_id, options={"idempotency_key": key})


def cancel_intent(intent_id: str, key: str) -> dict:
    """Release an uncaptured hold: nothing is charged."""
    return _call(_client().v1.payment_intents.cancel, intent_id, options={"idempotency_key": key})


def create_refund(intent_id: str, amount_minor: int, key: str) -> dict:
    params = {"payment_intent": intent_id, "amount": amount_minor}
    return _call(_client().v1.refunds.create, params=params, options={"idempotency_key": key})


def verify_event(payload: bytes, signature: str | None) -> dict:
    """The event if the signature over the raw body is valid and fresh, else SignatureRejected."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret or not signature:
        raise SignatureRejected()
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret, WEBHOOK_TOLERANCE_SECONDS)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise SignatureRejected() from error
    return event.to_dict()
