"""Open licences: declared on publish, blocked by an exclusive licence, accepted in one step."""

import pytest
from sqlalchemy import select

from app.catalogue.models import PatentLicence
from app.core.errors import Conflict, PermissionDenied
from app.core.notifications import Notification
from app.extensions import db
from app.market import listing_services
from app.market.deal_models import Deal
from app.market.open_licence import accept_open_licence
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller

OPEN = {"right_type": "open_licence", "price_mechanism": "fixed", "ask_amount": "50000", "term_months": "36",
        "field_of_use": "", "territory": ""}  # fmt: skip


@pytest.fixture(autouse=True)
def _request(app):
    """Deal notices build links with url_for, as in a request."""
    with app.test_request_context():
        yield


@pytest.fixture
def seller(make_user):
    return make_seller(make_user)


@pytest.fixture
def listing(seller):
    return make_listing(seller, [make_patent(seller)], "published", **OPEN)


def test_publishing_declares_the_open_licence_on_the_patent(app, listing):
    patent = listing.patents[0]
    assert [(lic.licence_type, lic.until is not None) for lic in patent.licences] == [("open", True)]


def test_one_step_acceptance_records_a_licence_a_certificate_and_a_deal(app, make_user, listing):
    buyer = make_buyer(make_user, name="宁波智造装备有限公司")
    acceptance = accept_open_licence(listing, buyer)
    db.session.commit()
    assert acceptance.certificate_number.startswith("OL-")
    licence = db.session.get(PatentLicence, acceptance.licence_ids[0])
    assert (licence.licence_type, licence.licensee) == ("non_exclusive", "宁波智造装备有限公司")
    deal = db.session.get(Deal, acceptance.deal_id)
    assert (deal.origin, deal.price_amount, deal.buyer_id) == ("open_licence", 50000, buyer.id)
    assert listing.status == "published"  # open to the next licensee
    seller_notes = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == listing.seller_id)
    )
    assert "open_licence_accepted" in list(seller_notes)
    with pytest.raises(Conflict):
        accept_open_licence(listing, buyer)


def test_unverified_buyer_and_the_seller_cannot_accept(app, make_user, seller, listing):
    with pytest.raises(PermissionDenied):
        accept_open_licence(listing, make_buyer(make_user, name="Unverified", verified=False))
    with pytest.raises(Conflict):
        accept_open_licence(listing, seller)


def test_an_exclusive_licence_in_force_blocks_the_open_licence(app, seller):
    patent = make_patent(seller)
    patent.licences.append(PatentLicence(licence_type="sole", licensee="ACME"))
    listing = make_listing(seller, [patent], "draft", **OPEN)
    with pytest.raises(Conflict):
        listing_services.submit_listing(listing, seller)


def test_withdrawing_ends_the_open_offer_but_keeps_granted_licences(app, make_user, seller, listing):
    accept_open_licence(listing, make_buyer(make_user))
    listing_services.withdraw_listing(listing, seller)
    patent = listing.patents[0]
    types = {lic.licence_type: lic for lic in patent.licences}
    assert types["open"].until is not None
    assert types["non_exclusive"].until is not None  # its own term, unchanged


def test_accept_through_the_page_shows_the_certificate(client, auth, make_user, listing):
    buyer = make_buyer(make_user)
    auth.login(buyer)
    response = client.post(f"/market/listings/{listing.id}/open-licence/accept")
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    assert "Open licence certificate" in page.get_data(as_text=True)


def test_buy_now_creates_a_deal_and_reserves_the_listing(app, make_user, seller):
    listing = make_listing(seller, [make_patent(seller)], "published", right_type="assignment",
                           price_mechanism="fixed", ask_amount="1200000", royalty_rate="", term_months="")  # fmt: skip
    deal = listing_services.buy_now(listing, make_buyer(make_user))
    assert (deal.origin, deal.price_amount) == ("buy_now", 1200000)
    assert listing.status == "under_offer"
    assert deal.terms["ask_amount"] == "1200000.00"
