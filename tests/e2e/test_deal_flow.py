"""Browser: negotiation to registration. A buyer offers on a published exclusive licence, the seller
counters (changing a term), the buyer accepts, both sign the generated contract, the seller records
the filing and the registration, an administrator records the payment, and the deal completes: the
patent's licence record and the comparables table update and the audit log verifies.
In Chinese and in English; screenshots in tests/e2e/screenshots/deal_<lang>_*.png."""

import pytest
from sqlalchemy import select

from app.accounts.models import Role, User
from app.catalogue.models import PatentLicence
from app.core.audit_chain import verify_chain
from app.extensions import db
from app.market.deal_models import Deal
from app.valuation.models import ClosedDeal
from tests.e2e.conftest import screenshot, switch_user
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller, store_valuation


@pytest.fixture
def market(app, make_user):
    seller = make_seller(
        make_user, name="浙江大学技术转移中心", email="seller@example.com", display_name="陈教授"
    )
    make_buyer(make_user, name="宁波智造装备有限公司", email="buyer@example.com", display_name="刘总")
    make_user(email="admin@example.com", roles=(Role.ADMIN,), organisation="IPEX", verified=True)
    patent = make_patent(seller)
    store_valuation(patent, "600000", "900000", "1400000", listing_type="licence")
    db.session.commit()
    listing = make_listing(
        seller, [patent], "published", ask_amount="80万", floor_amount="50万",
        title_zh="高能量密度正极材料独占许可", title_en="Exclusive licence: high-density cathode",
    )  # fmt: skip
    return {"listing": listing, "patent": patent}


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_negotiation_to_registration(browser, live_server, market, locale):
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    tag = "zh" if locale.startswith("zh") else "en"
    zh = tag == "zh"
    listing_id = market["listing"].id

    # The buyer makes an offer from the listing page.
    switch_user(page, "buyer@example.com")
    page.goto(f"/market/listings/{listing_id}")
    page.click("details.deal-offer-panel > summary")
    page.fill("form.deal-offer-form #price", "70万")
    page.fill("form.deal-offer-form #message", "希望尽快签约。")
    screenshot(page, f"deal_{tag}_01_offer_form")
    page.click("form.deal-offer-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert ("¥700,000.00" if zh else "¥700,000.00") in page.inner_text("main") or "70万" in page.inner_text(
        "main"
    )

    # The seller sees it in the inbox and counters with a shorter term.
    switch_user(page, "seller@example.com")
    assert int(page.inner_text(".badge-count")) >= 1  # the offer (and the listing's publication)
    page.goto("/notifications")
    assert ("收到新报价" if zh else "New offer on") in page.inner_text("main")
    screenshot(page, f"deal_{tag}_02_seller_inbox")
    page.click("form.inbox-actions button[name=open]")
    page.wait_for_selector(".deal-offer")
    page.click("details.deal-counter > summary")
    offer_id = page.get_attribute(".deal-offer", "id").removeprefix("offer-")
    page.fill(f"#price-{offer_id}", "75万")
    page.fill("details.deal-counter [name=term_months]", "48")
    screenshot(page, f"deal_{tag}_03_counter_form")
    page.click("form[action$='/counter'] button[type=submit]")
    page.wait_for_selector(".flash-success")

    # The buyer accepts the counter-offer: the deal is created.
    switch_user(page, "buyer@example.com")
    page.goto(f"/market/listings/{listing_id}/offers")
    page.click("form[action$='/accept'] button")
    page.wait_for_selector(".deal-steps")
    deal_url = page.url
    assert ("已达成" if zh else "Agreed") in page.inner_text(".deal-steps")

    # The buyer drafts the contract and signs it; then the seller signs.
    page.click("form[action$='/contract'] button[type=submit]")
    page.wait_for_selector(".deal-contract-text")
    contract_text = page.inner_text(".deal-contract-text")
    assert "宁波智造装备有限公司" in contract_text
    assert "CNY 750,000.00" in contract_text
    assert ("48 个月" if zh else "48 months") in contract_text
    page.fill("#typed_name", "刘总")
    screenshot(page, f"deal_{tag}_04_contract_to_sign")
    page.click("form[action$='/sign'] button[type=submit]")
    page.wait_for_selector(".flash-success")
    switch_user(page, "seller@example.com")
    page.goto(deal_url)
    page.fill("#typed_name", "陈教授")
    page.click("form[action$='/sign'] button[type=submit]")
    page.wait_for_selector(".deal-deadline")
    assert ("待付款" if zh else "Awaiting payment") in page.inner_text(".deal-steps")
    assert ("国家知识产权局备案" if zh else "recorded with CNIPA") in page.inner_text("#registration")
    screenshot(page, f"deal_{tag}_05_signed_with_deadline")

    # The seller records the filing, then the registration.
    page.fill("#filing_number", "2026-LR-330100-0001")
    page.click("form[action$='/filing'] button[type=submit]")
    page.wait_for_selector("form[action$='/registration']")
    page.fill("#notice", "备案证明 2026330100001")
    page.click("form[action$='/registration'] button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert ("已登记" if zh else "Registered") in page.inner_text(".deal-steps .current")
    screenshot(page, f"deal_{tag}_06_registered")

    # The administrator records the payment: the deal completes.
    switch_user(page, "admin@example.com")
    page.goto(deal_url)
    page.fill("#reference", "ICBC 2026-12-01 0001")
    page.click("form[action$='/paid'] button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert ("已完成" if zh else "Completed") in page.inner_text(".deal-steps .current")
    screenshot(page, f"deal_{tag}_07_completed_with_trail")
    page.goto(deal_url.rstrip("/") + "/contract")
    assert "陈教授" in page.inner_text("body")
    assert "刘总" in page.inner_text("body")
    screenshot(page, f"deal_{tag}_08_printable_contract")
    context.close()
    assert not errors, errors

    db.session.expire_all()
    deal = db.session.scalar(select(Deal))
    assert (deal.status, deal.money_status, deal.price_amount) == ("completed", "paid", 750000)
    licence = db.session.scalar(select(PatentLicence).where(PatentLicence.patent_id == market["patent"].id))
    assert (licence.licensee, licence.licence_type) == ("宁波智造装备有限公司", "exclusive")
    closed = db.session.scalar(select(ClosedDeal))
    assert closed.reference == f"deal-{deal.id}-{market['patent'].id}"
    assert not closed.is_generated
    assert verify_chain() is None


def test_offer_deal_inbox_and_my_market_pages_pass_axe(page, market):
    """axe-core: no serious or critical violations on the negotiation and deal pages."""
    from app.market import deal_services, offer_services
    from app.market.deal_models import Deal as DealModel
    from tests.e2e.test_accessibility import serious_violations

    listing = market["listing"]
    buyer = db.session.scalar(select(User).where(User.email == "buyer@example.com"))
    offer = offer_services.make_offer(listing=listing, buyer=buyer, price="70万", actor=buyer)
    offer_services.counter_offer(offer, listing.seller, price="75万")
    db.session.commit()
    offers_page = f"/market/listings/{listing.id}/offers"
    switch_user(page, "buyer@example.com")
    problems = {}
    for path in (offers_page, "/notifications", "/market/my"):
        page.goto(path)
        if found := serious_violations(page):
            problems[path] = found
    page.goto(offers_page)
    page.click("form[action$='/accept'] button")
    page.wait_for_selector(".deal-steps")
    deal = db.session.scalar(select(DealModel))
    deal_services.draft_contract(deal, buyer, "zh")
    db.session.commit()
    page.goto(f"/market/deals/{deal.id}")
    if found := serious_violations(page):
        problems["deal"] = found
    screenshot(page, "deal_zh_axe_deal_page")
    assert problems == {}
