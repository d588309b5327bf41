"""Browser: an assessor opens a patent page and sees recommended experts, the conflicted expert
excluded with the reason and who recorded it; a buyer dismisses a match and finds it again under
"show dismissed". In Chinese and in English; screenshots in tests/e2e/screenshots."""

import pytest

from app.accounts.models import Role
from app.catalogue import people_services
from app.core.actors import ensure_system_actor
from app.extensions import db
from app.matching import experts, services
from tests.e2e.conftest import screenshot, switch_user
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller

TEXT = {
    "zh-CN": {
        "experts": "推荐评估专家",
        "excluded": "已排除：与权利人存在利益冲突（代理过该公司的专利诉讼），登记人 平台管理员",
        "specialty": "专长于同一IPC/CPC小类 H01M",
        "dismiss": "忽略",
        "show": "显示已忽略的匹配",
        "dismissed": "已忽略",
    },
    "en": {
        "experts": "Recommended experts for an assessment",
        "excluded": "Excluded: conflict with the owner (代理过该公司的专利诉讼), recorded by 平台管理员",
        "specialty": "Specialises in the same IPC/CPC subclass H01M",
        "dismiss": "Dismiss this match",
        "show": "Show dismissed matches",
        "dismissed": "Dismissed",
    },
}
EXPERT = {
    "specialties_ipc": ["H01M"],
    "qualifications": ["certified_asset_appraiser"],
    "biography_zh": "长期从事锂电池正极材料专利评估。",
    "biography_en": "Values lithium battery cathode patents.",
    "availability": "available",
}


@pytest.fixture
def world(app, make_user):
    ensure_system_actor()
    owner = make_seller(
        make_user, name="杭州新能电池科技有限公司", email="owner@example.com", display_name="赵经理"
    )
    buyer = make_buyer(make_user, name="宁波智造装备有限公司", email="buyer@example.com", display_name="刘总")
    admin = make_user(email="admin@example.com", roles=(Role.ADMIN,), display_name="平台管理员")
    make_user(email="assessor@example.com", roles=(Role.ASSESSOR,), display_name="王评估")
    patent = make_patent(owner)
    listing = make_listing(owner, [make_patent(owner)], "published", title_zh="锂电池正极材料专利独占许可")
    people_services.create_expert(None, {**EXPERT, "name": "王平", "name_en": "Wang Ping"}, owner=admin)
    conflicted = people_services.create_expert(
        None, {**EXPERT, "name": "张伟", "name_en": "Zhang Wei", "qualifications": ["lawyer"]}, owner=admin
    )
    db.session.flush()
    experts.record_conflict(conflicted, admin, "代理过该公司的专利诉讼", organisation=owner.organisation)
    need = services.create_need(
        buyer,
        {
            "title_zh": "寻求锂电池正极材料技术",
            "description_zh": "需要锂电池正极材料专利。",
            "codes": "H01M 4/00",
        },
    )
    services.transition(need, "publish", buyer)
    db.session.commit()
    return {"patent": patent, "need": need, "listing": listing}


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_assessor_sees_experts_and_buyer_dismisses_a_match(browser, live_server, world, locale):
    text = TEXT[locale]
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    switch_user(page, "assessor@example.com")
    page.goto(f"/patents/{world['patent'].id}")
    section = page.locator("#experts")
    section.get_by_role("heading", name=text["experts"]).wait_for()
    assert section.locator(".mt-expert").count() == 1
    assert "王平" in section.locator(".mt-expert").inner_text()
    assert text["specialty"] in section.inner_text()
    assert text["excluded"] in section.locator(".mt-excluded").inner_text()
    section.scroll_into_view_if_needed()
    screenshot(page, f"matching-patent-experts-{locale}")

    switch_user(page, "buyer@example.com")
    page.goto(f"/needs/{world['need'].id}")
    match = page.locator(f".mt-match[data-kind=listing]:has(a[href$='/listings/{world['listing'].id}'])")
    match.wait_for()
    screenshot(page, f"matching-need-before-dismiss-{locale}")
    match.get_by_role("button", name=text["dismiss"], exact=True).click()
    page.wait_for_load_state()
    assert match.count() == 0
    page.get_by_role("link", name=text["show"]).click()
    page.wait_for_load_state()
    assert text["dismissed"] in match.inner_text()
    screenshot(page, f"matching-need-dismissed-{locale}")
    context.close()
    assert not errors


def test_weights_four_eyes_in_the_browser(browser, live_server, app, make_user):
    ensure_system_actor()
    make_user(email="admin1@example.com", roles=(Role.ADMIN,), display_name="管理员甲")
    make_user(email="admin2@example.com", roles=(Role.ADMIN,), display_name="管理员乙")
    context = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    switch_user(page, "admin1@example.com")
    page.goto("/admin/matching/weights")
    page.fill("#w-text", "2")
    page.click("main form button[type=submit]")
    page.get_by_text("请输入0到1之间的数字。").wait_for()
    page.fill("#w-text", "0.5")
    page.fill("#w-reason", "提高文本权重")
    page.click("main form button[type=submit]")
    page.get_by_role("button", name="提交审批").click()
    page.get_by_role("button", name="批准并启用").click()
    page.get_by_text("四眼原则").wait_for()
    switch_user(page, "admin2@example.com")
    page.goto("/admin/matching/weights")
    page.get_by_role("button", name="批准并启用").click()
    page.wait_for_load_state()
    row = page.locator("tr[data-version='1']")
    assert "使用中" in row.inner_text()
    screenshot(page, "matching-weights-zh-CN")
    context.close()
