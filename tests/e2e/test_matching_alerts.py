"""Browser: a buyer posts a Chinese-language need; a seller then publishes a matching listing; the buyer
finds the alert, with its reasons, in the inbox, and the e-mail is in the development mailbox. Then the
buyer saves a catalogue search. In Chinese and in English; screenshots in tests/e2e/screenshots."""

import pytest
from playwright.sync_api import expect

from app.accounts.models import Role
from app.core.actors import ensure_system_actor
from app.extensions import db
from app.market import listing_services
from tests.e2e.conftest import screenshot, switch_user
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller

TEXT = {
    "zh": {
        "alert": "有新挂牌匹配您的需求",
        "reason": "同一IPC/CPC小组 H01M 4/00",
        "saved": "搜索已保存",
        "mine": "我保存的搜索",
    },
    "en": {
        "alert": "A new listing matches your need",
        "reason": "Same IPC/CPC subgroup H01M 4/00",
        "saved": "Search saved",
        "mine": "My saved searches",
    },
}


@pytest.fixture
def world(app, make_user):
    ensure_system_actor()
    seller = make_seller(
        make_user, name="浙江大学技术转移中心", email="seller@example.com", display_name="陈教授"
    )
    buyer = make_buyer(make_user, name="宁波智造装备有限公司", email="buyer@example.com", display_name="刘总")
    admin = make_user(email="admin@example.com", roles=(Role.ADMIN,), organisation="IPEX", verified=True)
    listing_services.set_auto_publish_verified(True, admin)  # the verified seller publishes directly
    listing = make_listing(seller, [make_patent(seller)], "draft")
    db.session.commit()
    return {"buyer": buyer, "listing": listing}


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_need_alert_reaches_inbox_and_mailbox(browser, live_server, world, locale):
    tag = "zh" if locale.startswith("zh") else "en"
    world["buyer"].locale = tag
    db.session.commit()
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    text = TEXT[tag]

    # The buyer posts a need in Chinese and publishes it.
    switch_user(page, "buyer@example.com")
    page.goto("/needs/new")
    page.fill("#title_zh", "寻求锂电池正极材料技术")
    page.fill("#description_zh", "我公司生产电动汽车动力电池，需要锂电池正极材料专利的独占许可。")
    page.fill("#codes", "H01M 4/00")
    page.check("input[value=exclusive_licence]")
    page.fill("#budget_max", "80万")
    expect(page.locator("#alert_min_score")).to_have_value("50")
    screenshot(page, f"alerts_{tag}_01_need_form")
    page.click("main form button[type=submit]")
    page.click("form[action$='/publish'] button")
    page.wait_for_selector(".flash-success")
    screenshot(page, f"alerts_{tag}_02_need_open")

    # The seller then publishes a matching listing.
    switch_user(page, "seller@example.com")
    page.goto(f"/market/listings/{world['listing'].id}")
    page.click("form[action$='/submit'] button")
    page.wait_for_selector(".flash-success")
    screenshot(page, f"alerts_{tag}_03_listing_published")

    # The buyer finds the alert in the inbox, with the reasons.
    switch_user(page, "buyer@example.com")
    page.goto("/notifications")
    expect(page.locator("main")).to_contain_text(text["alert"])
    expect(page.locator("main")).to_contain_text(text["reason"])
    screenshot(page, f"alerts_{tag}_04_inbox")

    # ... and a catalogue search is saved from the search page.
    page.goto("/catalogue/search?q=锂电池")
    page.fill("#save-search-name", "锂电池 batteries")
    screenshot(page, f"alerts_{tag}_05_search_page_save_form")
    page.click("form.save-search button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text(text["saved"])
    expect(page.locator("h1")).to_have_text(text["mine"])
    screenshot(page, f"alerts_{tag}_06_saved_searches")

    # The e-mail, in the buyer's language, is in the development mailbox.
    switch_user(page, "admin@example.com")
    page.goto("/admin/mailbox?to=buyer@example.com")
    expect(page.locator("main")).to_contain_text(text["alert"])
    screenshot(page, f"alerts_{tag}_07_mailbox")
    context.close()
    assert not errors, errors
