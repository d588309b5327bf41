"""An assessor weighs the CNIPA indicators by AHP (an inconsistent matrix is refused naming the pair,
then fixed and saved into a draft), the owner writes the engagement and the assessor signs it off;
in Chinese and in English."""

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.valuation.batch import patent_ids, revalue
from app.valuation.seed import seed_closed_deals, seed_parameter_sets
from app.valuation.services import load_config
from tests.conftest import DEFAULT_PASSWORD
from tests.e2e.conftest import SCREENSHOTS, log_in, screenshot
from tests.e2e.test_valuation_flow import _patents

TEXT = {
    "zh": {
        "pair": "行业发展趋势与配套技术依存度",
        "decimal": "不要写成 0.33",
        "saved": "已保存到您的草稿",
        "signed": "已签署",
        "statutory": "不是法定资产评估报告",
    },
    "en": {
        "pair": "Industry trend against Dependence on complementary technology",
        "decimal": "not as 0.33",
        "saved": "Saved into your draft",
        "signed": "Signed off",
        "statutory": "not a statutory appraisal report",
    },
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_assessor_weighs_indicators_by_ahp_and_signs_the_engagement(page, live_server, make_user, lang):
    owner = make_user(email="holder@ipex.demo", roles=(Role.RIGHTS_HOLDER,), display_name="张权利")
    make_user(email="assessor@ipex.demo", roles=(Role.ASSESSOR,), display_name="王评估")
    seed_parameter_sets(lambda _m: None)
    seed_closed_deals(lambda _m: None)
    patents = _patents()
    patents[1].owner_id = owner.id
    db.session.commit()
    revalue(patent_ids(), load_config())  # the scores the calibration ranks in
    revalue(patent_ids(), load_config())
    db.session.commit()
    text = TEXT[lang]
    if lang == "en":
        english = page.context.browser.new_context(
            base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 860}
        )
        english.set_default_timeout(10_000)
        page = english.new_page()

    log_in(page, "assessor@ipex.demo", DEFAULT_PASSWORD)
    page.goto("/valuation/workbench")
    page.click("a[href$='/valuation/workbench/ahp/indicators']")
    page.click("a[href$='dimension=technical']")
    page.fill("input[name=p_1_3]", "9")
    page.fill("input[name=p_0_1]", "0.33")
    page.click("button[name=check]")
    assert text["decimal"] in page.locator("#p_0_1-error").inner_text()
    page.fill("input[name=p_0_1]", "3")
    page.click("button[name=check]")
    assert text["pair"] in page.get_by_test_id("ahp-worst").inner_text()
    screenshot(page, f"ahp-indicators-inconsistent-{lang}")
    page.fill("input[name=p_1_3]", "1")
    page.fill("input[name=p_0_2]", "3")
    page.click("button[name=check]")
    assert page.get_by_test_id("ahp-worst").count() == 0
    assert "0.10" in page.get_by_test_id("ahp-cr").inner_text()
    page.click("button[name=save]")
    assert text["saved"] in page.locator(".flash-success").inner_text()
    screenshot(page, f"ahp-indicators-saved-{lang}")

    page.context.clear_cookies()
    log_in(page, "holder@ipex.demo", DEFAULT_PASSWORD)
    page.goto(f"/valuation/patents/{patents[1].id}")
    assert text["statutory"] in page.get_by_test_id("statutory").inner_text()
    page.get_by_test_id("new-engagement").click()
    page.select_option("select[name=purpose]", "pledge")
    page.fill("input[name=valuation_date]", "2026-11-30")
    page.fill("input[name=right_valued]", "所有权，全球" if lang == "zh" else "Ownership, worldwide")
    page.fill(
        "textarea[name=special_matters]",
        "无效宣告请求审查中" if lang == "zh" else "An invalidation request is pending",
    )
    page.click("main form button[type=submit]")
    assert page.get_by_test_id("sign-form").count() == 0  # the owner cannot sign

    page.context.clear_cookies()
    log_in(page, "assessor@ipex.demo", DEFAULT_PASSWORD)
    page.goto(f"/valuation/patents/{patents[1].id}")
    page.get_by_test_id("engagement").scroll_into_view_if_needed()
    page.fill("input[name=signer_name]", "王评估")
    page.fill("input[name=qualification]", "资产评估师 33000123")
    page.check("input[name=confirm]")
    page.get_by_test_id("sign-form").locator("button[type=submit]").click()
    assert text["signed"] in page.get_by_test_id("engagement-status").inner_text()
    assert "王评估" in page.get_by_test_id("signed-by").inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.get_by_test_id("engagement").screenshot(path=str(SCREENSHOTS / f"engagement-signed-{lang}.png"))
    page.get_by_test_id("calibration").screenshot(path=str(SCREENSHOTS / f"calibration-{lang}.png"))
