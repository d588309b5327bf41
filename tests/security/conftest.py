"""Security fixtures: a user in each role, and API token headers."""

import pytest

import app.models  # noqa: F401  (every table on the metadata before the PostgreSQL database is created)
from app.accounts.models import Role
from app.accounts.services import create_api_token
from app.extensions import db


@pytest.fixture
def holder(make_user):
    return make_user(email="holder@example.com", roles=(Role.RIGHTS_HOLDER,))


@pytest.fixture
def bearer():
    """bearer(user) -> headers carrying a fresh personal API token for that user."""

    def headers(user) -> dict:
        _token, plaintext = create_api_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {plaintext}", "Accept": "application/json"}

    return headers


# --- a small world for the route crawl and the authorization matrix -------------------------

ROLES = ("anonymous", "admin", "assessor", "rights_holder", "buyer")


@pytest.fixture
def world(app, make_user):
    """One user per role and one record of every kind (the rights-holder owns them; a second
    holder owns a hidden patent), with the valuation models' parameter sets active."""
    from app.catalogue import people_services, services
    from app.valuation.seed import seed_closed_deals, seed_parameter_sets
    from tests.catalogue.conftest import GOOD_EXPERT, GOOD_PATENT, GOOD_PROJECT

    users = {
        "admin": make_user(email="admin@example.com", roles=(Role.ADMIN,)),
        "assessor": make_user(email="assessor@example.com", roles=(Role.ASSESSOR,)),
        "rights_holder": make_user(email="holder@example.com", roles=(Role.RIGHTS_HOLDER,)),
        "buyer": make_user(email="buyer@example.com", roles=(Role.BUYER,)),
    }
    stranger = make_user(email="stranger@example.com", roles=(Role.RIGHTS_HOLDER,))
    owner = users["rights_holder"]
    patent = services.create_patent(None, GOOD_PATENT, owner=owner)
    hidden = services.create_patent(
        None, {**GOOD_PATENT, "publication_number": "CN118866380A"}, owner=stranger
    )
    db.session.flush()
    services.moderate(hidden, None, "hide", "Under review")
    project = people_services.create_project(None, GOOD_PROJECT, owner=owner)
    expert = people_services.create_expert(None, GOOD_EXPERT, owner=owner)
    token, _plaintext = create_api_token(owner, "crawl")
    from app.catalogue.import_models import DONE, ImportJob

    job = ImportJob(
        user=owner, file_name="p.csv", stored_path="imports/0/p.csv", requested_format="auto", status=DONE
    )
    db.session.add(job)
    seed_parameter_sets(lambda _line: None)
    seed_closed_deals(lambda _line: None)  # as in the demo: market comparables need deals
    db.session.commit()
    from app.valuation.models import ParameterSet

    ids = {
        "patent_id": patent.id,
        "record_id": patent.id,
        "job_id": job.id,
        "project_id": project.id,
        "expert_id": expert.id,
        "user_id": owner.id,
        "organisation_id": owner.organisation_id,
        "token_id": token.id,
        "set_id": db.session.scalar(db.select(ParameterSet.id).limit(1)),
        "hidden_patent_id": hidden.id,
    }
    with app.test_request_context():  # deal notices build links with url_for
        ids |= _market_world(users, patent)
        ids |= _needs_and_payments_world(users)
    tokens = {role: create_api_token(user, "matrix")[1] for role, user in users.items()}
    db.session.commit()
    return {"users": users, "ids": ids, "tokens": tokens}


def _market_world(users: dict, patent) -> dict[str, int]:
    """The rights-holder's published listings, built through the market's services: one with the
    buyer's open offer, an enquiry and a data room document, one whose accepted offer became a deal,
    an open licence the buyer accepted, and an auction the buyer bid in."""
    import io
    from datetime import timedelta
    from decimal import Decimal

    from app.core.clock import clock
    from app.core.money import Money
    from app.market import auction_services, dataroom, enquiries
    from app.market import deal_services as deals
    from app.market import offer_services as offers
    from app.market.open_licence import accept_open_licence
    from tests.market.auction_support import accept_nda
    from tests.market.auction_support import make_listing as make_auction_listing
    from tests.market.listing_support import make_listing, make_patent

    owner, buyer = users["rights_holder"], users["buyer"]
    for user in (owner, buyer):
        user.organisation.verified_at = clock.now()
    listing = make_listing(owner, [patent], "published", floor_amount="300000")
    offer = offers.make_offer(listing=listing, buyer=buyer, price="400000", actor=buyer)
    thread = enquiries.open_thread(buyer, listing=listing)
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    message = enquiries.post_message(  # notifies the owner
        thread, buyer, "Is the pilot line data available?", io.BytesIO(pdf), "questions.pdf"
    )
    document = dataroom.upload_document(listing, owner, io.BytesIO(pdf), "report.pdf", "Report", True)
    doomed = dataroom.upload_document(listing, owner, io.BytesIO(pdf), "old.pdf", "Old report", False)
    sold = make_listing(owner, [make_patent(owner)], "published", floor_amount="300000")
    deal = offers.accept_offer(
        offers.make_offer(listing=sold, buyer=buyer, price="400000", actor=buyer), owner
    )
    deals.draft_contract(deal, owner, "zh")
    open_terms = {"right_type": "open_licence", "price_mechanism": "fixed", "ask_amount": "50000"}
    licensed = make_listing(owner, [make_patent(owner)], "published", term_months="36", **open_terms)
    acceptance = accept_open_licence(licensed, buyer)
    now = clock.now()
    auction = auction_services.configure_auction(
        make_auction_listing(owner),
        owner,
        auction_services.AuctionSettings(
            kind="english",
            start_price=Money(Decimal("10000")),
            reserve=None,
            reserve_disclosed=False,
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(days=3),
            hard_end_at=now + timedelta(days=3, hours=1),
            soft_close_minutes=5,
        ),
    )
    db.session.commit()
    accept_nda(auction.listing, buyer)
    bid = auction_services.place_bid(auction.id, buyer, Money(Decimal("10000")))
    db.session.commit()
    return {
        "listing_id": listing.id,
        "offer_id": offer.id,
        "thread_id": thread.id,
        "market.enquiry_attachment:message_id": message.id,  # (admin.mailbox_message has its own)
        "document_id": document.id,
        "market.document_delete:document_id": doomed.id,  # deleting must not take the one downloaded
        "deal_id": deal.id,
        "acceptance_id": acceptance.id,
        "auction_id": auction.id,
        "bid_id": bid.bid.id,
        "notification_id": _owners_notification(owner),
    }


def _owners_notification(owner) -> int:
    from app.core.notifications import Notification

    return db.session.scalar(db.select(Notification.id).where(Notification.user_id == owner.id).limit(1))


def _needs_and_payments_world(users: dict) -> dict[str, int]:
    """Through the services: the buyer's published public need, and the buyer's open payment for a
    second deal both parties signed."""
    from app.market import deal_services as deals
    from app.market import offer_services as offers
    from app.matching import services as needs
    from app.payments import services as payments
    from tests.market.listing_support import make_listing, make_patent
    from tests.matching.test_needs_pages import FORM

    owner, buyer = users["rights_holder"], users["buyer"]
    need = needs.create_need(buyer, {k: v for k, v in FORM.items() if k != "currency"})
    needs.transition(need, "publish", buyer)
    listing = make_listing(owner, [make_patent(owner)], "published", floor_amount="300000")
    deal = offers.accept_offer(
        offers.make_offer(listing=listing, buyer=buyer, price="400000", actor=buyer), owner
    )
    contract = deals.draft_contract(deal, owner, "zh")
    deals.sign_contract(deal, owner, "Owner", contract.text_sha256)
    deals.sign_contract(deal, buyer, "Buyer", contract.text_sha256)
    payment, _step = payments.start_payment(deal, buyer)
    db.session.commit()
    from app.matching.saved_searches import save_search

    saved = [save_search(buyer, f"Batteries {i}", {"q": "电池"}) for i in range(3)]
    db.session.commit()
    return {
        "need_id": need.id,
        "seller_id": owner.id,
        "payment_id": payment.id,
        "saved_id": saved[0].id,
        "saved_searches.delete:saved_id": saved[1].id,
        "api_saved_searches.delete_saved_search:saved_id": saved[2].id,
    }
