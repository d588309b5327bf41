"""The sort control works under the Content-Security-Policy (its handler lives in a script file)."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from app.catalogue import services
from app.catalogue.search.models import SearchDocument
from app.extensions import db

VALUES = {"中值电池": Decimal("5000000"), "高值电池": Decimal("90000000"), "低值电池": Decimal("120000")}


def test_sorting_by_value_reorders_the_results(app, page):
    for i, title in enumerate(VALUES):
        patent = services.create_patent(None, {"jurisdiction": "CN", "publication_number": f"CN 11886640{i} A",
                                              "title_zh": title, "legal_status": "pending"})  # fmt: skip
        db.session.flush()
        db.session.commit()
        db.session.execute(
            db.update(SearchDocument)
            .where(SearchDocument.record_id == patent.id)
            .values(value_cny=VALUES[title])
        )
    db.session.commit()
    page.goto("/catalogue/search?q=电池")
    expect(page.locator(".search-hit")).to_have_count(3)
    page.select_option("#search-sort", "value")
    expect(page).to_have_url(re.compile(r"sort=value"))
    expect(page.locator(".search-hit h2")).to_have_text(["高值电池", "中值电池", "低值电池"])
