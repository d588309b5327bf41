"""/api/v1 running royalties: a licence deal's schedule, reports and invoices; the licensee reports.

The same services and permissions as the pages: the licensee, the licensor and administrators read;
only the licensee reports; anyone else gets 404. Money as decimal strings with a currency.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import login_required
from app.api.schemas import ErrorSchema
from app.core.errors import NotFound
from app.extensions import db
from app.market.deal_models import Deal
from app.payments import royalties, services
from app.payments.api import PaymentSchema, StartedSchema, StartSchema

blp = Blueprint("api_royalties", __name__, description="Running royalties of licence deals")
F = ma.fields
TOKEN = [{"bearerAuth": []}]


def _money(obj, attr: str) -> dict | None:
    return None if obj is None else {"amount": f"{getattr(obj, attr):.2f}", "currency": obj.currency}


class ReportSchema(ma.Schema):
    net_sales = F.Function(lambda r: _money(r, "net_sales"))
    note = F.String(allow_none=True)
    reported_at = F.DateTime()
    superseded_at = F.DateTime(allow_none=True)


class InvoiceSchema(ma.Schema):
    id = F.Integer()
    reference = F.String()
    status = F.String(metadata={"enum": ["open", "paid", "nothing_due", "refunded"]})
    amount = F.Function(lambda i: _money(i, "amount"))
    calculation = F.Dict(metadata={"description": "net_sales x rate_percent = royalty; year top-up"})
    paid_at = F.DateTime(allow_none=True)


class PeriodSchema(ma.Schema):
    number = F.Integer()
    licence_year = F.Integer()
    starts_on = F.Date()
    ends_on = F.Date()
    due_on = F.Date()
    state = F.String()
    year_minimum = F.Function(lambda row: _money_or_none(row["period"].year_minimum_amount, row))
    report = F.Nested(ReportSchema, allow_none=True)
    history = F.List(F.Nested(ReportSchema), metadata={"description": "every report, oldest first"})
    invoice = F.Nested(InvoiceSchema, allow_none=True)
    payment = F.Nested(PaymentSchema, allow_none=True, metadata={"description": "the invoice's live payment"})


def _money_or_none(amount, row) -> dict | None:
    return None if amount is None else {"amount": f"{amount:.2f}", "currency": row["currency"]}


class RoyaltiesSchema(ma.Schema):
    rate_percent = F.String()
    minimum_annual = F.Dict(allow_none=True)
    starts_on = F.Date()
    term_months = F.Integer()
    term_assumed = F.Boolean(metadata={"description": "true: the deal named no term, 5 years assumed"})
    periods = F.List(F.Nested(PeriodSchema))


class ReportInSchema(ma.Schema):
    period = F.Integer(required=True, metadata={"description": "the period number, from 1"})
    net_sales = F.String(required=True, metadata={"description": "a decimal string, zero or more"})
    note = F.String(load_default=None, validate=ma.validate.Length(max=500))


def _deal(deal_id: int) -> Deal:
    deal = db.session.get(Deal, deal_id)
    if deal is None or not royalties.can_read(current_user, deal) or royalties.schedule_of(deal) is None:
        raise NotFound(_("This deal has no running royalty."))
    return deal


def _view(deal: Deal) -> dict:
    view = royalties.overview(deal)
    schedule = view["schedule"]
    periods = []
    for row in view["rows"]:
        p = row["period"]
        periods.append({"period": p, "currency": schedule.currency, "number": p.number,
                        "licence_year": p.licence_year, "starts_on": p.starts_on, "ends_on": p.ends_on,
                        "due_on": p.due_on, "state": row["state"], "report": row["report"],
                        "history": p.reports, "invoice": row["invoice"], "payment": row["payment"]})  # fmt: skip
    return {
        "rate_percent": format(schedule.rate_percent.normalize(), "f"),
        "minimum_annual": schedule.minimum.to_json() if schedule.minimum else None,
        "starts_on": schedule.starts_on,
        "term_months": schedule.term_months,
        "term_assumed": schedule.term_assumed,
        "periods": periods,
    }


@blp.route("/deals/<int:deal_id>/royalties")
@login_required
@blp.response(200, RoyaltiesSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.doc(security=TOKEN)
def get_royalties(deal_id: int) -> dict:
    """A licence deal's royalty schedule: each period's report, invoice and payment."""
    return _view(_deal(deal_id))


@blp.route("/deals/<int:deal_id>/royalty-reports", methods=["POST"])
@login_required
@blp.arguments(ReportInSchema)
@blp.response(201, RoyaltiesSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(security=TOKEN)
def post_report(args: dict, deal_id: int) -> dict:
    """The licensee reports (or corrects) one period's net sales; the invoice follows."""
    deal = _deal(deal_id)
    royalties.report_sales(deal, current_user, args["period"], args["net_sales"], args["note"])
    db.session.commit()
    return _view(deal)


@blp.route("/royalty-invoices/<int:invoice_id>/payments", methods=["POST"])
@login_required
@blp.arguments(StartSchema)
@blp.response(201, StartedSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.doc(security=TOKEN)
def pay_invoice(args: dict, invoice_id: int) -> dict:
    """The licensee starts (or resumes) paying an invoice; with a card payment method, confirms it."""
    invoice = royalties.get_invoice(invoice_id)
    if not royalties.can_read(current_user, invoice.period.schedule.deal):
        raise NotFound(_("There is no such invoice."))
    payment, step = royalties.start_invoice_payment(invoice, current_user)
    if args["payment_method"] and payment.provider == "stripe":
        step = services.confirm_payment(payment, current_user, args["payment_method"])
    db.session.commit()
    return {"payment": payment, "client": step.client}
