"""An owner enters the patent's own income inputs (zh), the range moves; an assessor reviews them (en)."""

from app.accounts.models import Role
from app.extensions import db
from app.valuation.batch import patent_ids, revalue
from app.valuation.seed import seed_closed_deals, seed_parameter_sets
from app.valuation.services import load_config
from tests.conftest import DEFAULT_PASSWORD
from tests.e2e.conftest import log_in, screenshot
from tests.e2e.test_valuation_flow import _mid, _patents


def test_owner_enters_income_inputs_and_an_assessor_reviews_them(page, live_server, make_user):
    owner = make_user(email="holder@ipex.demo", roles=(Role.RIGHTS_HOLDER,), display_name="张权利")
    make_user(email="assessor@ipex.demo", roles=(Role.ASSESSOR,), display_name="王评估")
    seed_parameter_sets(lambda _m: None)
    seed_closed_deals(lambda _m: None)
    patent = _patents(1)[0]
    patent.owner_id = owner.id
    db.session.commit()
    revalue(patent_ids(), load_config())
    db.session.commit()

    log_in(page, "holder@ipex.demo", DEFAULT_PASSWORD)
    page.goto(f"/valuation/patents/{patent.id}")
    before = _mid(page)
    assert "仅作示意" in page.content()  # income approaches without own revenue: illustrative
    page.get_by_test_id("enter-inputs").click()
    page.fill("textarea[name=revenue_forecast]", "500万 -1")  # a typo first
    page.fill("input[name=attribution]", "40")
    page.fill("input[name=royalty_rate]", "5")
    page.click("main form button[type=submit]")
    assert "收入不能为负" in page.content()
    screenshot(page, "valuation-income-error-zh")
    page.fill("textarea[name=revenue_forecast]", "500万 600万 700万 700万")
    page.select_option("select[name=royalty_evidence_kind]", "industry_table")
    page.fill("textarea[name=royalty_evidence]", "UNIDO 电气行业 3–4.5%")
    page.fill("input[name=economic_life_years]", "4")
    page.fill("input[name=risk_free_rate]", "2.5")
    page.fill("input[name=technology_premium]", "4")
    page.fill("input[name=market_premium]", "3")
    screenshot(page, "valuation-income-form-zh")
    page.click("main form button[type=submit]")
    assert page.locator(".flash-success").count() == 1
    after = _mid(page)
    assert after != before
    assert page.get_by_test_id("own-inputs").count() == 1
    screenshot(page, "valuation-income-report-zh")

    english = page.context.browser.new_context(
        base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 860}
    )
    english.set_default_timeout(10_000)
    page = english.new_page()
    log_in(page, "assessor@ipex.demo", DEFAULT_PASSWORD)
    page.goto(f"/valuation/patents/{patent.id}")
    assert "Income inputs entered by the owner" in page.content()
    assert page.get_by_test_id("approaches").count() == 1
    screenshot(page, "valuation-income-review-en")
    page.get_by_test_id("enter-inputs").click()
    assert page.input_value("input[name=royalty_rate]") == "5"
    page.fill("input[name=royalty_rate]", "4")
    page.fill("textarea[name=note]", "Rate lowered to the middle of the UNIDO band")
    page.click("main form button[type=submit]")
    assert page.locator(".flash-success").count() == 1
    assert "Income inputs entered by the assessor" in page.content()
    screenshot(page, "valuation-income-reviewed-en")
    english.close()
