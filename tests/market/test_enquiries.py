"""Enquiries: threads on a listing or a project, notices, contact revealed only by the seller."""

import pytest
from sqlalchemy import select

from app.catalogue import people_services
from app.core.errors import Conflict, PermissionDenied
from app.core.notifications import Notification
from app.extensions import db
from app.market import enquiries
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller


@pytest.fixture
def seller(make_user):
    return make_seller(make_user)


@pytest.fixture
def listing(seller):
    return make_listing(seller, [make_patent(seller)], "published", contact_details="Dr Chen, 0571-1234")


def test_a_buyer_asks_and_the_seller_answers(app, make_user, seller, listing):
    buyer = make_buyer(make_user)
    thread = enquiries.open_thread(buyer, listing=listing)
    enquiries.post_message(thread, buyer, "Is the pilot line data available?")
    enquiries.post_message(thread, seller, "Yes, in the data room.")
    db.session.commit()
    assert enquiries.open_thread(buyer, listing=listing).id == thread.id  # one thread per buyer
    kinds = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "enquiry_message")
    ).all()
    assert sorted(kinds) == sorted([seller.id, buyer.id])


def test_contact_details_only_after_the_seller_reveals(app, make_user, seller, listing):
    buyer = make_buyer(make_user)
    thread = enquiries.open_thread(buyer, listing=listing)
    assert enquiries.contact_details(thread) is None
    with pytest.raises(PermissionDenied):
        enquiries.reveal_contact(thread, buyer)
    enquiries.reveal_contact(thread, seller)
    assert enquiries.contact_details(thread) == "Dr Chen, 0571-1234"


def test_strangers_cannot_read_or_write(app, make_user, listing):
    buyer, stranger = make_buyer(make_user), make_buyer(make_user, name="Other")
    thread = enquiries.open_thread(buyer, listing=listing)
    assert not enquiries.can_read(stranger, thread)
    with pytest.raises(PermissionDenied):
        enquiries.post_message(thread, stranger, "hello")


def test_no_enquiry_on_ones_own_listing(app, seller, listing):
    with pytest.raises(Conflict):
        enquiries.open_thread(seller, listing=listing)


def test_project_page_contact_through_the_platform(client, auth, make_user, seller):
    project = people_services.create_project(
        seller,
        {"reference": "P-1", "title_zh": "固态电池项目", "contact_policy": "via_platform"},
        owner=seller,
    )
    db.session.commit()
    buyer = make_buyer(make_user)
    auth.login(buyer)
    assert client.get(f"/market/projects/{project.id}/enquire").status_code == 200
    response = client.post(
        f"/market/projects/{project.id}/enquire", data={"body": "We would like to invest."}
    )
    assert response.status_code == 302
    thread_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We would like to invest." in thread_page
    assert (
        db.session.scalar(select(Notification.user_id).where(Notification.kind == "enquiry_message"))
        == seller.id
    )
