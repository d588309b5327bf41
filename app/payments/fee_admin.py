"""The administrators' fee-schedule form: each save is a new version, as a draft or applied at once.

The rules are read here (field messages in both languages) and handed to ``fee_schedule``, which
keeps every version and applies the active one to quotes, payments and the ledger alike.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.accounts.permissions import admin_required
from app.core.errors import DomainError, NotFound
from app.core.money import MoneyError, parse_money
from app.extensions import db
from app.market.listing_forms import MECHANISM_LABELS, RIGHT_LABELS
from app.payments import bp, fee_schedule
from app.payments.models import FeeScheduleVersion

RULE_ROWS = 8
ANY = ""


class RuleForm(Form):
    """One rule: a commission for a right type and price mechanism (empty: any)."""

    right_type = SelectField(_l("Right type"), choices=[], validators=[Optional()])
    price_mechanism = SelectField(_l("Price mechanism"), choices=[], validators=[Optional()])
    rate_percent = StringField(_l("Commission rate (percent)"), validators=[Optional(), Length(max=12)])
    minimum_amount = StringField(_l("Minimum fee (CNY)"), validators=[Optional(), Length(max=40)])

    def used(self) -> bool:
        return bool((self.rate_percent.data or "").strip() or (self.minimum_amount.data or "").strip())

    def read(self) -> dict | None:
        """The rule as the schedule takes it, or None with messages on the fields."""
        rate = self._rate()
        minimum = self._minimum()
        if rate is None or minimum is None:
            return None
        return {"right_type": self.right_type.data or None, "price_mechanism": self.price_mechanism.data or None,
                "rate_percent": str(rate), "minimum_amount": str(minimum), "currency": "CNY"}  # fmt: skip

    def _rate(self) -> Decimal | None:
        text = (self.rate_percent.data or "").strip().removesuffix("%").strip()
        try:
            rate = Decimal(text)
        except InvalidOperation:
            rate = None
        if rate is None or not rate.is_finite() or not 0 <= rate <= 100 or rate.as_tuple().exponent < -3:
            self.rate_percent.errors = [_("Enter a percentage between 0 and 100, at most three decimals.")]
            return None
        return rate

    def _minimum(self) -> Decimal | None:
        text = (self.minimum_amount.data or "").strip() or "0"
        try:
            return parse_money(text, "CNY").amount
        except MoneyError as error:
            self.minimum_amount.errors = [error.message]
            return None


class FeeScheduleForm(FlaskForm):
    rules = FieldList(FormField(RuleForm), min_entries=RULE_ROWS, max_entries=RULE_ROWS)
    note = TextAreaField(_l("Note (why this change)"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        rights = [(ANY, _l("Any right type")), *RIGHT_LABELS.items()]
        mechanisms = [(ANY, _l("Any price mechanism")), *MECHANISM_LABELS.items()]
        for entry in self.rules:
            entry.form.right_type.choices = rights
            entry.form.price_mechanism.choices = mechanisms

    def fill(self, schedule: FeeScheduleVersion | None) -> None:
        for entry, rule in zip(self.rules, schedule.rules if schedule else [], strict=False):
            entry.form.right_type.data = rule.right_type or ANY
            entry.form.price_mechanism.data = rule.price_mechanism or ANY
            entry.form.rate_percent.data = f"{rule.rate_percent.normalize():f}"
            entry.form.minimum_amount.data = f"{rule.minimum_amount:.2f}"

    def read(self) -> list[dict] | None:
        """Every filled row as a rule, or None with messages on the rows."""
        rules, seen, ok = [], set(), True
        for entry in self.rules:
            if not entry.form.used():
                continue
            rule = entry.form.read()
            if rule is None:
                ok = False
                continue
            key = (rule["right_type"], rule["price_mechanism"])
            if key in seen:
                entry.form.right_type.errors = [
                    _("Another row already covers this right type and price mechanism.")
                ]
                ok = False
            seen.add(key)
            rules.append(rule)
        if ok and not rules:
            self.note.errors = [_("Fill in at least one rule.")]
            ok = False
        return rules if ok else None


def _versions() -> list[FeeScheduleVersion]:
    return list(db.session.scalars(select(FeeScheduleVersion).order_by(FeeScheduleVersion.version.desc())))


def _page(form: FeeScheduleForm, status: int = 200):
    return render_template(
        "payments/fees_admin.html",
        form=form,
        versions=_versions(),
        status_label=fee_schedule.FEE_SCHEDULE_LIFECYCLE.status_label,
        right_label=lambda value: str(RIGHT_LABELS.get(value, _("Any right type"))),
        mechanism_label=lambda value: str(MECHANISM_LABELS.get(value, _("Any price mechanism"))),
        builtin=fee_schedule.terms_for("", "", "CNY") if fee_schedule.latest_schedule() is None else None,
    ), status


@bp.get("/admin/fees")
@admin_required
def fees_admin():
    form = FeeScheduleForm()
    form.fill(fee_schedule.latest_schedule())
    return _page(form)


@bp.post("/admin/fees")
@admin_required
def fees_save():
    form = FeeScheduleForm()
    rules = form.read() if form.validate_on_submit() else None
    if rules is None:
        return _page(form, 422)
    activate = request.form.get("action") == "activate"
    try:
        schedule = fee_schedule.publish_schedule(
            rules, current_user, form.note.data or None, activate=activate
        )
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        form.note.errors = [error.message]
        return _page(form, error.status_code)
    if activate:
        flash(
            _("Version %(version)d of the fee schedule applies from now on.", version=schedule.version),
            "success",
        )
    else:
        flash(_("Version %(version)d is saved as a draft; it applies once you apply it.", version=schedule.version),
              "success")  # fmt: skip
    return redirect(url_for("payments.fees_admin"))


@bp.post("/admin/fees/<int:version_id>/activate")
@admin_required
def fees_activate(version_id: int):
    schedule = db.session.get(FeeScheduleVersion, version_id)
    if schedule is None:
        raise NotFound(_("There is no such version of the fee schedule."))
    try:
        fee_schedule.activate_schedule(schedule, current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(
            _("Version %(version)d of the fee schedule applies from now on.", version=schedule.version),
            "success",
        )
    return redirect(url_for("payments.fees_admin"))
