"""Browser: the licensee reports a quarter's net sales on the deal page, sees the invoice with its
calculation and starts paying it by bank transfer; the licensor sees what is overdue. In Chinese and
in English; screenshots in tests/e2e/screenshots/royalty_<lang>_*.png."""

from datetime import timedelta

import pytest

from tests.e2e.conftest import screenshot, switch_user
from tests.payments.royalty_support import QUARTER, royalty_market


@pytest.mark.parametrize(("locale", "lang"), [("zh-CN", "zh"), ("en", "en")])
def test_licensee_reports_and_pays_a_royalty(
    browser, live_server, app, make_user, frozen_clock, locale, lang
):
    with app.test_request_context():
        market = royalty_market(make_user, minimum_annual_royalty="100000")
    frozen_clock.advance(QUARTER)
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    switch_user(page, "buyer@example.com")
    page.goto(f"/market/deals/{market.deal.id}#royalties")
    section = page.locator("section.royalties")
    section.locator("input[name=net_sales]").fill("-5")
    section.locator("button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator(".royalties .error, .royalties [role=alert], .field-error").count() >= 1
    screenshot(page, f"royalty_{lang}_refused")
    page.locator("input[name=net_sales]").fill("125000")
    page.locator("section.royalties button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "3.5% × 125000.00 = 4375.00" in page.locator(".royalty-calculation").first.inner_text()
    page.locator("form[action*='royalty-invoices'] button").click()
    page.wait_for_load_state()
    assert "IPEX-R" in page.locator("section.royalties").inner_text()
    screenshot(page, f"royalty_{lang}_invoice")

    frozen_clock.advance(timedelta(days=130))  # period 2 (to 2027-05-31) was due on 2027-06-30
    switch_user(page, "seller@example.com")
    page.goto(f"/market/deals/{market.deal.id}#royalties")
    assert page.locator(".royalty-overdue").is_visible()
    assert page.locator("section.royalties input[name=net_sales]").count() == 0
    screenshot(page, f"royalty_{lang}_licensor")
    context.close()
