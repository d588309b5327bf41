"""Payment pages: the webhook endpoint, the buyer's pay actions and the administrators' payments page."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.permissions import admin_required, login_required
from app.core.errors import DomainError
from app.core.page_actions import commit_or_flash
from app.extensions import csrf, db, limiter
from app.market import deal_services
from app.market.deal_models import Deal
from app.payments import bp, reconcile, services, stripe_api, webhooks
from app.payments import states as st
from app.payments.errors import CardDeclined, SignatureRejected
from app.payments.models import Payment


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


def _deal(deal_id: int) -> Deal:
    deal = db.session.get(Deal, deal_id)
    if deal is None or not deal_services.can_view_deal(current_user, deal):
        abort(404)
    return deal


def _payment(payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or not deal_services.can_view_deal(current_user, payment.deal):
        abort(404)
    return payment


def _to_deal(deal: Deal):
    return redirect(url_for("market.deal_detail", deal_id=deal.id) + "#pay-h")


@bp.post("/deals/<int:deal_id>/start")
@login_required
def start(deal_id: int):
    deal = _deal(deal_id)
    commit_or_flash(
        lambda: services.start_payment(deal, current_user),
        _("Your payment is ready: follow the steps below."),
    )
    return _to_deal(deal)


@bp.post("/<int:payment_id>/confirm")
@login_required
def confirm(payment_id: int):
    payment = _payment(payment_id)
    method = request.form.get("payment_method", "")
    if commit_or_flash(lambda: services.confirm_payment(payment, current_user, method), None):
        if payment.status == st.FAILED:  # the decline is recorded (nothing paid); the buyer is told
            flash(CardDeclined().message, "error")
        else:
            flash(_("The payment was sent to the card issuer."), "success")
    return _to_deal(payment.deal)


@bp.post("/<int:payment_id>/refresh")
@login_required
def refresh(payment_id: int):
    payment = _payment(payment_id)
    commit_or_flash(
        lambda: services.sync_payment(payment, current_user), _("The payment status was checked.")
    )
    return _to_deal(payment.deal)


@bp.get("/admin")
@admin_required
def admin_payments():
    return _admin_page()


def _admin_page(entered: dict | None = None, status: int = 200):
    """The administrators' payments page; ``entered`` keeps a refused form's input in its row."""
    rows = db.session.scalars(select(Payment).order_by(Payment.id.desc()).limit(200))
    return render_template(
        "payments/admin.html",
        payments=list(rows),
        status_label=st.PAYMENT_LIFECYCLE.status_label,
        differences=reconcile.reconcile(),
        entered=entered or {},
    ), status


@bp.post("/admin/<int:payment_id>/<any(receipt, payout, refund):action>")
@admin_required
def admin_action(payment_id: int, action: str):
    payment = _payment(payment_id)
    form = request.form
    verbs = {
        "receipt": (lambda: services.record_receipt(payment, current_user, form.get("bank_reference"),
                                                    form.get("amount")), _("The receipt is recorded.")),
        "payout": (lambda: services.record_payout(payment, current_user, form.get("bank_reference")),
                   _("The payout is recorded.")),
        "refund": (lambda: services.refund(payment, current_user, form.get("amount"), form.get("reason")),
                   _("The refund is recorded.")),
    }  # fmt: skip
    work, success = verbs[action]
    try:
        work()
        db.session.commit()
    except DomainError as error:  # refused: the page again with what was typed and why, beside the field
        db.session.rollback()
        typed = {name: form.get(name, "") for name in ("bank_reference", "amount", "reason")}
        return _admin_page({"payment_id": payment_id, "action": action, **typed,
                            "errors": field_errors(error, typed)}, 422)  # fmt: skip
    flash(success, "success")
    return redirect(url_for("payments.admin_payments"))


def field_errors(error: DomainError, fields) -> dict[str, str]:
    """The refusal's messages by form field; what names no field of the form is flashed."""
    placed = {name: message for name, message in (error.fields or {}).items() if name in fields}
    if len(placed) < len(error.fields or {}) or not error.fields:
        rest = [m for n, m in (error.fields or {}).items() if n not in placed]
        flash(" ".join(rest) or error.message, "error")
    return placed
