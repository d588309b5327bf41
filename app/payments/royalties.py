"""Running royalties: the schedule from the deal's terms, sales reports, invoices, their payments.

The schedule starts on the day the licence is recorded (the deal's ``registered_on``): from then the
licence is in force and recorded with the office. Periods are quarters of the licence (not calendar
quarters); each is reported and paid 30 days after it ends. With no term in the deal, five years
are assumed and the schedule says so. The last period of each licence year tops the year's
royalties up to the annual minimum (pro rata for a short final year). Invoices are paid through
``app.payments.services`` like the upfront price: same providers, ledger and fee schedule.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.audit_chain import chain_append
from app.core.clock import clock
from app.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from app.core.lifecycle import apply_transition
from app.core.money import Money, MoneyError, parse_money
from app.extensions import db
from app.market import deal_services
from app.market.deal_models import Deal
from app.payments import fee_schedule, services
from app.payments import royalty_models as rm
from app.payments import states as st
from app.payments.models import Payment
from app.payments.providers import ProviderStep, default_provider_name, get_provider

PERIOD_MONTHS = 3
DUE_DAYS = 30  # report and payment are due this many days after a period ends
DEFAULT_TERM_MONTHS = 60  # when the deal names no term
REMIND_DAYS = 7
CENT = Decimal("0.01")


class RoyaltyInvalid(DomainError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, {field: message})


# ---- who ---------------------------------------------------------------------------------------


def is_licensee(user, deal: Deal) -> bool:
    return deal_services.party_side(user, deal) == "buyer"


def can_read(user, deal: Deal) -> bool:
    """The licensee, the licensor and administrators; everyone else sees nothing (404)."""
    return deal_services.can_view_deal(user, deal)


def _require_licensee(user, deal: Deal) -> None:
    if not is_licensee(user, deal):
        raise PermissionDenied(_("Only the licensee reports sales and pays royalties."))


# ---- the schedule ------------------------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def schedule_of(deal: Deal) -> rm.RoyaltySchedule | None:
    return db.session.scalar(select(rm.RoyaltySchedule).where(rm.RoyaltySchedule.deal_id == deal.id))


def create_schedule(deal: Deal, actor) -> rm.RoyaltySchedule | None:
    """Called when a licence is recorded: a running royalty or minimum gets its periods; else nothing."""
    terms = deal.terms or {}
    rate, minimum = _decimal(terms.get("royalty_rate")), _decimal(terms.get("minimum_annual_royalty"))
    if not deal.is_licence or not (rate or minimum) or schedule_of(deal) is not None:
        return None
    months = int(terms.get("term_months") or 0)
    schedule = rm.RoyaltySchedule(
        deal_id=deal.id,
        rate_percent=rate or Decimal(0),
        minimum_annual_amount=minimum or None,
        currency=deal.currency,
        starts_on=deal.registered_on or deal_services.today(),
        term_months=months or DEFAULT_TERM_MONTHS,
        term_assumed=not months,
    )
    db.session.add(schedule)
    schedule.periods = _periods(schedule)
    db.session.flush()
    chain_append("royalty.create", "royalty_schedules", schedule.id, actor,
                 {"deal_id": deal.id, "rate_percent": str(schedule.rate_percent), "term_months": schedule.term_months,
                  "minimum_annual": str(minimum) if minimum else None, "starts_on": schedule.starts_on.isoformat()})  # fmt: skip
    return schedule


def _periods(schedule: rm.RoyaltySchedule) -> list[rm.RoyaltyPeriod]:
    periods, offset = [], 0
    while offset < schedule.term_months:
        length = min(PERIOD_MONTHS, schedule.term_months - offset)
        starts, ends = (
            _add_months(schedule.starts_on, offset),
            _add_months(schedule.starts_on, offset + length),
        )
        year = offset // 12 + 1
        year_end = offset + length == min(year * 12, schedule.term_months)
        year_months = min(year * 12, schedule.term_months) - (year - 1) * 12
        minimum = None
        if year_end and schedule.minimum_annual_amount:
            minimum = (schedule.minimum_annual_amount * year_months / 12).quantize(CENT, ROUND_HALF_UP)
        last_day = ends - dt.timedelta(days=1)
        periods.append(
            rm.RoyaltyPeriod(
                number=len(periods) + 1,
                licence_year=year,
                starts_on=starts,
                ends_on=last_day,
                due_on=last_day + dt.timedelta(days=DUE_DAYS),
                year_minimum_amount=minimum,
            )  # fmt: skip
        )
        offset += length
    return periods


def period_of(deal: Deal, number) -> rm.RoyaltyPeriod:
    schedule = schedule_of(deal)
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 0
    period = next((p for p in schedule.periods if p.number == number), None) if schedule else None
    if period is None:
        raise RoyaltyInvalid("period", _("There is no such reporting period in this licence."))
    return period


# ---- reports and invoices ----------------------------------------------------------------------


def report_sales(deal: Deal, actor, period_number, net_sales, note: str | None = None) -> rm.RoyaltyReport:
    """The licensee's net sales for one ended period; a second report corrects the first until paid."""
    _require_licensee(actor, deal)
    period = period_of(deal, period_number)
    try:
        sales = parse_money(net_sales, period.schedule.currency)
    except MoneyError as error:
        raise RoyaltyInvalid("net_sales", error.message) from None
    if period.ends_on >= deal_services.today():
        raise RoyaltyInvalid("period", _("A period can be reported once it has ended."))
    _require_correctable(period)
    earlier = [p for p in _year_of(period) if p.number < period.number and p.report is None]
    if earlier and period.year_minimum_amount is not None:
        raise RoyaltyInvalid("period", _("Report the earlier periods of this licence year first."))
    previous = period.report
    if previous is not None:
        previous.superseded_at = clock.now()
        db.session.flush()  # the partial unique index allows one current report per period
    report = rm.RoyaltyReport(period=period, net_sales=sales.amount, currency=sales.currency,
                              note=(note or "").strip()[:500] or None, reported_by_id=actor.id)  # fmt: skip
    db.session.add(report)
    db.session.flush()
    chain_append("royalty.report", "royalty_reports", report.id, actor,
                 {"deal_id": deal.id, "period": period.number, "net_sales": str(sales.amount),
                  "currency": sales.currency, "corrects": previous.id if previous else None})  # fmt: skip
    _invoice(period)
    year_end = _year_of(period)[-1]
    if year_end is not period and year_end.invoice is not None:
        _invoice(year_end)  # a corrected earlier quarter changes the year's top-up
    return report


def _year_of(period: rm.RoyaltyPeriod) -> list[rm.RoyaltyPeriod]:
    return [p for p in period.schedule.periods if p.licence_year == period.licence_year]


def _settled(period: rm.RoyaltyPeriod) -> bool:
    invoice = period.invoice
    return invoice is not None and (invoice.status == rm.PAID or _live_payment(invoice) is not None)


def _require_correctable(period: rm.RoyaltyPeriod) -> None:
    if _settled(period):
        raise Conflict(_("This period's invoice is paid or being paid: its report can no longer change."))
    year_end = _year_of(period)[-1]
    if year_end is not period and year_end.year_minimum_amount is not None and _settled(year_end):
        raise Conflict(_("This licence year is settled: its reports can no longer change."))


def calculate(period: rm.RoyaltyPeriod) -> dict[str, str | None]:
    """Rate x sales, and in a year's last period the top-up to the minimum; every figure as a string."""
    schedule = period.schedule
    rate = schedule.rate_percent

    def royalty(p: rm.RoyaltyPeriod) -> Decimal:
        return (p.report.net_sales * rate / 100).quantize(CENT, ROUND_HALF_UP) if p.report else Decimal(0)

    own = royalty(period)
    result = {"net_sales": f"{period.report.net_sales:.2f}", "rate_percent": format(rate.normalize(), "f"),
              "royalty": f"{own:.2f}", "year_royalties": None, "year_minimum": None, "top_up": "0.00"}  # fmt: skip
    if period.year_minimum_amount is not None:
        year_total = sum((royalty(p) for p in _year_of(period)), Decimal(0))
        top_up = max(Decimal(0), period.year_minimum_amount - year_total)
        result |= {"year_royalties": f"{year_total:.2f}", "year_minimum": f"{period.year_minimum_amount:.2f}",
                   "top_up": f"{top_up:.2f}"}  # fmt: skip
    result["amount"] = f"{Decimal(result['royalty']) + Decimal(result['top_up']):.2f}"
    return result


def _invoice(period: rm.RoyaltyPeriod) -> rm.RoyaltyInvoice:
    figures = calculate(period)
    invoice = period.invoice or rm.RoyaltyInvoice(
        period=period,
        reference=f"R-{period.schedule.deal.reference}-{period.number:02d}",
        currency=period.schedule.currency,
    )
    invoice.royalty_amount, invoice.top_up_amount = Decimal(figures["royalty"]), Decimal(figures["top_up"])
    invoice.amount, invoice.calculation = Decimal(figures["amount"]), figures
    invoice.status = rm.OPEN if invoice.amount > 0 else rm.NOTHING_DUE
    invoice.issued_at = clock.now()
    db.session.add(invoice)
    db.session.flush()
    return invoice


# ---- paying an invoice -------------------------------------------------------------------------


def get_invoice(invoice_id: int) -> rm.RoyaltyInvoice:
    invoice = db.session.get(rm.RoyaltyInvoice, invoice_id)
    if invoice is None:
        raise NotFound(_("There is no such invoice."))
    return invoice


def _payments(invoice: rm.RoyaltyInvoice) -> list[Payment]:
    query = select(Payment).where(Payment.royalty_invoice_id == invoice.id).order_by(Payment.id)
    return list(db.session.scalars(query))


def _live_payment(invoice: rm.RoyaltyInvoice) -> Payment | None:
    return next((p for p in _payments(invoice) if p.status in st.LIVE), None)


def start_invoice_payment(invoice: rm.RoyaltyInvoice, actor, provider_name: str | None = None):
    """The licensee pays an open invoice; an open payment is resumed rather than doubled."""
    deal = invoice.period.schedule.deal
    _require_licensee(actor, deal)
    current = _live_payment(invoice)
    if current is not None and current.status in st.OPEN:
        return current, get_provider(current.provider).start(current)
    if current is not None or invoice.status != rm.OPEN:
        raise Conflict(_("This invoice is already paid or has nothing to pay."))
    quote = fee_schedule.quote(invoice.money, deal.right_type, deal.listing.price_mechanism)
    payment = Payment(
        deal_id=deal.id, royalty_invoice_id=invoice.id, payer_id=actor.id,
        provider=provider_name or default_provider_name(), status=st.REQUIRES_PAYMENT,
        amount=invoice.amount, currency=invoice.currency, fee_amount=quote.fee.amount,
        fee_version=quote.terms.version, refunded_amount=Decimal(0), deposit_credit=Decimal(0),
        reference=f"IPEX-R{invoice.id:06d}-{len(_payments(invoice)) + 1:02d}",
    )  # fmt: skip
    db.session.add(payment)
    db.session.flush()
    step: ProviderStep = get_provider(payment.provider).start(payment)
    payment.provider_ref = step.provider_ref or payment.provider_ref
    services.follow(payment, step, actor)
    return payment, step


def record_invoice_paid(payment: Payment, actor) -> None:
    """Called by app.payments.services when the invoice's payment succeeded."""
    invoice = db.session.get(rm.RoyaltyInvoice, payment.royalty_invoice_id)
    invoice.paid_at = clock.now()
    apply_transition(rm.INVOICE_LIFECYCLE, invoice, "pay", actor=actor, reason=payment.reference)


def record_invoice_refund(payment: Payment, actor, amount: Money, reason: str) -> None:
    """Called by app.payments.services after a refund of the invoice's payment: refunded once all of
    it came back, else still paid (the event row records the part)."""
    invoice = db.session.get(rm.RoyaltyInvoice, payment.royalty_invoice_id)
    action = "refund" if payment.refunded == payment.money else "refund_part"
    apply_transition(rm.INVOICE_LIFECYCLE, invoice, action, actor=actor, reason=reason,
                     details={"payment": payment.reference, "amount": str(amount.amount),
                              "refunded": str(payment.refunded_amount)})  # fmt: skip


# ---- what people see ---------------------------------------------------------------------------


def period_state(period: rm.RoyaltyPeriod, today: dt.date) -> str:
    """report_open, report_due, report_overdue, invoice_due, invoice_overdue, paid or nothing_due."""
    if period.report is None:
        if period.ends_on >= today:
            return "not_ended"
        return "report_overdue" if today > period.due_on else "report_due"
    invoice = period.invoice
    if invoice.status != rm.OPEN:
        return invoice.status
    return "invoice_overdue" if today > period.due_on else "invoice_due"


def overview(deal: Deal) -> dict | None:
    """The schedule with each period's state, report, invoice and live payment (a read only)."""
    schedule = schedule_of(deal)
    if schedule is None:
        return None
    today = deal_services.today()
    rows = [
        {
            "period": p,
            "state": period_state(p, today),
            "report": p.report,
            "invoice": p.invoice,
            "payment": _live_payment(p.invoice) if p.invoice else None,
        }  # fmt: skip
        for p in schedule.periods
    ]
    return {
        "schedule": schedule,
        "rows": rows,
        "overdue": [r for r in rows if r["state"] in ("report_overdue", "invoice_overdue")],
        "reportable": [r["period"] for r in rows if r["state"] != "not_ended" and not _settled(r["period"])],
    }


# ---- reminders ---------------------------------------------------------------------------------


def reminder_kind(period: rm.RoyaltyPeriod, today: dt.date) -> str | None:
    state = period_state(period, today)
    if state in ("report_overdue", "invoice_overdue"):
        return state
    if state in ("report_due", "invoice_due") and (period.due_on - today).days <= REMIND_DAYS:
        return f"{state}_soon"
    return None


def remind_due(actor=None) -> int:
    """Tell the licensee once per period and kind: due within a week, then overdue."""
    from app.payments import royalty_notices

    today = deal_services.today()
    horizon = today + dt.timedelta(days=REMIND_DAYS)
    periods = db.session.scalars(
        select(rm.RoyaltyPeriod)
        .outerjoin(rm.RoyaltyInvoice, rm.RoyaltyInvoice.period_id == rm.RoyaltyPeriod.id)
        .where(rm.RoyaltyPeriod.due_on <= horizon, rm.RoyaltyPeriod.ends_on < today)
        .where((rm.RoyaltyInvoice.id.is_(None)) | (rm.RoyaltyInvoice.status == rm.OPEN))
        .order_by(rm.RoyaltyPeriod.id)
    )
    sent = 0
    for period in list(periods):
        kind = reminder_kind(period, today)
        if kind is None or db.session.scalar(
            select(rm.RoyaltyReminder.id).where(
                rm.RoyaltyReminder.period_id == period.id, rm.RoyaltyReminder.kind == kind
            )  # fmt: skip
        ):
            continue
        db.session.add(rm.RoyaltyReminder(period_id=period.id, kind=kind))
        royalty_notices.remind(period, kind)
        sent += 1
    db.session.flush()
    return sent
