"""Connect payouts against the Connect stub and localstripe: onboarding, split payouts after
registration, faults mid-payout, and refunds that reverse transfers; every amount reconciles."""

import json
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.core.audit_chain import AuditLogEntry, verify_chain
from app.core.lifecycle import status_history
from app.core.money import Money
from app.extensions import db
from app.market import deal_states
from app.payments import connect, ledger, payout_jobs, payouts, reconcile
from app.payments import payout_states as ps
from app.payments import services as payments
from app.payments import states as st
from app.payments.errors import ProviderUnavailable
from app.payments.models import LedgerEntry
from app.payments.payout_models import Payout
from app.payments.payout_split import split_proceeds, split_take_back
from tests.market.deal_support import build_market
from tests.payments.conftest import _free_port
from tests.payments.support import register, signed_deal
from tests.payments.test_stripe_webhooks import _deliver, _sign


def cny(text: str) -> Money:
    return Money(Decimal(text), "CNY")


@pytest.fixture(autouse=True)
def _english(connect_app):
    with connect_app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def market(make_user, frozen_clock):
    return build_market(make_user)


def _onboard(user, stub) -> None:
    account, url = connect.start_onboarding(user, user, "http://ipex.test/r", "http://ipex.test/back")
    assert url.startswith(stub.base)
    stub.complete_onboarding(account.provider_ref)
    connect.refresh_account(account, user)
    assert account.ready
    db.session.commit()


def _card_paid(market, price: str = "400000"):
    deal = signed_deal(market, price)
    payment, _ = payments.start_payment(deal, market.buyer)
    payments.confirm_payment(payment, market.buyer, "pm_card_visa")
    db.session.commit()
    return deal, payment


def _audited(*kinds: str) -> Decimal:
    """The amounts the hash-chained audit log recorded for these kinds of entry."""
    entries = db.session.scalars(select(AuditLogEntry).where(AuditLogEntry.kind.in_(kinds)))
    return sum((Decimal(e.payload.get("details", e.payload)["amount"]) for e in entries), Decimal(0))


def _payouts(payment) -> list[Payout]:
    db.session.expire_all()
    return payouts.payouts_of(payment)


def test_remainder_cents_go_to_the_seller():
    parts = split_proceeds(cny("100.00"), {"co": Decimal("33.333"), "broker": Decimal("33.333")}, "seller")
    assert parts == {"seller": cny("33.34"), "co": cny("33.33"), "broker": cny("33.33")}
    parts = split_proceeds(cny("0.05"), {"co": Decimal("50")}, "seller")
    assert parts == {"seller": cny("0.03"), "co": cny("0.02")}
    back = split_take_back(cny("10.00"), {"seller": cny("33.34"), "co": cny("33.33"), "broker": cny("33.33")},
                           "seller")  # fmt: skip
    assert back == {"co": cny("3.33"), "broker": cny("3.33"), "seller": cny("3.34")}
    assert sum((m.amount for m in back.values()), Decimal(0)) == Decimal("10.00")


def test_onboarding_creates_an_account_and_a_link_and_refreshes_its_flags(market, connect_stub):
    account, url = connect.start_onboarding(
        market.seller, market.seller, "http://ipex.test/r", "http://ipex.test/b"
    )
    db.session.commit()
    assert account.provider_ref.startswith("acct_")
    assert not account.ready
    again, _ = connect.start_onboarding(
        market.seller, market.seller, "http://ipex.test/r", "http://ipex.test/b"
    )
    assert again.provider_ref == account.provider_ref  # one connected account per user
    assert len([a for a in connect_stub.accounts.values() if a["id"] == account.provider_ref]) == 1
    connect_stub.complete_onboarding(account.provider_ref)
    assert not account.ready  # only a refresh (POST, webhook or tick) copies the provider's flags
    connect.refresh_account(account, market.seller)
    assert (account.charges_enabled, account.payouts_enabled, account.details_submitted) == (True, True, True)
    with pytest.raises(Exception, match="account holder"):
        connect.start_onboarding(market.seller, market.buyer, "http://x", "http://x")


def test_split_payout_after_registration_waits_for_onboarding_then_completes_once(
    market, connect_stub, client
):
    deal, payment = _card_paid(market)
    payouts.set_shares(deal, market.seller, [
        {"user": market.colleague, "role": "co_owner", "percent": "33.333"},
        {"user": market.stranger, "role": "broker", "percent": "5"}])  # fmt: skip
    _onboard(market.seller, connect_stub)
    _onboard(market.colleague, connect_stub)
    assert payouts.start_payouts(deal, market.admin) == []  # held until registration
    register(deal, market)  # the deal completes; its outbox event pays out
    rows = {p.role: p for p in _payouts(payment)}
    # 380000.00 after the 5 % fee: co-owner 126665.40 (33.333 % rounded down), broker 19000.00, seller the rest
    assert {r: p.money for r, p in rows.items()} == {
        "seller": cny("234334.60"), "co_owner": cny("126665.40"), "broker": cny("19000.00")}  # fmt: skip
    assert rows["seller"].status == rows["co_owner"].status == ps.PAID
    assert rows["broker"].status == ps.WAITING
    assert payment.status == st.SUCCEEDED  # the fee stays held until everyone is paid
    assert reconcile.reconcile() == []

    # The broker finishes onboarding; Stripe says so with account.updated (re-read before it counts).
    broker_account, _ = connect.start_onboarding(market.stranger, market.stranger, "http://x/r", "http://x/b")
    db.session.commit()
    remote = connect_stub.complete_onboarding(broker_account.provider_ref)
    body = json.dumps({"id": "evt_acct_1", "object": "event", "type": "account.updated",
                       "data": {"object": remote}}).encode()  # fmt: skip
    for _ in range(3):
        assert _deliver(client, body, _sign(body, int(time.time()))).status_code == 200
    rows = {p.role: p for p in _payouts(payment)}
    assert rows["broker"].status == ps.PAID
    db.session.refresh(payment)
    assert payment.status == st.PAID_OUT
    balances = ledger.balances(deal.id)
    assert (balances["seller"], balances["fee"], balances["hold"].amount) == (cny("380000"), cny("20000"), 0)
    assert ledger.deal_total(deal.id) == 0
    for payout in rows.values():  # one transfer each, in the deal's group, keyed on our record
        sent = [
            t
            for t in connect_stub.transfers.values()
            if t["metadata"].get("payout_reference") == payout.reference
        ]
        assert len(sent) == 1
        assert sent[0]["transfer_group"] == payouts.transfer_group(deal.id) == payout.transfer_group
        assert sent[0]["amount"] == payout.money.to_minor_units()
        legs = db.session.scalars(select(LedgerEntry).where(LedgerEntry.posting_key == f"payout-{payout.id}"))
        assert sum(e.amount for e in legs) == 0
    assert [e.to_status for e in status_history(rows["broker"])] == [ps.WAITING, ps.PENDING, ps.IN_TRANSIT,
                                                                     ps.PAID]  # fmt: skip
    assert reconcile.reconcile() == []
    assert verify_chain() is None


@pytest.mark.parametrize("fault", ["500", "timeout"])
def test_a_fault_mid_payout_keeps_records_consistent_and_the_retry_pays_once(market, connect_stub, fault):
    deal, payment = _card_paid(market)
    _onboard(market.seller, connect_stub)
    connect_stub.fail_next(fault)
    register(deal, market)  # the provider fails (or never answers) during the payout
    [payout] = _payouts(payment)
    assert (payout.status, payout.attempts, payout.transfer_ref) == (ps.PENDING, 1, None)
    assert payout.last_error
    assert ledger.balances(deal.id)["hold"] == cny("400000")  # nothing left the hold in our books
    assert reconcile.reconcile() == []
    made = len(connect_stub.transfers_to(connect.payout_account(market.seller, "stripe").provider_ref))
    assert made == (1 if fault == "timeout" else 0)  # a timed-out call may have gone through
    if fault == "timeout":
        payouts.retry_payout(payout, market.admin)  # an administrator retries
        db.session.commit()
    else:
        payout_jobs.retry_payouts()  # the tick retries
        db.session.commit()
    connect_stub.release_held()
    [payout] = _payouts(payment)
    assert (payout.status, payout.attempts) == (ps.PAID, 2)
    transfers = connect_stub.transfers_to(connect.payout_account(market.seller, "stripe").provider_ref)
    assert [t["id"] for t in transfers] == [payout.transfer_ref]  # exactly once
    db.session.refresh(payment)
    assert payment.status == st.PAID_OUT
    payout_jobs.retry_payouts()  # nothing pending: nothing sent again
    assert len(connect_stub.transfers_to(transfers[0]["destination"])) == 1
    assert ledger.deal_total(deal.id) == 0
    assert reconcile.reconcile() == []


def test_refunds_after_payout_reverse_the_transfers_and_the_fee(market, connect_stub):
    deal, payment = _card_paid(market)
    payouts.set_shares(deal, market.seller, [{"user": market.colleague, "role": "co_owner", "percent": "25"}])
    _onboard(market.seller, connect_stub)
    _onboard(market.colleague, connect_stub)
    register(deal, market)
    db.session.refresh(payment)
    assert payment.status == st.PAID_OUT
    with pytest.raises(Exception, match="administrator"):
        payments.refund(payment, market.seller, "100000", "Not yours to refund.")

    payments.refund(payment, market.admin, "100000", "A quarter back after the settlement.")
    db.session.commit()
    rows = {p.role: p for p in _payouts(payment)}
    # 25 % of the price: the fee gives back 5000.00, the recipients 95000.00 in proportion (3:1)
    assert (rows["seller"].reversed, rows["co_owner"].reversed) == (cny("71250.00"), cny("23750.00"))
    db.session.refresh(payment)
    assert payment.status == st.PARTIALLY_REFUNDED
    assert deal.money_status == deal_states.PAID
    balances = ledger.balances(deal.id)
    assert (balances["buyer"], balances["seller"], balances["fee"], balances["hold"].amount) == (
        cny("-300000"), cny("285000"), cny("15000"), 0)  # fmt: skip
    for payout in rows.values():
        transfer = connect_stub.transfers[payout.transfer_ref]
        assert transfer["amount_reversed"] == payout.reversed.to_minor_units()
    assert reconcile.reconcile() == []  # deal, payment, ledger, localstripe refund and stub transfers agree

    payments.refund(payment, market.admin, "300000", "The rest, after the court's order.")
    db.session.commit()
    rows = _payouts(payment)
    assert {p.status for p in rows} == {ps.REVERSED}
    db.session.refresh(payment)
    db.session.refresh(deal)
    assert (payment.status, deal.money_status) == (st.REFUNDED, deal_states.REFUNDED)
    balances = ledger.balances(deal.id)
    assert all(m.amount == 0 for m in balances.values())
    assert all(connect_stub.transfers[p.transfer_ref]["reversed"] for p in rows)
    assert reconcile.reconcile() == []
    # The audit log tells the same amounts: paid out, taken back from the recipients, refunded.
    assert _audited("payout.land") == Decimal("380000") == sum(p.amount for p in rows)
    assert (
        _audited("payout.reverse", "payout.reverse_part")
        == Decimal("380000")
        == sum(p.reversed_amount for p in rows)
    )
    assert _audited("payment.refund", "payment.refund_part") == payment.refunded_amount == Decimal("400000")
    assert verify_chain() is None


def test_a_refund_whose_provider_call_fails_after_the_reversals_reverses_once_on_retry(
    market, connect_stub, connect_app
):
    deal, payment = _card_paid(market)
    _onboard(market.seller, connect_stub)
    register(deal, market)
    db.session.refresh(payment)
    localstripe = connect_app.config["STRIPE_API_BASE"]
    connect_app.config["STRIPE_API_BASE"] = f"http://127.0.0.1:{_free_port()}"  # the card refund fails
    with pytest.raises(ProviderUnavailable):
        payments.refund(payment, market.admin, "40000", "A tenth back.")
    db.session.rollback()
    [payout] = _payouts(payment)
    assert payout.reversed_amount == 0  # our records: nothing happened
    assert connect_stub.transfers[payout.transfer_ref]["amount_reversed"] == 3800000  # the stub: it did
    connect_app.config["STRIPE_API_BASE"] = localstripe
    db.session.refresh(payment)
    payments.refund(payment, market.admin, "40000", "A tenth back.")
    db.session.commit()
    [payout] = _payouts(payment)
    transfer = connect_stub.transfers[payout.transfer_ref]
    assert (payout.reversed, transfer["amount_reversed"], transfer["reversals"]["total_count"]) == (
        cny("38000.00"), 3800000, 1)  # fmt: skip
    assert reconcile.reconcile() == []


def test_reconcile_reports_a_transfer_reversed_outside_our_records(market, connect_stub, runner):
    deal, payment = _card_paid(market)
    _onboard(market.seller, connect_stub)
    register(deal, market)
    [payout] = _payouts(payment)
    assert runner.invoke(args=["payments", "reconcile"]).exit_code == 0
    connect_stub.transfers[payout.transfer_ref]["amount_reversed"] = 100
    assert [d.what for d in reconcile.reconcile()] == ["transfer.reversed"]
    result = runner.invoke(args=["payments", "reconcile"])
    assert result.exit_code == 1
    assert f"{payout.reference}\ttransfer.reversed\tours=0.00 CNY\tprovider/ledger=1.00 CNY" in result.output


def test_a_hand_recorded_payout_is_refused_beside_connect_payouts(market, connect_stub):
    deal, payment = _card_paid(market)
    register(deal, market)  # the seller has no payout account: the payout waits
    [payout] = _payouts(payment)
    assert payout.status == ps.WAITING
    with pytest.raises(Exception, match="transfers"):
        payments.record_payout(payment, market.admin, "BOC-1")
    assert db.session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.movement == "payout")) == 0


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        (ps.PENDING, "wait", ps.WAITING),
        (ps.WAITING, "resume", ps.PENDING),
        (ps.PENDING, "send", ps.IN_TRANSIT),
        (ps.IN_TRANSIT, "land", ps.PAID),
        (ps.PENDING, "fail", ps.FAILED),
        (ps.FAILED, "resume", ps.PENDING),
        (ps.PAID, "reverse", ps.REVERSED),
        (ps.WAITING, "send", None),  # never sent before the account is ready
        (ps.PAID, "send", None),  # never twice
        (ps.REVERSED, "resume", None),
        (ps.FAILED, "send", None),  # a failed payout is resumed first (an administrator's retry)
    ],
)
def test_payout_transitions(status, action, expected):
    assert ps.PAYOUT_LIFECYCLE.transitions.get((status, action)) == expected
