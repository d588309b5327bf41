"""Listing pages: the buyer's view, the seller's form and actions, moderation, dashboard, home page."""

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.extensions import db
from app.market.listing_models import Listing, ListingView
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller, store_valuation


@pytest.fixture
def seller(make_user):
    return make_seller(make_user)


@pytest.fixture
def patent(seller):
    patent = make_patent(seller)
    store_valuation(patent, "400000", "600000", "900000", listing_type="licence")
    db.session.commit()
    return patent


def test_listing_page_shows_summary_terms_diligence_and_valuation(client, seller, patent):
    listing = make_listing(seller, [patent], "published")
    page = client.get(f"/market/listings/{listing.id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for expected in (
        "Raises energy density",
        "Rights package",
        "Due diligence",
        "Valuation range",
        "P50",
        "The ask is within the valuation range.",
        "Verified organisation",
        "ensemble 1.0.0",
    ):
        assert expected in text
    zh = client.get(f"/market/listings/{listing.id}", headers={"Accept-Language": "zh"}).get_data(
        as_text=True
    )
    assert "尽职调查" in zh
    assert "提升能量密度" in zh


def test_a_get_never_writes_views_come_from_a_post(client, seller, patent):
    listing = make_listing(seller, [patent], "published")
    client.get(f"/market/listings/{listing.id}")
    assert db.session.scalar(select(ListingView.id)) is None
    assert client.post(f"/market/listings/{listing.id}/seen").status_code == 204
    assert db.session.scalar(select(ListingView.count)) == 1


def test_seller_creates_a_listing_through_the_form(client, auth, seller, patent):
    auth.login(seller)
    form = client.get(f"/market/listings/new?patent={patent.id}")
    assert form.status_code == 200
    response = client.post(
        "/market/listings/new",
        data={
            "patent_ids": [str(patent.id)],
            "right_type": "exclusive_licence",
            "price_mechanism": "negotiable",
            "currency": "CNY",
            "ask_amount": "50万",
            "title_zh": "独占许可",
            "contact_rule": "platform_only",
            "project_id": "",
        },
    )
    assert response.status_code == 302
    listing = db.session.scalars(select(Listing)).one()
    assert listing.ask_amount == 500000
    assert client.post(f"/market/listings/{listing.id}/submit").status_code == 302
    db.session.refresh(listing)
    assert listing.status == "submitted"


def test_form_errors_rerender_with_the_values_kept(client, auth, seller, patent):
    auth.login(seller)
    response = client.post(
        "/market/listings/new",
        data={
            "patent_ids": [str(patent.id)],
            "right_type": "assignment",
            "price_mechanism": "fixed",
            "currency": "CNY",
            "ask_amount": "lots",
            "title_zh": "转让",
            "contact_rule": "platform_only",
            "project_id": "",
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Enter an amount such as" in text
    assert 'value="lots"' in text


def test_admin_moderation_queue_approves_and_returns(client, auth, make_user, seller, patent):
    admin = make_user(roles=(Role.ADMIN,))
    first = make_listing(seller, [patent], "submitted")
    second = make_listing(seller, [make_patent(seller)], "submitted")
    auth.login(admin)
    assert "锂电池" in client.get("/market/admin/listings").get_data(as_text=True)
    client.post(f"/market/admin/listings/{first.id}/approve")
    client.post(f"/market/admin/listings/{second.id}/reject", data={"reason": "Add an English summary"})
    db.session.expire_all()
    assert db.session.get(Listing, first.id).status == "published"
    assert db.session.get(Listing, second.id).rejection_reason == "Add an English summary"


def test_dashboard_draws_the_funnel_chart(client, auth, seller, patent):
    listing = make_listing(seller, [patent], "published")
    client.post(f"/market/listings/{listing.id}/seen")
    auth.login(seller)
    page = client.get(f"/market/listings/{listing.id}/dashboard", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<svg" in text
    assert "Views (1)" in text


def test_home_page_shows_newest_listings(client, seller, patent):
    make_listing(seller, [patent], "published")
    assert "锂电池正极材料独占许可" in client.get("/", headers={"Accept-Language": "zh"}).get_data(
        as_text=True
    )


def test_watch_list_page(client, auth, make_user, seller, patent):
    listing = make_listing(seller, [patent], "published")
    buyer = make_buyer(make_user)
    auth.login(buyer)
    client.post(f"/market/listings/{listing.id}/watch")
    assert "锂电池正极材料独占许可" in client.get("/market/watchlist").get_data(as_text=True)


def test_catalogue_search_filters_by_listing_deal_type_and_price(client, seller, patent):
    make_listing(seller, [patent], "published", ask_amount="300000")
    unlisted = make_patent(seller)
    db.session.commit()
    from app.catalogue.search import rebuild

    rebuild(db.session)
    db.session.commit()
    page = client.get(
        "/catalogue/search?listed=1&deal=licence&price_max=50万", headers={"Accept-Language": "en"}
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="listed" value="1" checked' in text
    assert f"/patents/{patent.id}" in text
    assert f"/patents/{unlisted.id}" not in text
    assert f"/patents/{patent.id}" not in client.get("/catalogue/search?listed=1&price_max=20万").get_data(
        as_text=True
    )
    assert f"/patents/{patent.id}" not in client.get("/catalogue/search?deal=assignment").get_data(
        as_text=True
    )


def test_a_listing_without_an_asking_price_still_counts_as_listed(client, seller, patent):
    make_listing(seller, [patent], "published", ask_amount="")
    text = client.get("/catalogue/search?listed=1").get_data(as_text=True)
    assert f"/patents/{patent.id}" in text


@pytest.mark.parametrize(
    ("language", "title"), [("zh", "一种锂电池正极材料"), ("en", "Cathode material for lithium batteries")]
)
def test_the_listing_form_names_patents_by_official_number_in_the_readers_language(
    client, auth, seller, patent, language, title
):
    """The patent picker showed CN115577160 with the Chinese title to everyone; the official form of
    the number (CN 115577160 B) and the reader's language are what the rest of the site shows."""
    from app.catalogue.display import publication_display

    auth.login(seller)
    page = client.get("/market/listings/new", headers={"Accept-Language": language}).get_data(as_text=True)
    with client.application.test_request_context():
        number = publication_display(patent)
    assert " " in number
    assert f"{number} · {title}" in page
