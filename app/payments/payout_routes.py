"""Payout pages: the user's payout settings (onboarding or bank details) and payouts; an admin list."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.permissions import admin_required, login_required
from app.core.errors import DomainError
from app.core.page_actions import commit_or_flash
from app.core.pagination import paginate
from app.extensions import db
from app.market import deal_services
from app.market.deal_models import Deal
from app.payments import bp, connect, payouts
from app.payments import payout_states as ps
from app.payments.payout_forms import BankDetailsForm
from app.payments.payout_models import Payout
from app.payments.providers import default_provider_name


def _settings_url() -> str:
    return url_for("payments.payout_settings", _external=True)


def _render(form: BankDetailsForm | None = None, status: int = 200):
    provider = default_provider_name()
    account = connect.payout_account(current_user, provider)
    page = paginate(payouts.payouts_for(current_user))
    return render_template(
        "payments/payouts.html",
        provider=provider,
        account=account,
        form=form or BankDetailsForm(),
        page=page,
        status_label=ps.PAYOUT_LIFECYCLE.status_label,
        role_label=lambda role: str(ps.ROLE_LABELS.get(role, role)),
        waiting=any(p.status == ps.WAITING for p in page.items),
    ), status


@bp.get("/payouts")
@login_required
def payout_settings():
    """Where the user's payouts go and what was paid (a read: the provider is asked on POST only)."""
    return _render()


@bp.post("/payouts/onboard")
@login_required
def payout_onboard():
    try:
        _account, url = connect.start_onboarding(current_user, current_user, _settings_url(), _settings_url())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("payments.payout_settings"))
    # A link the user follows (not a redirect): the form-action CSP keeps form posts on our origin.
    return render_template("payments/onboard_continue.html", url=url)


@bp.post("/payouts/refresh")
@login_required
def payout_refresh():
    account = connect.payout_account(current_user, "stripe")
    if account is None:
        flash(_("Set up your payout account first."), "error")
        return redirect(url_for("payments.payout_settings"))
    if commit_or_flash(lambda: connect.refresh_account(account, current_user)):
        flash(_("Your payout account is ready.") if account.ready else
              _("Your payout account still needs details: continue the setup."), "success")  # fmt: skip
    return redirect(url_for("payments.payout_settings"))


@bp.post("/payouts/bank")
@login_required
def payout_bank():
    form = BankDetailsForm()
    if not form.validate_on_submit():
        return _render(form, 422)
    try:
        connect.save_bank_details(current_user, current_user, form.account_name.data, form.bank_name.data,
                                  form.account_number.data)  # fmt: skip
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        for name, message in error.fields.items():
            getattr(form, name, form.account_number).errors = [message]
        if not error.fields:
            flash(error.message, "error")
        return _render(form, 422)
    flash(_("Your bank details are saved."), "success")
    return redirect(url_for("payments.payout_settings"))


@bp.get("/admin/payouts")
@admin_required
def admin_payouts():
    rows = db.session.scalars(select(Payout).order_by(Payout.id.desc()).limit(200))
    return render_template("payments/admin_payouts.html", payouts=list(rows), status_label=ps.PAYOUT_LIFECYCLE.status_label,
                           payout_account_of=lambda p: connect.payout_account(p.recipient, p.provider))  # fmt: skip


@bp.post("/admin/payouts/<int:payout_id>/retry")
@admin_required
def admin_retry_payout(payout_id: int):
    payout = db.session.get(Payout, payout_id)
    if payout is None:
        abort(404)
    if commit_or_flash(lambda: payouts.retry_payout(payout, current_user)):
        if payout.status in ps.SENT:
            flash(_("The payout was sent."), "success")
        else:
            flash(_("The payout could not be sent yet; it will be tried again."), "error")
    return redirect(url_for("payments.admin_payouts"))


@bp.post("/admin/payouts/<int:payout_id>/bank")
@admin_required
def admin_bank_payout(payout_id: int):
    """Offline: the administrator made this recipient's bank transfer and records its reference."""
    payout = db.session.get(Payout, payout_id)
    if payout is None:
        abort(404)
    commit_or_flash(
        lambda: payouts.record_bank_payout(payout, current_user, request.form.get("bank_reference")),
        _("The payout is recorded."),
    )
    return redirect(url_for("payments.admin_payouts"))


@bp.post("/deals/<int:deal_id>/shares")
@login_required
def payout_shares(deal_id: int):
    """The seller names co-owners and a broker who receive part of the proceeds."""
    deal = db.session.get(Deal, deal_id)
    if deal is None or not deal_services.can_view_deal(current_user, deal):
        abort(404)
    form = request.form
    rows = [(role, form.get(f"{role}_email"), form.get(f"{role}_percent")) for role in ("co_owner", "broker")]
    commit_or_flash(
        lambda: payouts.set_shares_by_email(deal, current_user, rows),
        _("The split of the proceeds is saved."),
    )
    return redirect(url_for("market.deal_detail", deal_id=deal.id) + "#pay-h")
