"""Auction deposits by bank transfer: required before bidding, refunded, credited, forfeited."""

from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.audit_chain import entries_for, verify_chain
from app.core.errors import Conflict
from app.core.money import Money
from app.core.notifications import Notification
from app.extensions import db
from app.market import auction_services, deal_states
from app.market.qualification import bidder_qualification
from app.payments import connect, deposit_jobs, deposits, ledger, payouts, reconcile
from app.payments import deposit_states as ds
from app.payments import payout_states as ps
from app.payments import services as payments
from app.payments.fees import FeeTerms, calculate_fee
from tests.market.auction_support import bid
from tests.payments.deposit_support import bid_and_close, deposit_auction, signed_auction_deal


@pytest.fixture(autouse=True)
def _english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def cny(text: str) -> Money:
    return Money(Decimal(text), "CNY")


def _held(case, user, bank="BOC-DEP-1"):
    deposit = deposits.start_deposit(case.auction, user)
    db.session.commit()
    deposits.record_receipt(deposit, case.admin, bank, "2000")
    db.session.commit()
    return deposit


def test_bidding_needs_a_held_deposit_and_the_refusal_links_to_paying_it(make_user, frozen_clock):
    case = deposit_auction(make_user)
    verdict = bidder_qualification(case.auction.listing, case.winner)
    assert (verdict.ok, verdict.code) == (False, "deposit")
    assert "CN¥2,000.00" in verdict.reason
    assert verdict.link == f"/payments/auctions/{case.auction.id}/deposit"
    assert verdict.link_label == "Pay the deposit"
    with pytest.raises(auction_services.NotQualified):
        bid(case.auction, case.winner, "10000")
    db.session.rollback()
    deposit = deposits.start_deposit(case.auction, case.winner)
    db.session.commit()
    assert (deposit.provider, deposit.status, deposit.reference) == (
        "offline",
        ds.REQUIRES_PAYMENT,
        f"DEP-{case.auction.id:06d}-{case.winner.id:06d}-01",
    )
    assert deposits.instructions(deposit)["amount"] == {"amount": "2000.00", "currency": "CNY"}
    assert deposits.start_deposit(case.auction, case.winner).id == deposit.id  # resumed, not doubled
    assert not bidder_qualification(case.auction.listing, case.winner).ok  # not yet received
    deposits.record_receipt(deposit, case.admin, "BOC-DEP-1", "2000")
    db.session.commit()
    assert deposit.status == ds.HELD
    assert ledger.deposit_balances(deposit.id) == {"buyer": cny("-2000"), "hold": cny("2000")}
    assert bidder_qualification(case.auction.listing, case.winner).ok
    assert bid(case.auction, case.winner, "10000").position == "leading"


def test_the_deposit_is_validated_against_the_start_price_and_the_currency(make_user, frozen_clock):
    case = deposit_auction(make_user)
    with pytest.raises(deposits.DepositInvalid) as error:
        deposits.set_terms(case.auction, case.seller, cny("10000"), 5)
    assert error.value.fields == {"deposit": "The deposit must be below the start price."}
    with pytest.raises(deposits.DepositInvalid) as error:
        deposits.set_terms(case.auction, case.seller, Money(Decimal("100"), "USD"), 5)
    assert "deposit" in error.value.fields
    with pytest.raises(deposits.DepositInvalid) as error:
        deposits.set_terms(case.auction, case.seller, cny("100"), 400)
    assert "payment_days" in error.value.fields
    with pytest.raises(deposits.DepositInvalid):
        deposits.read_amount("abc", "CNY")


def test_a_wrong_transfer_amount_is_refused(make_user, frozen_clock):
    case = deposit_auction(make_user)
    deposit = deposits.start_deposit(case.auction, case.winner)
    with pytest.raises(deposits.DepositInvalid) as error:
        deposits.record_receipt(deposit, case.admin, "BOC-DEP-1", "1999.99")
    assert "amount" in error.value.fields
    assert deposit.status == ds.REQUIRES_PAYMENT


def test_the_loser_is_refunded_and_the_winners_deposit_is_credited_to_the_deal(make_user, frozen_clock):
    case = deposit_auction(make_user)
    won, lost = _held(case, case.winner, "BOC-W"), _held(case, case.loser, "BOC-L")
    with pytest.raises(Conflict):
        deposits.record_refund(lost, case.admin, "BOC-BACK-1")  # still open: not due back
    db.session.rollback()
    bid_and_close(case, frozen_clock)
    assert case.auction.winner_id == case.winner.id
    assert deposit_jobs.settle_closed_auctions() == 0  # bank transfers: the administrator refunds
    deposits.record_refund(lost, case.admin, "BOC-BACK-1")
    db.session.commit()
    assert lost.status == ds.REFUNDED
    kinds = [
        n.kind
        for n in db.session.scalars(
            db.select(Notification).where(Notification.user_id == case.loser.id).order_by(Notification.id)
        )
    ]
    assert [kind for kind in kinds if kind.startswith("deposit_")] == ["deposit_held", "deposit_returned"]
    assert ledger.deposit_balances(lost.id) == {"buyer": cny("0"), "hold": cny("0")}
    with pytest.raises(Conflict):
        deposits.record_refund(won, case.admin, "BOC-BACK-2")  # the winner's is not refunded
    db.session.rollback()

    deal = signed_auction_deal(case)
    payment, step = payments.start_payment(deal, case.winner)
    db.session.commit()
    assert payment.money == cny("13000")  # the hammer price: the rival's 12000 plus one increment
    assert payment.due == cny("11000")
    assert step.client["amount"] == {"amount": "11000.00", "currency": "CNY"}
    with pytest.raises(payments.PaymentInvalid):
        payments.record_receipt(payment, case.admin, "BOC-PAY-1", "13000")
    payments.record_receipt(payment, case.admin, "BOC-PAY-1", "11000")
    db.session.commit()
    assert deal.money_status == deal_states.PAID
    assert (won.status, won.credited_payment_id) == (ds.CREDITED, payment.id)
    assert ledger.balances(deal.id) == {"buyer": cny("-13000"), "hold": cny("13000")}
    assert ledger.deal_total(deal.id) == 0
    assert ledger.deposit_balances(won.id) == {"buyer": cny("0"), "hold": cny("0")}
    assert reconcile.reconcile() == []
    assert verify_chain() is None


def test_a_winner_who_does_not_pay_in_time_forfeits_the_deposit(make_user, frozen_clock):
    case = deposit_auction(make_user)
    won = _held(case, case.winner)
    _held(case, case.loser, "BOC-L")
    bid_and_close(case, frozen_clock)
    frozen_clock.advance(timedelta(days=4))
    assert deposit_jobs.forfeit_overdue_deposits() == 0  # within the 5 days
    frozen_clock.advance(timedelta(days=1, seconds=1))
    assert deposit_jobs.forfeit_overdue_deposits() == 1
    db.session.refresh(won)
    assert won.status == ds.FORFEITED
    assert won.forfeit_reason == "The winner did not pay within 5 days of the award."
    fee = calculate_fee(cny("2000"), FeeTerms(Decimal("5"), cny("1000"), 0)).fee  # built-in schedule
    share = cny("2000") - fee
    assert ledger.deposit_balances(won.id) == {  # the seller's share is held until its payout lands
        "buyer": cny("-2000"),
        "hold": share,
        "fee": fee,
    }
    assert fee == cny("1000")  # the minimum applies
    told = {(n.user_id, n.kind) for n in db.session.scalars(db.select(Notification))}
    assert {(case.winner.id, "deposit_forfeited"), (case.seller.id, "deposit_forfeited")} <= told
    audit = [entry.kind for entry in entries_for("auction_deposits", won.id)]
    assert "deposit.forfeit" in audit
    assert deposit_jobs.forfeit_overdue_deposits() == 0  # once
    assert verify_chain() is None


def test_the_sellers_share_of_a_forfeited_deposit_is_paid_out_once(make_user, frozen_clock):
    """Issue 12: the share used to be written to the ledger's seller account and never paid."""
    case = deposit_auction(make_user)
    won = _held(case, case.winner)
    _held(case, case.loser, "BOC-L")
    bid_and_close(case, frozen_clock)
    frozen_clock.advance(timedelta(days=5, seconds=1))
    assert deposit_jobs.forfeit_overdue_deposits() == 1
    fee = cny("1000")
    [payout] = payouts.deposit_payouts(won)
    assert (payout.recipient_id, payout.role, payout.money) == (case.seller.id, "seller", cny("2000") - fee)
    assert (payout.payment_id, payout.deposit_id, payout.provider) == (None, won.id, "offline")
    assert payout.status == ps.WAITING  # no bank details yet: the seller is told to add them
    told = [n.kind for n in db.session.scalars(db.select(Notification).order_by(Notification.id))
            if n.user_id == case.seller.id]  # fmt: skip
    assert "forfeit_payout_waiting" in told
    assert deposits.pay_out_forfeit(won, payout.money, case.admin) == [payout]  # idempotent
    connect.save_bank_details(case.seller, case.seller, "陈教授", "中国银行", "6222020200001234567")
    db.session.commit()
    payouts.record_bank_payout(payout, case.admin, "BOC-OUT-9")
    db.session.commit()
    assert payout.status == ps.PAID
    balances = ledger.deposit_balances(won.id)
    assert balances == {"buyer": cny("-2000"), "hold": cny("0"), "fee": fee, "seller": cny("2000") - fee}
    assert sum((m.amount for m in balances.values()), Decimal(0)) == 0
    with pytest.raises(Conflict):
        payouts.record_bank_payout(payout, case.admin, "BOC-OUT-9")  # never twice
    assert deposit_jobs.forfeit_overdue_deposits() == 0
    assert len(payouts.deposit_payouts(won)) == 1
    assert reconcile.reconcile() == []
    assert verify_chain() is None


def test_a_paid_winner_keeps_the_deposit_credit_and_nothing_is_forfeited(make_user, frozen_clock):
    case = deposit_auction(make_user)
    won = _held(case, case.winner)
    _held(case, case.loser, "BOC-L")
    bid_and_close(case, frozen_clock)
    deal = signed_auction_deal(case)
    payment, _ = payments.start_payment(deal, case.winner)
    payments.record_receipt(payment, case.admin, "BOC-PAY-1", "11000")
    db.session.commit()
    frozen_clock.advance(timedelta(days=30))
    assert deposit_jobs.forfeit_overdue_deposits() == 0
    assert won.status == ds.CREDITED


def test_deposits_forfeited_before_the_fix_are_paid_out_once(make_user, frozen_clock):
    """The old forfeit wrote the share to the seller account and stopped: the repair pays it out."""
    from app.core.actors import system_actor
    from app.core.lifecycle import apply_transition

    case = deposit_auction(make_user)
    won = _held(case, case.winner)
    _held(case, case.loser, "BOC-L")
    bid_and_close(case, frozen_clock)
    apply_transition(ds.DEPOSIT_LIFECYCLE, won, "forfeit", actor=system_actor(), reason="old")
    ledger.post_scoped("forfeit", f"deposit-{won.id}-forfeit",
                       {"hold": cny("-2000"), "seller": cny("1000"), "fee": cny("1000")}, deposit_id=won.id)  # fmt: skip
    db.session.commit()
    assert deposits.pay_out_earlier_forfeits(system_actor()) == 1
    db.session.commit()
    [payout] = payouts.deposit_payouts(won)
    assert payout.money == cny("1000")
    assert ledger.deposit_balances(won.id) == {"buyer": cny("-2000"), "hold": cny("1000"), "fee": cny("1000"),
                                               "seller": cny("0")}  # fmt: skip
    assert deposits.pay_out_earlier_forfeits(system_actor()) == 0  # once
    connect.save_bank_details(case.seller, case.seller, "陈教授", "中国银行", "6222020200001234567")
    payouts.record_bank_payout(payout, case.admin, "BOC-OUT-10")
    db.session.commit()
    assert ledger.deposit_balances(won.id)["hold"] == cny("0")
    assert ledger.deposit_balances(won.id)["seller"] == cny("1000")
    assert verify_chain() is None
