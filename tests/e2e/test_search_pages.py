"""A buyer finds patents by a Chinese two-character word and by an English phrase with an IPC filter."""

from playwright.sync_api import expect

from app.extensions import db
from tests.catalogue.test_search import CORPUS, add_patent
from tests.e2e.conftest import screenshot


def test_buyer_finds_and_opens_patents(app, page):
    patents = {row[0]: add_patent(*row) for row in CORPUS[:7]}
    db.session.flush()
    from app.catalogue.search import index_patents

    index_patents(db.session, [p.id for p in patents.values()])
    db.session.commit()

    page.goto("/")
    page.fill("#hero-q", "电池")
    page.press("#hero-q", "Enter")
    expect(page.locator(".search-hit").first).to_contain_text("电池")
    expect(page.locator(".search-hit mark").first).to_have_text("电池")
    screenshot(page, "search_two_character_zh")
    page.locator(".search-hit h2 a", has_text="锂离子电池").click()
    expect(page.locator("h1")).to_contain_text("一种锂离子电池的制备方法")
    screenshot(page, "search_opened_cn_patent")

    page.goto("/catalogue/search")
    page.fill("#search-q", '"fuel cell"')
    page.click("text=更多筛选")
    page.fill("#f-ipc", "H01M")
    page.click("button:has-text('应用筛选')")
    expect(page.locator(".search-hit")).to_have_count(1)
    screenshot(page, "search_phrase_with_ipc")
    page.locator(".search-hit h2 a").first.click()
    expect(page.locator("h1")).to_contain_text("Fuel cell stack")
