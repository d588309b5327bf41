"""Payment pages: the webhook endpoint, the buyer's pay actions and the administrators' payments page."""

from __future__ import annotations

from flask import abort, jsonify, request
from sqlalchemy.exc import IntegrityError

from app.extensions import csrf, db, limiter
from app.payments import bp, stripe_api, webhooks
from app.payments.errors import SignatureRejected


@bp.post("/stripe/webhook")
@csrf.exempt
@limiter.exempt
def stripe_webhook():
    """Stripe signs the raw body: a bad or stale signature gets 400 and changes nothing."""
    try:
        event = stripe_api.verify_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except SignatureRejected:
        abort(400)
    try:
        outcome = webhooks.apply_event(event)
        db.session.commit()
    except IntegrityError:  # the same event id was applied concurrently: this delivery is a replay
        db.session.rollback()
        outcome = "duplicate"
    return jsonify({"received": True, "outcome": outcome})
