"""Browser: an auction that requires a deposit. The buyer is refused with a link to pay it, pays by
bank transfer, an administrator records the receipt, and the buyer then bids. In Chinese and in
English; screenshots in tests/e2e/screenshots/deposit_<lang>_*.png."""

from datetime import timedelta
from decimal import Decimal

import pytest

from app.accounts.models import Role
from app.core.money import Money
from app.extensions import db
from app.payments import deposits
from app.payments.deposit_models import AuctionDeposit
from tests.e2e.conftest import screenshot, switch_user
from tests.market.auction_support import make_auction, make_bidder, make_seller


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_buyer_pays_the_deposit_by_transfer_and_then_bids(
    browser, live_server, app, make_user, stopped_clock, locale
):
    seller = make_seller(make_user, email="seller@example.com")
    auction = make_auction(seller, start="10000", duration=timedelta(days=2))
    deposits.set_terms(auction, seller, Money(Decimal("2000")), 7)
    db.session.commit()
    make_bidder(make_user, auction, email="alice@example.com")
    make_user(email="admin@example.com", roles=(Role.ADMIN,), organisation="IPEX", verified=True)
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    tag = "zh" if locale.startswith("zh") else "en"
    pay_label = "缴纳保证金" if tag == "zh" else "Pay the deposit"

    switch_user(page, "alice@example.com")
    page.goto(f"/market/auctions/{auction.id}")
    assert page.locator(".auction-deposit").is_visible()  # shown to bidders
    assert not page.locator(".auction-bid-form").count()
    link = page.locator("a.auction-refusal-link")
    assert link.inner_text().strip() == pay_label
    screenshot(page, f"deposit_{tag}_refused_with_link")
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/payments/auctions/{auction.id}/deposit")
    page.click(".deposit-panel button[type=submit]")
    page.wait_for_load_state()
    reference = db.session.scalar(db.select(AuctionDeposit.reference))
    assert page.get_by_text(reference).first.is_visible()
    screenshot(page, f"deposit_{tag}_bank_instructions")

    switch_user(page, "admin@example.com")
    page.goto("/payments/admin/deposits")
    page.fill("input[name=bank_reference]", "BOC-DEP-778")
    page.fill("input[name=amount]", "2,000.00")
    page.click("td form button[type=submit]")
    page.wait_for_load_state()
    screenshot(page, f"deposit_{tag}_admin_recorded")

    switch_user(page, "alice@example.com")
    page.goto(f"/payments/auctions/{auction.id}/deposit")
    assert page.locator(".deposit-status").inner_text().strip() == (
        "保证金已缴纳" if tag == "zh" else "Deposit held"
    )
    screenshot(page, f"deposit_{tag}_held")
    page.goto(f"/market/auctions/{auction.id}")
    page.fill("input[name=amount]", "10000")
    page.click(".auction-bid-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".auction-leading").is_visible()
    screenshot(page, f"deposit_{tag}_bid_placed")
    context.close()
    assert not errors, errors
