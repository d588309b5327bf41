"""Stripe webhook events: applied once each, in any order, in the same transaction as their record.

An event is only a hint: the handler re-fetches the PaymentIntent and follows the provider's
current view, so a late ``payment_failed`` after ``succeeded`` changes nothing, and a replay
finds its event id already recorded (a unique index backs this against concurrent deliveries).
"""

from __future__ import annotations

from sqlalchemy import select

from app.core.actors import system_actor
from app.extensions import db
from app.payments import connect, services
from app.payments.models import ProviderEvent

PROVIDER = "stripe"


def _sync_intent(intent: dict) -> None:
    payment = services.payment_by_provider_ref(PROVIDER, intent["id"])
    if payment is not None:
        services.sync_payment(payment, system_actor())
        return
    from app.payments import deposits  # an auction deposit's intent

    deposit = deposits.deposit_by_provider_ref(intent["id"])
    if deposit is not None:
        deposits.sync_deposit(deposit, system_actor())


HANDLERS = {
    "payment_intent.succeeded": _sync_intent,
    "payment_intent.payment_failed": _sync_intent,
    "payment_intent.processing": _sync_intent,
    "payment_intent.requires_action": _sync_intent,
    "payment_intent.canceled": _sync_intent,
    "payment_intent.amount_capturable_updated": _sync_intent,  # a deposit's card hold is in place
    "account.updated": lambda account: connect.account_updated(account, system_actor()),
}


def already_applied(event_id: str) -> bool:
    query = select(ProviderEvent.id).where(
        ProviderEvent.provider == PROVIDER, ProviderEvent.event_id == event_id
    )
    return db.session.scalar(query) is not None


def apply_event(event: dict) -> str:
    """Record the event id and apply its effect in the caller's transaction; flushes, never commits."""
    if already_applied(event["id"]):
        return "duplicate"
    db.session.add(ProviderEvent(provider=PROVIDER, event_id=event["id"], event_type=event["type"]))
    db.session.flush()  # a concurrent delivery of the same id fails here, before any effect
    handler = HANDLERS.get(event["type"])
    if handler is None:
        return "ignored"
    handler(event["data"]["object"])
    return "applied"
