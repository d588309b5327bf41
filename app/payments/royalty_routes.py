"""Royalty pages: the schedule with reports and invoices, the licensee's report and pay actions. Thin."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import login_required
from app.core.errors import DomainError, NotFound
from app.core.page_actions import commit_or_flash
from app.extensions import db
from app.market.deal_models import Deal
from app.payments import bp, royalties
from app.payments import states as st
from app.payments.panel import TEST_METHODS
from app.payments.providers import OfflineProvider
from app.payments.royalty_forms import RoyaltyReportForm


def _deal(deal_id: int) -> Deal:
    deal = db.session.get(Deal, deal_id)
    if deal is None or not royalties.can_read(current_user, deal) or royalties.schedule_of(deal) is None:
        abort(404)
    return deal


def royalty_panel(deal: Deal, form: RoyaltyReportForm | None = None) -> dict | None:
    """What the deal page and the royalties page show; a read only."""
    if not royalties.can_read(current_user, deal):
        return None
    view = royalties.overview(deal)
    if view is None:
        return None
    licensee = royalties.is_licensee(current_user, deal)
    form = form or RoyaltyReportForm()
    form.period.choices = [(str(p.number), _("Period %(number)s: %(start)s to %(end)s", number=p.number,
                            start=p.starts_on.isoformat(), end=p.ends_on.isoformat()))
                           for p in view["reportable"]]  # fmt: skip
    return view | {
        "licensee": licensee,
        "form": form if licensee and view["reportable"] else None,
        "instructions": lambda payment: OfflineProvider().instructions(payment),
        "open_statuses": st.OPEN,
        "test_methods": TEST_METHODS,
    }


def _page(deal: Deal, form: RoyaltyReportForm | None = None):
    return render_template("payments/royalties.html", deal=deal, royalty=royalty_panel(deal, form))


@bp.get("/deals/<int:deal_id>/royalties")
@login_required
def royalties_page(deal_id: int):
    return _page(_deal(deal_id))


@bp.post("/deals/<int:deal_id>/royalties")
@login_required
def royalty_report(deal_id: int):
    deal = _deal(deal_id)
    form = RoyaltyReportForm()
    if form.validate_on_submit():
        try:
            royalties.report_sales(deal, current_user, form.period.data, form.net_sales.data, form.note.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            for name, message in (error.fields or {"net_sales": error.message}).items():
                getattr(form, name, form.net_sales).errors = [message]
            return _page(deal, form), 400
        flash(_("Your report is recorded and the invoice issued."), "success")
        return redirect(url_for("payments.royalties_page", deal_id=deal.id))
    return _page(deal, form), 400


@bp.post("/royalty-invoices/<int:invoice_id>/pay")
@login_required
def royalty_pay(invoice_id: int):
    try:
        invoice = royalties.get_invoice(invoice_id)
    except NotFound:
        abort(404)
    deal = invoice.period.schedule.deal
    if not royalties.can_read(current_user, deal):
        abort(404)
    commit_or_flash(
        lambda: royalties.start_invoice_payment(invoice, current_user),
        _("Your payment is ready: follow the steps below."),
    )
    return redirect(url_for("payments.royalties_page", deal_id=deal.id))
