"""The demo auctions: the whole cycle is visible after `flask seed-demo`."""

from datetime import timedelta

from sqlalchemy import select

from app.core.audit_chain import verify_chain
from app.core.clock import clock
from app.extensions import db
from app.market.auction_models import Auction


def test_seed_shows_every_stage_of_an_auction(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "4 demo auctions" in result.output
    auctions = db.session.scalars(select(Auction).order_by(Auction.id)).all()
    by_title = {auction.listing.title_en: auction for auction in auctions}
    now = clock.now()
    english = by_title["English auction: battery separator patent"]
    assert (english.status, english.kind, english.bid_count) == ("open", "english", 3)
    assert english.reserve_met
    ending = by_title["English auction ending soon: charging circuit"]
    assert now < ending.ends_at <= now + timedelta(hours=1)
    sealed = by_title["Sealed-bid auction: thermal management patent"]
    assert (sealed.status, sealed.kind, sealed.bidder_count) == ("open", "sealed", 2)
    awarded = by_title["Awarded auction: electrode coating patent"]
    assert awarded.status == "awarded"
    assert awarded.deal_id is not None
    assert awarded.listing.status == "under_offer"
    assert verify_chain() is None
