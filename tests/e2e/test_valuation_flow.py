"""An assessor changes the ensemble weights, previews, a second assessor approves, the range moves."""

import datetime as dt

from app.accounts.models import Role
from app.catalogue.models import Patent, PatentClassification
from app.extensions import db
from app.valuation.batch import patent_ids, revalue
from app.valuation.seed import seed_closed_deals, seed_parameter_sets
from app.valuation.services import load_config
from tests.conftest import DEFAULT_PASSWORD
from tests.e2e.conftest import log_in, screenshot


def _patents(n: int = 4) -> list[Patent]:
    out = []
    for i in range(n):
        filing = dt.date(2012 + 2 * i, 3, 1)
        patent = Patent(
            jurisdiction="CN",
            publication_number=f"CN{112000000 + i}",
            patent_type="invention",
            title_zh=f"锂电池热管理系统及方法（{i + 1}）",
            title_en=f"Lithium battery thermal management ({i + 1})",
            filing_date=filing,
            grant_date=filing + dt.timedelta(days=800),
            expiry_date=filing.replace(year=filing.year + 20),
            legal_status="granted",
            family_countries=["CN", "US", "EP"][: 1 + i % 3],
            family_size=1 + i % 3,
            claims_count=8 + 4 * i,
            independent_claims_count=2,
            forward_citations=3 * i,
            backward_citations=6,
        )
        patent.classifications = [
            PatentClassification(
                scheme="ipc", code="H01M 10/0525", search_key="H01M10/0525", subclass="H01M", is_main=True
            )
        ]
        db.session.add(patent)
        out.append(patent)
    db.session.commit()
    return out


def _mid(page) -> str:
    return page.get_by_test_id("fair-mid").inner_text().strip()


def test_assessor_changes_weights_and_second_assessor_approves(page, make_user):
    author = make_user(email="assessor@ipex.demo", roles=(Role.ASSESSOR,), display_name="王评估")
    make_user(email="assessor2@ipex.demo", roles=(Role.ASSESSOR,), display_name="李审核")
    seed_parameter_sets(lambda _m: None)
    seed_closed_deals(lambda _m: None)
    patents = _patents()
    revalue(patent_ids(), load_config())
    db.session.commit()
    assert author.id

    log_in(page, "assessor@ipex.demo", DEFAULT_PASSWORD)
    page.goto(f"/valuation/patents/{patents[1].id}")
    before = _mid(page)
    screenshot(page, "valuation-report-zh")

    page.goto("/valuation/workbench")
    screenshot(page, "valuation-workbench")
    page.click("a[href$='/valuation/workbench/models/ensemble']")
    page.click("form[action$='/models/ensemble/drafts'] button")
    page.fill("input[name=w__default__rfr]", "0.1")
    page.fill("input[name=w__default__market_comps]", "0.1")
    page.fill("input[name=w__default__cnipa_pvd]", "0.8")
    page.fill("textarea[name=reason]", "更重视专利价值度指标")
    screenshot(page, "valuation-edit-weights")
    page.click("form.val-form button[type=submit]")
    page.click("a[href$='/preview']")
    assert page.get_by_test_id("preview-table").locator("tbody tr").count() == len(patents)
    screenshot(page, "valuation-preview")
    page.go_back()
    page.fill("form[action$='/submit'] textarea[name=reason]", "请复核")
    page.click("form[action$='/submit'] button")
    assert (
        page.locator("form[action$='/approve']").count() == 0
    )  # four eyes: no approve button for the author
    screenshot(page, "valuation-submitted")

    page.context.clear_cookies()
    log_in(page, "assessor2@ipex.demo", DEFAULT_PASSWORD)
    page.goto("/valuation/workbench")
    page.click("#queue-h ~ table a")
    page.fill("form[action$='/approve'] textarea[name=reason]", "同意")
    page.click("form[action$='/approve'] button")
    assert page.locator(".flash-success").count() == 1
    screenshot(page, "valuation-approved")

    page.goto(f"/valuation/patents/{patents[1].id}")
    after = _mid(page)
    assert after != before
    screenshot(page, "valuation-report-after")
    page.goto(f"/valuation/patents/{patents[1].id}/print")
    screenshot(page, "valuation-print")
