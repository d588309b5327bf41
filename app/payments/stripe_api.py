"""The one module that imports ``stripe``: thin calls that return plain dicts and raise our errors.

Amounts cross this boundary as integer minor units; every POST carries an idempotency key that
the caller derives from our own record, so a retry never charges or refunds twice.
"""

from __future__ import annotations

import stripe
from flask import current_app

from app.payments.errors import CardDeclined, ProviderRefused, ProviderUnavailable, SignatureRejected

WEBHOOK_TOLERANCE_SECONDS = 300


def _client(base_setting: str = "STRIPE_API_BASE") -> stripe.StripeClient:
    config = current_app.config
    base = config.get(base_setting) or config.get("STRIPE_API_BASE") or None
    addresses = {"api": base} if base else {}
    http = stripe.new_default_http_client(timeout=float(config.get("STRIPE_TIMEOUT_SECONDS", 30)))
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], base_addresses=addresses, max_network_retries=0,
                               http_client=http)  # fmt: skip


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
    if metadata.get("transfer_group") and current_app.config.get("STRIPE_INTENT_TRANSFER_GROUP", True):
        params["transfer_group"] = metadata["transfer_group"]  # the deal's payouts carry the same group
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


# ---- Connect: connected accounts, onboarding links, transfers and their reversals ----------------
# STRIPE_CONNECT_API_BASE (tests: the Connect stub) falls back to STRIPE_API_BASE, then to Stripe.


def _connect():
    return _client("STRIPE_CONNECT_API_BASE")


def _call_connect(func, *args, **kwargs) -> dict:
    """Like _call; a refusal (400/404: bad destination, too much to reverse) is not worth retrying."""
    try:
        return _call(func, *args, **kwargs)
    except ProviderUnavailable as error:
        cause = error.__cause__
        if isinstance(cause, stripe.InvalidRequestError):
            raise ProviderRefused(str(cause.user_message or cause)) from cause
        raise


def create_account(email: str | None, metadata: dict, key: str) -> dict:
    params = {"type": "express", "capabilities": {"transfers": {"requested": True}}, "metadata": metadata}
    if email:
        params["email"] = email
    return _call_connect(_connect().v1.accounts.create, params=params, options={"idempotency_key": key})


def retrieve_account(account_id: str) -> dict:
    return _call_connect(_connect().v1.accounts.retrieve, account_id)


def create_account_link(account_id: str, refresh_url: str, return_url: str, key: str) -> dict:
    params = {"account": account_id, "refresh_url": refresh_url, "return_url": return_url,
              "type": "account_onboarding"}  # fmt: skip
    return _call_connect(_connect().v1.account_links.create, params=params, options={"idempotency_key": key})


def create_transfer(amount_minor: int, currency: str, destination: str, group: str, metadata: dict,
                    key: str) -> dict:  # fmt: skip
    params = {"amount": amount_minor, "currency": currency.lower(), "destination": destination,
              "transfer_group": group, "metadata": metadata}  # fmt: skip
    return _call_connect(_connect().v1.transfers.create, params=params, options={"idempotency_key": key})


def retrieve_transfer(transfer_id: str) -> dict:
    return _call_connect(_connect().v1.transfers.retrieve, transfer_id)


def reverse_transfer(transfer_id: str, amount_minor: int, metadata: dict, key: str) -> dict:
    params = {"amount": amount_minor, "metadata": metadata}
    return _call_connect(_connect().v1.transfers.reversals.create, transfer_id, params=params,
                 options={"idempotency_key": key})  # fmt: skip
