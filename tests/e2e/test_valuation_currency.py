"""A US patent's valuation report in the browser shows the range in yuan and in US dollars, naming the
rate and its date, in Chinese and in English."""

import datetime as dt
from decimal import Decimal

import pytest

from app.catalogue.models import Patent, PatentClassification
from app.core.actors import system_actor
from app.extensions import db
from app.valuation import fx
from app.valuation.seed import seed_closed_deals, seed_parameter_sets
from app.valuation.services import value_patent
from tests.e2e.conftest import screenshot


def _us_patent() -> Patent:
    patent = Patent(
        jurisdiction="US",
        publication_number="US11223344",
        patent_type="invention",
        title_zh="电池热管理系统",
        title_en="Battery thermal management system",
        filing_date=dt.date(2018, 3, 1),
        grant_date=dt.date(2020, 6, 2),
        expiry_date=dt.date(2038, 3, 1),
        legal_status="granted",
        family_countries=["US", "CN"],
        family_size=2,
        claims_count=14,
        independent_claims_count=2,
        forward_citations=4,
        backward_citations=6,
    )
    patent.classifications = [
        PatentClassification(
            scheme="ipc", code="H01M 10/0525", search_key="H01M10/0525", subclass="H01M", is_main=True
        )
    ]
    db.session.add(patent)
    db.session.commit()
    return patent


@pytest.mark.parametrize(
    ("locale", "heading", "rate_text"),
    [
        ("zh-CN", "以专利所在地货币计（美元）", "7.1 元/美元"),
        ("en-GB", "In the patent's currency (US dollar)", "7.1 yuan per US dollar"),
    ],
)
def test_a_us_patents_report_shows_yuan_and_dollars(browser, live_server, locale, heading, rate_text):
    seed_parameter_sets(lambda _m: None)
    seed_closed_deals(lambda _m: None)
    fx.add_rate("USD", Decimal("7.1"), dt.date(2025, 1, 1), "PBOC central parity", system_actor())
    patent = _us_patent()
    value_patent(patent)
    db.session.commit()
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": 1280, "height": 860}
    )
    page = context.new_page()
    try:
        page.goto(f"/valuation/patents/{patent.id}")
        page.get_by_test_id("original-currency").wait_for()
        block = page.get_by_test_id("original-currency")
        assert heading in block.inner_text()
        assert rate_text in page.get_by_test_id("fx-rate").inner_text()
        assert "$" in page.get_by_test_id("fair-mid-original").inner_text()
        assert "¥" in page.get_by_test_id("fair-mid").inner_text()
        assert page.get_by_test_id("fair-mean").is_visible()
        block.scroll_into_view_if_needed()
        screenshot(page, f"valuation-currency-{locale}", full_page=False)
    finally:
        context.close()
