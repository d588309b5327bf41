"""The deal workflow to registration: every rule, both status dimensions, the catalogue updates."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.catalogue.models import Patent, PatentEvent, PatentLicence
from app.core.audit_chain import entries_for, verify_chain
from app.core.errors import Conflict, PermissionDenied
from app.core.lifecycle import InvalidTransition, status_history
from app.core.notifications import Notification
from app.core.ticks import run_tick
from app.extensions import db
from app.market import deal_services as deals
from app.market import offer_services as offers
from app.market import registration
from app.market.deal_services import DealInvalid
from app.valuation.models import ClosedDeal
from tests.market.deal_support import build_market


@pytest.fixture(autouse=True)
def _english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def market(make_user, frozen_clock):
    return build_market(make_user)


def _agreed(market, price="400000"):
    offer = offers.make_offer(listing=market.listing, buyer=market.buyer, price=price, actor=market.buyer)
    deal = offers.accept_offer(offer, market.seller)
    db.session.commit()
    return deal


def _signed(market, deal=None):
    deal = deal or _agreed(market)
    contract = deals.draft_contract(deal, market.seller, "zh")
    deals.sign_contract(deal, market.seller, "陈教授", contract.text_sha256)
    deals.sign_contract(deal, market.buyer, "Liu Zong", contract.text_sha256)
    db.session.commit()
    return deal


def _kinds(user):
    return [n.kind for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id))]


def test_deal_snapshots_parties_patents_rights_and_terms(market):
    deal = _agreed(market)
    assert deal.reference.startswith("D-2026-")
    assert deal.parties["seller"]["organisation"] == "Seller Univ"
    assert deal.parties["buyer"]["verified"]
    assert deal.patents[0]["jurisdiction"] == "CN"
    assert deal.patents[0]["number"]
    assert deal.right_type == "exclusive_licence"
    assert deal.terms["term_months"] == 60
    assert (deal.status, deal.money_status, deal.origin) == ("agreed", "unpaid", "offer")
    market.listing.field_of_use = "changed later"
    market.listing.title_en = "Renamed"
    db.session.commit()
    db.session.expire_all()
    assert deal.terms["field_of_use"] == "电动汽车 electric vehicles"  # the snapshot does not move
    assert "deal_created" in _kinds(market.seller)
    assert "deal_created" in _kinds(market.buyer)


def test_full_licence_workflow_to_completion(market, frozen_clock):
    deal = _signed(market)
    assert deal.status == "awaiting_payment"
    assert deal.contract.locked_at is not None
    assert deal.contract_effective_on == dt.date(2026, 12, 1)
    [deadline] = registration.deadlines(deal)
    assert (deadline.kind, deadline.due_on) == ("cnipa_licence_recordal", dt.date(2027, 3, 1))
    frozen_clock.advance(dt.timedelta(days=10))
    deals.record_filing(deal, market.seller, "2026-LR-000123", "2026-12-10")
    db.session.commit()
    assert deal.status == "registration_filed"
    deals.record_registration(deal, market.seller, "2026-12-11", "备案号 2026990000123")
    db.session.commit()
    assert deal.status == "registered"  # not paid yet: not complete
    licence = db.session.scalar(select(PatentLicence).where(PatentLicence.licensee == "Buyer Co"))
    assert (licence.licence_type, licence.recorded_on, licence.until) == (
        "exclusive",
        dt.date(2026, 12, 11),
        dt.date(2031, 12, 1),
    )
    assert licence.field == "电动汽车 electric vehicles"
    deals.mark_paid_manually(deal, market.admin, "ICBC 2026-12-12 #889")
    db.session.commit()
    assert (deal.status, deal.money_status) == ("completed", "paid")
    [closed] = db.session.scalars(select(ClosedDeal)).all()
    assert closed.price == Decimal("400000.00")
    assert closed.deal_type == "licence"
    assert closed.exclusive
    assert closed.is_generated is False
    assert "IPEX deal" in closed.note
    assert closed.field == "H01M"
    assert closed.snapshot["remaining_years"] > 10
    assert market.listing.status == "licensed"
    actions = [e.action for e in status_history(deal)]
    assert actions == ["draft_contract", "sign", "request_payment", "file_registration", "register", "mark_paid",
                       "complete"]  # fmt: skip
    assert {e.kind for e in entries_for("deals", deal.id)} >= {
        "deal.create",
        "deal.register",
        "deal.complete",
    }
    assert verify_chain() is None
    assert "deal_completed" in _kinds(market.buyer)


def test_assignment_bought_at_a_fixed_price_changes_the_owner_on_registration(make_user, frozen_clock):
    from app.market.listing_services import buy_now

    market = build_market(make_user, right_type="assignment", price_mechanism="fixed", floor_amount=None)
    deal = buy_now(market.listing, market.buyer)
    db.session.commit()
    assert deal.origin == "buy_now"
    assert deal.price_amount == Decimal("500000.00")
    deals.mark_paid_manually(deal, market.admin, "BOC 778")  # paid before signing: no payment wait
    _signed(market, deal)
    assert deal.status == "signed"
    assert registration.deadlines(deal) == []  # CN assignment: effective on registration, no deadline
    assert "CNIPA registers" in registration.effect_note(deal)
    deals.record_filing(deal, market.seller, "CNIPA-ZL-2026-7", "2026-12-01")
    deals.record_registration(deal, market.seller, "2026-12-01", "转让登记通知书 7")
    db.session.commit()
    patent = db.session.get(Patent, deal.patents[0]["id"])
    assert patent.owner_id == market.buyer.id
    assert patent.organisation_id == market.buyer.organisation_id
    assert [p.name for p in patent.parties if p.role == "owner"] == ["Buyer Co"]
    event = db.session.scalar(select(PatentEvent).where(PatentEvent.patent_id == patent.id))
    assert event.event_type == "assignment"
    assert event.summary == "Seller Univ → Buyer Co"
    assert deal.status == "completed"
    assert market.listing.status == "sold"
    assert db.session.scalar(select(ClosedDeal)).deal_type == "assignment"


def test_us_assignment_gets_the_three_month_recording_deadline(make_user, frozen_clock):
    market = build_market(make_user, right_type="assignment")
    deal = _agreed(market)
    deal.patents = [{**deal.patents[0], "jurisdiction": "US"}]
    deal.contract_effective_on = dt.date(2026, 11, 30)
    [deadline] = registration.deadlines(deal)
    assert (deadline.kind, deadline.due_on) == ("uspto_assignment_recording", dt.date(2027, 2, 28))


def test_open_licence_deal_keeps_the_listing_open_and_adds_no_second_licence(make_user, frozen_clock):
    from app.market.open_licence import accept_open_licence

    market = build_market(
        make_user, right_type="open_licence", price_mechanism="fixed", ask_amount="20000", floor_amount=None,
        field_of_use="", territory="", term_months="", royalty_rate="",
    )  # fmt: skip
    acceptance = accept_open_licence(market.listing, market.buyer)
    db.session.commit()
    deal = db.session.get(deals.Deal, acceptance.deal_id)
    assert deal.origin == "open_licence"
    assert market.listing.status == "published"
    _signed(market, deal)
    assert "open_licence" in deal.contract.template
    deals.record_filing(deal, market.seller, "OL-REC-1", "2026-12-01")
    deals.record_registration(deal, market.seller, "2026-12-01")
    db.session.commit()
    licences = db.session.scalars(select(PatentLicence).where(PatentLicence.licence_type == "non_exclusive"))
    assert len(licences.all()) == 1  # recorded once, at acceptance


def test_registering_before_signing_is_a_409_with_the_allowed_actions(market):
    deal = _agreed(market)
    with pytest.raises(InvalidTransition) as caught:
        deals.record_filing(deal, market.seller, "X-1", "2026-12-01")
    assert caught.value.status == "agreed"
    assert set(caught.value.allowed) == {"draft_contract", "cancel"}
    with pytest.raises(InvalidTransition):
        deals.record_registration(deal, market.seller, "2026-12-01")


def test_signing_twice_and_signing_a_changed_text_are_refused(market):
    deal = _agreed(market)
    contract = deals.draft_contract(deal, market.seller, "en")
    deals.sign_contract(deal, market.seller, "Prof. Chen", contract.text_sha256)
    with pytest.raises(Conflict):
        deals.sign_contract(deal, market.colleague, "Colleague", contract.text_sha256)  # same side
    with pytest.raises(Conflict):
        deals.sign_contract(deal, market.buyer, "Liu", "0" * 64)
    with pytest.raises(DealInvalid) as caught:
        deals.sign_contract(deal, market.buyer, " ", contract.text_sha256)
    assert "typed_name" in caught.value.fields
    with pytest.raises(Conflict):  # someone signed: no redraft
        deals.draft_contract(deal, market.buyer, "zh")


def test_a_contract_signed_by_both_cannot_change(market):
    from app.market.deal_models import ContractLocked

    deal = _signed(market)
    deal.contract.text = deal.contract.text + "\nA clause slipped in later."
    with pytest.raises(ContractLocked):
        db.session.commit()
    db.session.rollback()


def test_redraft_in_another_language_before_anyone_signs(market):
    deal = _agreed(market)
    first = deals.draft_contract(deal, market.seller, "zh")
    second = deals.draft_contract(deal, market.buyer, "en")
    db.session.commit()
    assert first.superseded_at is not None
    assert deal.contract is second
    assert "PATENT LICENCE AGREEMENT" in second.text
    assert "Buyer Co" in second.text
    assert "CNY 400,000.00" in second.text


@pytest.mark.parametrize(
    ("user", "sees"),
    [
        ("seller", True),
        ("colleague", True),
        ("buyer", True),
        ("admin", True),
        ("rival", False),
        ("stranger", False),
    ],
)
def test_only_parties_and_admins_see_a_deal(market, user, sees):
    deal = _agreed(market)
    who = getattr(market, user)
    assert deals.can_view_deal(who, deal) is sees
    assert (deal in db.session.scalars(deals.deals_of(who)).all()) is sees


def test_only_the_seller_side_records_the_filing_and_only_admins_mark_paid(market):
    deal = _signed(market)
    with pytest.raises(PermissionDenied):
        deals.record_filing(deal, market.buyer, "X-1", "2026-12-01")
    with pytest.raises(PermissionDenied):
        deals.mark_paid_manually(deal, market.seller, "REF-1")
    with pytest.raises(PermissionDenied):
        deals.sign_contract(deal, market.stranger, "Mallory", deal.contract.text_sha256)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"filing_number": "", "filed_on": "2026-12-01"}, "filing_number"),
        ({"filing_number": "F-1", "filed_on": "01/12/2026"}, "filed_on"),
        ({"filing_number": "F-1", "filed_on": "2027-01-01"}, "filed_on"),  # in the future
        ({"filing_number": "F-1", "filed_on": "2026-11-01"}, "filed_on"),  # before signing
    ],
)
def test_filing_fields_are_checked(market, kwargs, field):
    deal = _signed(market)
    with pytest.raises(DealInvalid) as caught:
        deals.record_filing(deal, market.seller, **kwargs)
    assert field in caught.value.fields


def test_cancel_with_reason_reopens_the_listing_and_only_from_some_states(market):
    deal = _agreed(market)
    with pytest.raises(DealInvalid):
        deals.cancel_deal(deal, market.buyer, "")
    deals.cancel_deal(deal, market.buyer, "Board did not approve the budget.")
    db.session.commit()
    assert deal.status == "cancelled"
    assert deal.cancel_reason == "Board did not approve the budget."
    assert market.listing.status == "published"
    assert "deal_cancelled" in _kinds(market.seller)
    filed = _signed(market)
    deals.record_filing(filed, market.seller, "F-9", "2026-12-01")
    with pytest.raises(InvalidTransition):
        deals.cancel_deal(filed, market.buyer, "Too late to cancel.")


def test_dispute_and_resolution_return_to_the_previous_step(market):
    deal = _signed(market)
    deals.raise_dispute(deal, market.buyer, "The seller has not sent the files.")
    db.session.commit()
    assert deal.status == "disputed"
    assert "deal_disputed" in _kinds(market.seller)
    with pytest.raises(PermissionDenied):
        deals.resolve_dispute(deal, market.seller, "Sent now.")
    with pytest.raises(PermissionDenied):
        deals.cancel_deal(deal, market.buyer, "We give up on it.")
    deals.resolve_dispute(deal, market.admin, "Files delivered on 2 Dec.")
    db.session.commit()
    assert deal.status == "awaiting_payment"


def test_daily_deadline_reminder_is_sent_once_a_day(market, frozen_clock):
    deal = _signed(market)  # effective 1 Dec 2026: recordal due 1 Mar 2027
    market.buyer.locale = market.seller.locale = "en"  # reminders are written in each reader's language
    db.session.commit()
    frozen_clock.advance(dt.timedelta(days=80))  # 19 Feb: 10 days left
    run_tick("t")
    run_tick("t")
    assert _kinds(market.seller).count("deadline_near") == 1
    frozen_clock.advance(dt.timedelta(days=1))
    run_tick("t")
    assert _kinds(market.buyer).count("deadline_near") == 2
    note = db.session.scalar(select(Notification).where(Notification.kind == "deadline_near"))
    assert "three months" in note.body
    assert deal.reference in note.body


def test_allowed_actions_follow_the_roles(market):
    deal = _agreed(market)
    assert deals.allowed_deal_actions(market.seller, deal) == ["draft_contract", "cancel"]
    assert deals.allowed_deal_actions(market.stranger, deal) == []
    assert "mark_paid" in deals.allowed_deal_actions(market.admin, deal)
