"""A browser's view count does not retire the anonymous page cache; other writes still do."""

from sqlalchemy import select

from app.core.page_cache import data_version
from app.extensions import db
from app.market.listing_models import ListingView
from tests.market.listing_support import make_listing, make_patent, make_seller


def test_view_count_keeps_the_data_version(app, client, make_user):
    seller = make_seller(make_user)
    listing = make_listing(seller, [make_patent(seller)], "published")
    db.session.commit()
    db.session.execute(select(1))  # the commit's second bump comes when the connection is next used
    db.session.rollback()
    version = data_version(app)
    assert client.post(f"/market/listings/{listing.id}/seen").status_code == 204
    assert db.session.scalar(select(ListingView.count)) == 1  # counted and committed
    assert data_version(app) == version
    listing.title_en = "A changed title"
    db.session.commit()  # the next write on the same pooled connection is not quiet
    assert data_version(app) != version
