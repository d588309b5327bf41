"""Running royalties as services: schedule, reports and corrections, minimum top-up, payment, reminders."""

import datetime as dt
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.core.audit_chain import entries_for, verify_chain
from app.core.errors import Conflict, PermissionDenied
from app.core.notifications import Notification
from app.extensions import db
from app.market import deal_states
from app.payments import ledger, reconcile, royalties
from app.payments import royalty_models as rm
from app.payments import services as payments
from app.payments import states as st
from app.payments.royalties import RoyaltyInvalid
from app.payments.royalty_jobs import remind_royalties
from tests.market.deal_support import build_market
from tests.payments.royalty_support import QUARTER, royalty_market
from tests.payments.support import register, signed_deal


@pytest.fixture(autouse=True)
def _english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def market(make_user, frozen_clock):
    return royalty_market(make_user)


def test_registration_of_a_licence_creates_the_quarterly_schedule(market):
    schedule = market.schedule
    assert schedule.rate_percent == Decimal("3.5")
    assert (schedule.starts_on, schedule.term_months, schedule.term_assumed) == (
        dt.date(2026, 12, 1),
        60,
        False,
    )
    assert len(schedule.periods) == 20
    first, fourth = schedule.periods[0], schedule.periods[3]
    assert (first.starts_on, first.ends_on, first.due_on) == (
        dt.date(2026, 12, 1),
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 30),
    )
    assert (fourth.ends_on, fourth.licence_year) == (dt.date(2027, 11, 30), 1)
    assert schedule.periods[4].licence_year == 2
    assert all(p.year_minimum_amount is None for p in schedule.periods)  # the deal has no minimum


def test_no_term_assumes_five_years_and_a_minimum_marks_each_year_end(make_user, frozen_clock):
    market = build_market(make_user, minimum_annual_royalty="100000", term_months="")
    deal = signed_deal(market)
    register(deal, market)
    schedule = royalties.schedule_of(deal)
    assert (schedule.term_months, schedule.term_assumed) == (60, True)
    minimums = [p.year_minimum_amount for p in schedule.periods]
    assert minimums[3] == Decimal("100000.00")
    assert minimums.count(None) == 15


def test_a_deal_without_royalty_or_minimum_gets_no_schedule(make_user, frozen_clock):
    market = build_market(make_user, royalty_rate="")
    deal = signed_deal(market)
    register(deal, market)
    assert royalties.schedule_of(deal) is None


def test_report_issues_an_invoice_of_rate_times_sales(market, frozen_clock):
    frozen_clock.advance(QUARTER)
    report = royalties.report_sales(market.deal, market.buyer, 1, "1,000,000.10")
    invoice = report.period.invoice
    assert (invoice.amount, invoice.status) == (Decimal("35000.00"), rm.OPEN)  # 35000.0035 rounds to the fen
    assert invoice.calculation["net_sales"] == "1000000.10"
    assert invoice.reference == f"R-{market.deal.reference}-01"


@pytest.mark.parametrize(
    ("who", "period", "sales", "error", "field"),
    [
        ("buyer", 1, "-5", RoyaltyInvalid, "net_sales"),
        ("buyer", 1, "abc", RoyaltyInvalid, "net_sales"),
        ("buyer", 99, "100", RoyaltyInvalid, "period"),
        ("buyer", "x", "100", RoyaltyInvalid, "period"),
        ("buyer", 2, "100", RoyaltyInvalid, "period"),  # not ended yet
        ("seller", 1, "100", PermissionDenied, None),
        ("admin", 1, "100", PermissionDenied, None),
        ("stranger", 1, "100", PermissionDenied, None),
    ],
)
def test_bad_reports_are_refused(market, frozen_clock, who, period, sales, error, field):
    frozen_clock.advance(QUARTER)
    with pytest.raises(error) as raised:
        royalties.report_sales(market.deal, getattr(market, who), period, sales)
    if field:
        assert field in raised.value.fields
    assert db.session.scalar(select(func.count(rm.RoyaltyReport.id))) == 0


def test_reporting_twice_corrects_and_keeps_the_history(market, frozen_clock):
    frozen_clock.advance(QUARTER)
    royalties.report_sales(market.deal, market.buyer, 1, "100000")
    royalties.report_sales(market.deal, market.buyer, 1, "200000", "late invoices counted")
    period = market.schedule.periods[0]
    assert [r.net_sales for r in period.reports] == [Decimal("100000.00"), Decimal("200000.00")]
    assert period.reports[0].superseded_at is not None
    assert period.report is period.reports[1]
    assert period.invoice.amount == Decimal("7000.00")
    assert db.session.scalar(select(func.count(rm.RoyaltyInvoice.id))) == 1
    entries = entries_for("royalty_reports", period.reports[1].id)
    assert entries[0].payload["corrects"] == period.reports[0].id
    assert verify_chain() is None


def test_year_end_tops_up_to_the_minimum(make_user, frozen_clock):
    market = royalty_market(make_user, minimum_annual_royalty="100000")
    frozen_clock.advance(timedelta(days=366))
    with pytest.raises(RoyaltyInvalid):  # the year's earlier periods first
        royalties.report_sales(market.deal, market.buyer, 4, "100000")
    for number in (1, 2, 3, 4):
        royalties.report_sales(market.deal, market.buyer, number, "100000")
    invoice = market.schedule.periods[3].invoice
    assert (invoice.royalty_amount, invoice.top_up_amount, invoice.amount) == (
        Decimal("3500.00"),
        Decimal("86000.00"),
        Decimal("89500.00"),
    )
    assert invoice.calculation["year_royalties"] == "14000.00"
    royalties.report_sales(market.deal, market.buyer, 1, "1000000")  # a correction moves the top-up
    assert invoice.top_up_amount == Decimal("54500.00")


def _pay_offline(market, invoice):
    payment, _step = royalties.start_invoice_payment(invoice, market.buyer)
    payments.record_receipt(payment, market.admin, "BOC-R-1", str(invoice.amount))
    db.session.commit()
    return payment


def test_invoice_is_paid_through_the_payment_path_with_the_fee(market, frozen_clock):
    upfront, _ = payments.start_payment(market.deal, market.buyer)  # the upfront price, alongside
    payments.record_receipt(upfront, market.admin, "BOC-U-1", "400000")
    frozen_clock.advance(QUARTER)
    invoice = royalties.report_sales(market.deal, market.buyer, 1, "1000000").period.invoice
    with pytest.raises(PermissionDenied):
        royalties.start_invoice_payment(invoice, market.seller)
    payment = _pay_offline(market, invoice)
    assert (payment.amount, payment.royalty_invoice_id, payment.reference) == (
        Decimal("35000.00"),
        invoice.id,
        f"IPEX-R{invoice.id:06d}-01",
    )
    assert payment.fee_amount == Decimal("1750.00")  # the default 5% of the invoice
    assert invoice.status == rm.PAID
    assert market.deal.status == deal_states.COMPLETED
    assert payments.live_payment(market.deal) == upfront
    payments.record_payout(payment, market.admin, "BOC-R-2")
    assert payment.status == st.PAID_OUT
    balances = ledger.balances(market.deal.id, payment.id)
    assert balances["seller"].amount == Decimal("33250.00")
    assert balances["fee"].amount == Decimal("1750.00")
    assert reconcile.reconcile() == []
    with pytest.raises(Conflict):
        royalties.report_sales(market.deal, market.buyer, 1, "1")
    with pytest.raises(Conflict):
        royalties.start_invoice_payment(invoice, market.buyer)


def test_zero_sales_without_minimum_owe_nothing(market, frozen_clock):
    frozen_clock.advance(QUARTER)
    invoice = royalties.report_sales(market.deal, market.buyer, 1, "0").period.invoice
    assert (invoice.amount, invoice.status) == (Decimal("0.00"), rm.NOTHING_DUE)
    with pytest.raises(Conflict):
        royalties.start_invoice_payment(invoice, market.buyer)


def _reminders(user) -> list[str]:
    query = select(Notification.kind).where(
        Notification.user_id == user.id, Notification.kind.like("royalty_%")
    )
    return list(db.session.scalars(query.order_by(Notification.id)))


def test_reminders_are_sent_once_per_period_and_kind(market, frozen_clock):
    assert remind_royalties() == 0
    frozen_clock.advance(timedelta(days=115))  # 2027-03-26: period 1 due on 03-30
    assert remind_royalties() == 1
    assert remind_royalties() == 0
    frozen_clock.advance(timedelta(days=5))  # overdue
    assert remind_royalties() == 1
    assert remind_royalties() == 0
    royalties.report_sales(market.deal, market.buyer, 1, "1000")
    db.session.commit()
    assert remind_royalties() == 1  # the invoice is now overdue
    assert remind_royalties() == 0
    assert _reminders(market.buyer) == [
        "royalty_report_due_soon",
        "royalty_report_overdue",
        "royalty_invoice_overdue",
    ]
    assert _reminders(market.seller) == []
    assert royalties.overview(market.deal)["overdue"][0]["state"] == "invoice_overdue"


def test_refunding_a_royalty_payment_leaves_the_deals_money_status(market, frozen_clock):
    from app.market import deal_services as deals

    frozen_clock.advance(QUARTER)
    invoice = royalties.report_sales(market.deal, market.buyer, 1, "1000000").period.invoice
    payment = _pay_offline(market, invoice)
    deals.raise_dispute(market.deal, market.buyer, "the licence was never delivered")
    deals.cancel_deal(market.deal, market.admin, "settled: the licence is void")
    payments.refund(payment, market.admin, "35000", "royalty returned with the licence")
    assert payment.status == st.REFUNDED
    assert market.deal.money_status == deal_states.UNPAID  # the upfront price is not the royalty's
    assert reconcile.reconcile() == []


def test_refunding_a_paid_royalty_invoice_marks_it_refunded_with_events(market, frozen_clock):
    from app.core.lifecycle import status_history
    from app.market import deal_services as deals

    frozen_clock.advance(QUARTER)
    invoice = royalties.report_sales(market.deal, market.buyer, 1, "1000000").period.invoice
    payment = _pay_offline(market, invoice)
    assert invoice.status == rm.PAID
    deals.raise_dispute(market.deal, market.buyer, "the licence was never delivered")
    deals.cancel_deal(market.deal, market.admin, "settled: the licence is void")
    payments.refund(payment, market.admin, "5000", "part of the royalty returned")
    db.session.commit()
    assert invoice.status == rm.PAID  # part refunded: still paid, the event says how much
    payments.refund(payment, market.admin, "30000", "the rest of the royalty returned")
    db.session.commit()
    db.session.refresh(invoice)
    assert invoice.status == rm.REFUNDED
    history = [(e.action, e.from_status, e.to_status) for e in status_history(invoice)]
    assert history == [
        ("pay", "open", "paid"),
        ("refund_part", "paid", "paid"),
        ("refund", "paid", "refunded"),
    ]
    assert status_history(invoice)[-1].details["amount"] == "30000.00"
    balances = ledger.balances(market.deal.id, payment.id)
    assert sum((m.amount for m in balances.values()), Decimal(0)) == 0
    assert balances["buyer"].amount == 0
    assert balances["hold"].amount == 0
    assert ledger.deal_total(market.deal.id) == 0
    assert reconcile.reconcile() == []
    state = royalties.overview(market.deal)["rows"][0]["state"]
    assert state == "refunded"
    with pytest.raises(Conflict):  # a refunded invoice is not paid again
        royalties.start_invoice_payment(invoice, market.buyer)
    assert verify_chain() is None
