"""Listing services without HTTP: create, validate, lifecycle, permissions, valuation, search."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.catalogue.models import PatentLicence, PatentPledge
from app.catalogue.search.models import SearchDocument
from app.catalogue.validation import ValidationFailed
from app.core.actors import system_actor
from app.core.audit_chain import AuditLogEntry, verify_chain
from app.core.errors import Conflict, PermissionDenied
from app.core.lifecycle import InvalidTransition, StatusEvent
from app.core.notifications import Notification
from app.extensions import db
from app.market import listing_services as services
from app.market import listing_valuation, watchlist
from app.market.listing_models import Listing
from tests.market.listing_support import (
    listing_data,
    make_buyer,
    make_listing,
    make_patent,
    make_seller,
    store_valuation,
)


@pytest.fixture(autouse=True)
def _english(app):
    """Messages asserted below are the English ones."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def seller(make_user):
    return make_seller(make_user)


@pytest.fixture
def patent(seller):
    patent = make_patent(seller)
    db.session.commit()
    return patent


def test_create_listing_stores_exact_money_and_terms(app, seller, patent):
    listing = services.create_listing(
        seller, listing_data([patent], ask_amount="12.5万", milestones="首次销售: 20万")
    )
    db.session.commit()
    assert listing.status == "draft"
    assert listing.ask_amount == Decimal("125000.00")
    assert listing.milestones == [{"label": "首次销售", "amount": "200000.00"}]
    snapshot = listing.terms_snapshot()
    assert snapshot["ask_amount"] == "125000.00"
    assert snapshot["royalty_rate"] == "3.5"
    assert snapshot["patent_ids"] == [patent.id]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ask_amount": "-5"}, "ask_amount"),
        ({"ask_amount": "abc"}, "ask_amount"),
        ({"price_mechanism": "fixed", "ask_amount": ""}, "ask_amount"),
        ({"floor_amount": "900000"}, "floor_amount"),
        ({"royalty_rate": "120"}, "royalty_rate"),
        ({"term_months": "0"}, "term_months"),
        ({"right_type": "rent"}, "right_type"),
        ({"ends_at": "2001-01-01"}, "ends_at"),
        ({"right_type": "open_licence", "price_mechanism": "negotiable"}, "price_mechanism"),
        ({"patent_ids": [], "project_id": ""}, "patent_ids"),
        ({"title_zh": "", "title_en": ""}, "title_zh"),
        ({"milestones": "no amount here"}, "milestones"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(app, seller, patent, overrides, field):
    with pytest.raises(ValidationFailed) as error:
        services.create_listing(seller, listing_data([patent], **overrides))
    assert field in error.value.fields
    db.session.rollback()
    assert db.session.scalar(select(Listing.id)) is None


def test_only_the_owner_or_its_organisation_may_list_a_patent(app, make_user, seller, patent):
    stranger = make_seller(make_user, name="Stranger Co")
    with pytest.raises(ValidationFailed) as error:
        services.create_listing(stranger, listing_data([patent]))
    assert "patent_ids" in error.value.fields
    colleague = make_user(roles=(), organisation=None)
    colleague.organisation_id = seller.organisation_id
    db.session.commit()
    assert services.create_listing(colleague, listing_data([patent])).patents == [patent]


def test_submit_needs_a_verified_organisation(app, make_user):
    unverified = make_seller(make_user, name="New Co", verified=False)
    listing = services.create_listing(unverified, listing_data([make_patent(unverified)]))
    with pytest.raises(Conflict, match="verified"):
        services.submit_listing(listing, unverified)
    assert listing.status == "draft"


def test_lifecycle_writes_events_and_the_audit_chain(app, seller, patent, make_user):
    admin = make_user(roles=(__import__("app.accounts.models", fromlist=["Role"]).Role.ADMIN,))
    listing = make_listing(seller, [patent], "submitted")
    services.reject_listing(listing, admin, "Explain the field of use")
    services.submit_listing(listing, seller)
    services.approve_listing(listing, admin)
    db.session.commit()
    events = db.session.scalars(select(StatusEvent).where(StatusEvent.subject_type == "listings")).all()
    assert [(e.action, e.to_status) for e in events] == [
        ("submit", "submitted"),
        ("reject", "rejected"),
        ("submit", "submitted"),
        ("approve", "published"),
    ]
    assert events[1].reason == "Explain the field of use"
    assert verify_chain() is None
    kinds = db.session.scalars(
        select(AuditLogEntry.kind).where(AuditLogEntry.subject_type == "listings")
    ).all()
    assert "listing.approve" in kinds
    assert "listing.create" in kinds


def test_invalid_transition_names_the_allowed_actions(app, seller, patent):
    listing = make_listing(seller, [patent], "withdrawn")
    with pytest.raises(InvalidTransition) as error:
        services.submit_listing(listing, seller)
    assert error.value.status == "withdrawn"
    assert error.value.allowed == ["relist"]


def test_reject_needs_an_administrator_and_a_reason(app, seller, patent, make_user):
    listing = make_listing(seller, [patent], "submitted")
    with pytest.raises(PermissionDenied):
        services.reject_listing(listing, seller, "no")
    from app.accounts.models import Role

    admin = make_user(roles=(Role.ADMIN,))
    with pytest.raises(ValidationFailed):
        services.reject_listing(listing, admin, "  ")


def test_verified_sellers_skip_moderation_when_the_policy_says_so(app, seller, patent, make_user):
    from app.accounts.models import Role

    admin = make_user(roles=(Role.ADMIN,))
    services.set_auto_publish_verified(True, admin)
    listing = make_listing(seller, [patent], "submitted")
    assert listing.status == "published"
    event = db.session.scalars(select(StatusEvent).where(StatusEvent.action == "approve")).one()
    assert event.actor_id == system_actor().id


def test_blocking_diligence_stops_submission_with_what_to_fix(app, seller, patent):
    patent.licences.append(
        PatentLicence(licence_type="exclusive", licensee="ACME", field=None, territory=None)
    )
    listing = make_listing(seller, [patent])
    with pytest.raises(Conflict, match="exclusive"):
        services.submit_listing(listing, seller)
    assert listing.status == "draft"


def test_assignment_with_a_pledge_needs_the_pledgees_consent(app, seller, patent):
    patent.pledges.append(PatentPledge(pledgee="杭州银行", registered_on=dt.date(2023, 1, 1)))
    listing = make_listing(seller, [patent], right_type="assignment", royalty_rate="", term_months="")
    with pytest.raises(Conflict, match="杭州银行"):
        services.submit_listing(listing, seller)
    services.update_listing(listing, seller, {"pledgee_consent": True})
    services.submit_listing(listing, seller)
    assert listing.status == "submitted"


def test_published_price_change_notifies_watchers(app, seller, patent, make_user):
    listing = make_listing(seller, [patent], "published")
    buyer = make_buyer(make_user)
    watchlist.watch(buyer, listing=listing)
    services.update_listing(listing, seller, {"ask_amount": "450000"})
    db.session.commit()
    note = db.session.scalars(select(Notification).where(Notification.user_id == buyer.id)).one()
    assert note.kind == "listing_price_changed"
    assert "450,000.00" in note.body


def test_expiry_after_the_end_date(app, seller, patent, frozen_clock):
    listing = make_listing(seller, [patent], "published", ends_at="2026-12-05")
    assert services.expire_due_listings() == 0
    frozen_clock.advance(dt.timedelta(days=5))
    assert services.expire_due_listings() == 1
    assert listing.status == "expired"
    assert services.expire_due_listings() == 0


def test_published_listing_feeds_the_search_document(app, seller, patent):
    make_listing(seller, [patent], "published", ask_amount="300000")
    doc = db.session.scalar(
        select(SearchDocument).where(
            SearchDocument.doc_type == "patent", SearchDocument.record_id == patent.id
        )
    )
    assert doc.price_cny == Decimal("300000.00")
    assert doc.deal_types == ",licence,"


def test_valuation_places_the_ask_and_apportions_a_bundle(app, seller):
    first, second = make_patent(seller), make_patent(seller)
    store_valuation(first, "100000", "300000", "600000")
    store_valuation(second, "50000", "100000", "200000")
    listing = make_listing(seller, [first, second], ask_amount="800000")
    value = listing_valuation.listing_value(listing)
    assert (value.low, value.mid, value.high) == (Decimal("150000"), Decimal("400000"), Decimal("800000"))
    assert value.placement == "within"
    assert [p.apportioned_ask for p in value.parts] == [Decimal("600000.00"), Decimal("200000.00")]
    services.update_listing(listing, seller, {"ask_amount": "900000"})
    assert listing_valuation.listing_value(listing).placement == "above"


def test_licence_valuation_is_preferred_for_a_licence(app, seller, patent):
    store_valuation(patent, "1", "2", "3", listing_type="default")
    store_valuation(patent, "10", "20", "30", listing_type="licence")
    listing = make_listing(seller, [patent])
    assert listing_valuation.listing_value(listing).mid == Decimal("20")
