"""The demo listings: a dozen published across right types and mechanisms, idempotent."""

from sqlalchemy import func, select

from app.extensions import db
from app.market.listing_models import Listing
from app.market.seed import DEMO, seed_listings
from tests.market.listing_support import make_patent


def test_seed_publishes_demo_listings_once_and_leaves_others_alone(app, make_user):
    from app.accounts.seed import seed_accounts
    from app.accounts.services import find_user_by_email

    seed_accounts(lambda _line: None)
    holder, company = find_user_by_email("holder@ipex.demo"), find_user_by_email("company@ipex.demo")
    for owner in (holder, company):
        for _ in range(8):
            make_patent(owner)
    db.session.commit()
    seed_listings(lambda _line: None)
    db.session.commit()
    rows = db.session.scalars(select(Listing)).all()
    assert len(rows) == len(DEMO) == 12
    assert {row.status for row in rows} == {"published"}
    assert {row.right_type for row in rows} >= {"assignment", "exclusive_licence", "open_licence"}
    assert any(row.is_bundle for row in rows)
    mine = rows[0]
    mine.ask_amount = 777
    db.session.commit()
    seed_listings(lambda _line: None)
    db.session.commit()
    assert db.session.scalar(select(func.count(Listing.id))) == 12
    assert db.session.get(Listing, mine.id).ask_amount == 777
