"""Browser defects found by walking the demo as its users (QA pass): each test failed before its fix."""

import pytest

from app.extensions import db
from app.market import deal_services as deals
from app.market import offer_services as offers
from tests.conftest import DEFAULT_PASSWORD
from tests.e2e.conftest import log_in, screenshot
from tests.market.deal_support import build_market


@pytest.fixture
def deal(app, make_user):
    market = build_market(make_user)
    offer = offers.make_offer(listing=market.listing, buyer=market.buyer, price="400000", actor=market.buyer)
    deal = offers.accept_offer(offer, market.seller)
    deals.draft_contract(deal, market.seller, "zh")
    db.session.commit()
    return deal


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_contract_print_button_prints(browser, live_server, deal, locale):
    """The printable contract's Print button opened no dialog: its inline onclick was blocked by the CSP."""
    context = browser.new_context(base_url=live_server, locale=locale)
    context.set_default_timeout(15_000)
    context.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    log_in(page, "seller@example.com", DEFAULT_PASSWORD)
    page.goto(f"/market/deals/{deal.id}/contract")
    page.click("button[data-print]")
    screenshot(page, f"qa_contract_print_{locale}")
    assert page.evaluate("window.__printed") == 1
    assert not [line for line in console if "Content Security Policy" in line]
    context.close()
