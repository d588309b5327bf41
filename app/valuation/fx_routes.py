"""Administrators' page for the dated exchange-rate table valuations convert with."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import admin_required
from app.core.errors import DomainError
from app.extensions import db
from app.valuation import fx
from app.valuation.fx_forms import FxRateForm

bp = Blueprint("fx", __name__, url_prefix="/admin/fx-rates")


@bp.before_request
@admin_required
def guard():
    """Administrators only."""


@bp.route("", methods=["GET", "POST"])
def rates():
    form = FxRateForm()
    if form.validate_on_submit():
        try:
            fx.add_rate(
                form.currency.data,
                form.rate_to_cny.data,
                form.effective_on.data,
                form.source.data,
                current_user,
            )
        except DomainError as error:
            db.session.rollback()
            form.effective_on.errors = [*form.effective_on.errors, error.message]
        else:
            db.session.commit()
            flash(_("Exchange rate saved. Valuations dated on or after it will use it."), "success")
            return redirect(url_for(".rates"))
    return render_template("valuation/fx_rates.html", form=form, rates=fx.rates()), (
        422 if form.errors else 200
    )
