"""Browser: an English auction with a hidden reserve. Two buyers bid against each other with proxy
maximums, a late bid extends the close, the auction closes from the tick, the winner opens the deal,
and the bid history and the audit log show every step. In Chinese and in English; screenshots in
tests/e2e/screenshots/auction_<lang>_*.png."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.audit_chain import AuditLogEntry, verify_chain
from app.extensions import db
from app.market.auction_jobs import close_due_auctions
from app.market.auction_models import Auction
from tests.e2e.conftest import screenshot, switch_user
from tests.market.auction_support import make_auction, make_bidder, make_seller


def _bid(page, auction_id, amount):
    page.goto(f"/market/auctions/{auction_id}")
    page.fill("input[name=amount]", amount)
    page.click(".auction-bid-form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_english_auction_from_bids_to_deal(browser, live_server, app, make_user, stopped_clock, locale):
    seller = make_seller(make_user, email="seller@example.com")
    auction = make_auction(
        seller,
        start="10000",
        reserve="60000",
        duration=timedelta(minutes=10),
        hard_extra=timedelta(minutes=30),
    )
    make_bidder(make_user, auction, email="alice@example.com")
    make_bidder(make_user, auction, email="bob@example.com")
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    tag = "zh" if locale.startswith("zh") else "en"

    switch_user(page, "alice@example.com")
    _bid(page, auction.id, "50000")
    assert page.locator(".auction-leading").is_visible()
    countdown = page.locator("[data-countdown]").inner_text()
    assert countdown.count(":") == 2  # the live countdown runs
    assert ("还剩" if tag == "zh" else " left") in countdown  # and says what it counts

    switch_user(page, "bob@example.com")
    _bid(page, auction.id, "40000")  # below Alice's secret maximum: the proxy defends her
    assert page.locator(".auction-outbid").is_visible()
    _bid(page, auction.id, "70000")
    assert page.locator(".auction-leading").is_visible()
    screenshot(page, f"auction_{tag}_bob_leads")

    stopped_clock.advance(timedelta(minutes=8))  # two minutes left
    switch_user(page, "alice@example.com")
    _bid(page, auction.id, "90000")
    assert page.locator("#ext-h").is_visible()  # the late bid moved the close
    db.session.expire_all()
    assert db.session.get(Auction, auction.id).ends_at == stopped_clock.now() + timedelta(minutes=5)

    stopped_clock.advance(timedelta(minutes=6))
    assert close_due_auctions() == 1
    page.goto(f"/market/auctions/{auction.id}")
    assert not page.locator(".auction-leading").count()  # closed: the winner is named instead
    screenshot(page, f"auction_{tag}_awarded_winner")
    page.click("a[href*='/market/deals/']")
    page.wait_for_load_state()
    assert "/market/deals/" in page.url
    screenshot(page, f"auction_{tag}_deal")

    switch_user(page, "seller@example.com")
    page.goto(f"/market/auctions/{auction.id}")
    rows = page.locator(".auction-history tbody tr")
    assert rows.count() == 4
    db.session.expire_all()
    closed = db.session.get(Auction, auction.id)
    assert (closed.status, closed.hammer_price) == ("awarded", 71000)
    kinds = db.session.scalars(
        select(AuditLogEntry.kind).where(
            AuditLogEntry.subject_type == "auctions", AuditLogEntry.subject_id == auction.id
        )
    ).all()
    assert kinds.count("auction.bid") == 4
    assert "auction.extend" in kinds
    assert "auction.award" in kinds
    assert verify_chain() is None
    context.close()
    assert not errors, errors
