"""Deposit pages: the bidder's deposit page and actions, the administrators' deposit list. Thin."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.permissions import admin_required, login_required
from app.core.errors import DomainError, NotFound
from app.core.page_actions import commit_or_flash
from app.extensions import db
from app.market.auction_models import Auction
from app.market.listing_services import can_view_listing
from app.payments import bp, deposits
from app.payments import deposit_states as ds
from app.payments.deposit_models import AuctionDeposit
from app.payments.panel import TEST_METHODS
from app.payments.routes import field_errors
from app.payments.stripe_js import publishable_key


def _auction(auction_id: int) -> Auction:
    auction = db.session.get(Auction, auction_id)
    if auction is None or not can_view_listing(current_user, auction.listing):
        raise NotFound(_("There is no such auction."))
    return auction


def _own_deposit(deposit_id: int) -> AuctionDeposit:
    deposit = deposits.get_deposit(deposit_id)
    if deposit.bidder_id != current_user.id:
        raise NotFound(_("There is no such deposit."))
    return deposit


def _to_page(auction_id: int):
    return redirect(url_for("payments.deposit_page", auction_id=auction_id))


@bp.get("/auctions/<int:auction_id>/deposit")
@login_required
def deposit_page(auction_id: int):
    auction = _auction(auction_id)
    terms = deposits.terms_for(auction)
    deposit = deposits.deposit_of(auction, current_user)
    is_open = deposit is not None and deposit.status in ds.OPEN
    card_open = is_open and deposit.provider == "stripe" and deposit.status != ds.REQUIRES_ACTION
    return render_template(
        "payments/deposit.html",
        auction=auction,
        terms=terms,
        deposit=deposit,
        status_label=ds.DEPOSIT_LIFECYCLE.status_label,
        instructions=deposits.instructions(deposit) if is_open and deposit.provider == "offline" else None,
        card_open=card_open,
        client_secret=deposits.client_secret(deposit) if card_open and publishable_key() else None,
        needs_action=deposit is not None and deposit.status == ds.REQUIRES_ACTION,
        test_methods=TEST_METHODS if _test_key() else (),
        deadline_days=terms.payment_days if terms else None,
    )


def _test_key() -> bool:
    from flask import current_app

    return current_app.config.get("STRIPE_SECRET_KEY", "").startswith("sk_test_")


@bp.post("/auctions/<int:auction_id>/deposit")
@login_required
def deposit_start(auction_id: int):
    auction = _auction(auction_id)
    commit_or_flash(
        lambda: deposits.start_deposit(auction, current_user),
        _("Your deposit is ready: follow the steps below."),
    )
    return _to_page(auction_id)


@bp.post("/deposits/<int:deposit_id>/confirm")
@login_required
def deposit_confirm(deposit_id: int):
    deposit = _own_deposit(deposit_id)
    method = request.form.get("payment_method", "")
    commit_or_flash(
        lambda: deposits.confirm_deposit(deposit, current_user, method),
        _("The payment was sent to the card issuer."),
    )
    return _to_page(deposit.auction_id)


@bp.post("/deposits/<int:deposit_id>/refresh")
@login_required
def deposit_refresh(deposit_id: int):
    deposit = _own_deposit(deposit_id)
    commit_or_flash(
        lambda: deposits.sync_deposit(deposit, current_user), _("The payment status was checked.")
    )
    return _to_page(deposit.auction_id)


@bp.get("/admin/deposits")
@admin_required
def admin_deposits():
    return _deposits_page()


def _deposits_page(entered: dict | None = None, status: int = 200):
    """The administrators' deposit list; ``entered`` keeps a refused form's input and reasons in its row."""
    rows = db.session.scalars(select(AuctionDeposit).order_by(AuctionDeposit.id.desc()).limit(200))
    return render_template(
        "payments/admin_deposits.html",
        deposits=list(rows),
        status_label=ds.DEPOSIT_LIFECYCLE.status_label,
        returnable=deposits.returnable,
        entered=entered or {},
    ), status


@bp.post("/admin/deposits/<int:deposit_id>/<any(receipt, refund):action>")
@admin_required
def admin_deposit_action(deposit_id: int, action: str):
    deposit = deposits.get_deposit(deposit_id)
    form = request.form
    try:
        if action == "receipt":
            deposits.record_receipt(deposit, current_user, form.get("bank_reference"), form.get("amount"))
        else:
            deposits.record_refund(deposit, current_user, form.get("bank_reference"))
        db.session.commit()
    except DomainError as error:  # refused: the list again with what was typed and why, beside the field
        db.session.rollback()
        typed = {name: form.get(name, "") for name in ("bank_reference", "amount")}
        return _deposits_page({"deposit_id": deposit_id, "action": action, **typed,
                               "errors": field_errors(error, typed)}, 422)  # fmt: skip
    flash(_("The receipt is recorded.") if action == "receipt" else _("The refund is recorded."), "success")
    return redirect(url_for("payments.admin_deposits"))
