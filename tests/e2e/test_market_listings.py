"""Browser: a seller lists a patent for an exclusive licence, the DD panel and valuation show, an
administrator publishes it, a buyer accepts the NDA and opens a confidential document, and an
open licence is accepted in one step. In Chinese and in English; screenshots in tests/e2e/screenshots."""

import pytest

from app.core.actors import ensure_system_actor
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD
from tests.e2e.conftest import screenshot
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller, store_valuation

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def market(app, make_user, tmp_path):
    app.instance_path = str(tmp_path / "instance")
    ensure_system_actor()
    from app.accounts.models import Role

    seller = make_seller(
        make_user, name="浙江大学技术转移中心", email="seller@example.com", display_name="陈教授"
    )
    buyer = make_buyer(make_user, name="宁波智造装备有限公司", email="buyer@example.com", display_name="刘总")
    admin = make_user(email="admin@example.com", roles=(Role.ADMIN,), organisation="IPEX", verified=True)
    patent = make_patent(seller)
    store_valuation(patent, "600000", "900000", "1400000", listing_type="licence")
    open_patent = make_patent(seller, subclass="G06F")
    store_valuation(open_patent, "30000", "60000", "90000", listing_type="licence")
    db.session.commit()
    open_listing = make_listing(
        seller, [open_patent], "published", right_type="open_licence", price_mechanism="fixed",
        ask_amount="50000", field_of_use="", territory="", title_zh="数据压缩专利开放许可",
        title_en="Open licence: data compression",
    )  # fmt: skip
    return {"seller": seller, "buyer": buyer, "admin": admin, "patent": patent, "open": open_listing}


def _log_in(page, email):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _log_out(page):
    page.context.clear_cookies()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_list_publish_nda_and_open_licence(browser, live_server, market, locale, tmp_path):
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    tag = "zh" if locale.startswith("zh") else "en"
    zh = tag == "zh"

    # The seller lists the patent for an exclusive licence.
    _log_in(page, "seller@example.com")
    page.goto(f"/market/listings/new?patent={market['patent'].id}")
    page.select_option("#right_type", "exclusive_licence")
    page.select_option("#price_mechanism", "negotiable")
    page.fill("#ask_amount", "80万")
    page.fill("#field_of_use", "电动汽车 electric vehicles")
    page.fill("#territory", "中国大陆 Mainland China")
    page.fill("#term_months", "60")
    page.fill("#royalty_rate", "3.5")
    page.fill("#title_zh", "高能量密度正极材料独占许可")
    page.fill("#title_en", "Exclusive licence: high-density cathode")
    page.fill("#summary_zh", "能量密度提升 15%，已完成中试，适合动力电池企业。")
    page.fill("#summary_en", "Raises energy density by 15%; proven at pilot scale.")
    screenshot(page, f"market_{tag}_01_listing_form")
    page.click("form.mk-form button[type=submit]")
    page.wait_for_selector("#dd-h")
    text = page.inner_text("main")
    assert ("尽职调查" if zh else "Due diligence") in text
    assert ("估值区间" if zh else "Valuation range") in text
    assert ("要价在估值区间内" if zh else "The ask is within the valuation range.") in text
    assert "P50" in text
    screenshot(page, f"market_{tag}_02_draft_with_dd_and_valuation")
    listing_url = page.url

    # A confidential document in the data room, then submit for review.
    page.click("a[href$='/data-room']")
    pdf = tmp_path / "test-report.pdf"
    pdf.write_bytes(PDF)
    page.fill("#title", "中试测试报告 Pilot test report")
    page.set_input_files("#file", str(pdf))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("text=Pilot test report")
    page.goto(listing_url)
    page.click("form[action$='/submit'] button")
    page.wait_for_selector(".flash-success")
    _log_out(page)

    # The administrator publishes it from the moderation queue.
    _log_in(page, "admin@example.com")
    page.goto("/market/admin/listings")
    screenshot(page, f"market_{tag}_03_moderation_queue")
    page.click("form[action$='/approve'] button")
    page.wait_for_selector(".flash-success")
    _log_out(page)

    # The buyer reads the listing, accepts the NDA and opens the confidential document.
    _log_in(page, "buyer@example.com")
    page.goto(listing_url)
    page.wait_for_selector("#value-h")
    assert ("已认证单位" if zh else "Verified organisation") in page.inner_text("main")
    screenshot(page, f"market_{tag}_04_buyer_listing_page")
    page.click("a[href$='/data-room']")
    assert "Pilot test report" not in page.inner_text("main")
    page.click("form[action$='/nda'] button")
    page.wait_for_selector("text=Pilot test report")
    with page.expect_download() as download:
        page.click("form[action$='/download'] button >> nth=0")
    assert download.value.suggested_filename.endswith(".pdf")
    screenshot(page, f"market_{tag}_05_data_room_after_nda")

    # An open licence accepted in one step.
    page.goto(f"/market/listings/{market['open'].id}")
    page.click("form[action$='/open-licence/accept'] button")
    page.wait_for_selector(".mk-certificate")
    assert ("开放许可证书" if zh else "Open licence certificate") in page.inner_text("main")
    assert "宁波智造装备有限公司" in page.inner_text("main")
    screenshot(page, f"market_{tag}_06_open_licence_certificate")
    _log_out(page)

    # The seller sees who opened what.
    _log_in(page, "seller@example.com")
    page.goto(listing_url.rstrip("/") + "/dashboard")
    assert "刘总" in page.inner_text("main")
    screenshot(page, f"market_{tag}_07_seller_dashboard")
    context.close()
    assert not errors, errors
