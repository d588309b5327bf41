"""A rights-holder imports a real USPTO XML file and reads the row report; an expert profile shows specialties."""

from playwright.sync_api import expect

from app.accounts.models import Role
from app.catalogue import people_services
from app.extensions import db
from tests.catalogue.conftest import FIXTURES, GOOD_EXPERT, GOOD_PATENT, USPTO, require_shared
from tests.conftest import DEFAULT_PASSWORD
from tests.e2e.conftest import log_in, screenshot


def test_rights_holder_imports_uspto_xml_and_sees_the_report(make_user, page):
    path = require_shared(USPTO / "ipg130416.small.xml")
    holder = make_user(email="holder@example.com", roles=(Role.RIGHTS_HOLDER,), organisation="浙江大学")
    log_in(page, holder.email, DEFAULT_PASSWORD)

    page.goto("/catalogue/import")
    page.set_input_files("input[name=file]", str(path))
    page.click("main form button[type=submit]")
    # The import runs in the background and the page polls it: wait for the report itself, however
    # loaded the machine is, rather than for the context's default few seconds.
    expect(page.locator(".cat-report")).to_contain_text("全部 25 条记录已导入", timeout=300_000)
    screenshot(page, "catalogue_import_report_ok")

    page.goto("/catalogue/import")
    page.set_input_files("input[name=file]", str(FIXTURES / "patents_bad.csv"))
    page.click("main form button[type=submit]")
    report = page.locator(".cat-report")
    expect(report).to_contain_text("未导入任何记录", timeout=300_000)
    expect(page.locator(".cat-errors tbody tr").first).to_contain_text("第 3 行")
    screenshot(page, "catalogue_import_report_errors")

    page.goto("/my/records")
    expect(page.locator("#my-patents-h")).to_contain_text("25")
    page.locator("table.table a").first.click()
    expect(page.locator(".cat-number")).to_contain_text("US ")
    screenshot(page, "catalogue_patent_detail_us")


def test_expert_profile_shows_specialties(make_user, page):
    admin = make_user(email="admin@example.com", roles=(Role.ADMIN,))
    expert = people_services.create_expert(
        None,
        {
            **GOOD_EXPERT,
            "title": "资产评估师",
            "organisation": "杭州中信资产评估有限公司",
            "biography_zh": "十五年无形资产评估经验。",
        },
        owner=admin,
    )
    db.session.commit()
    page.goto("/experts")
    expect(page.locator(".cat-expert-card")).to_contain_text("王平")
    screenshot(page, "catalogue_experts_directory")
    page.goto(f"/experts/{expert.id}")
    expect(page.locator(".cat-specialties")).to_contain_text("H01M")
    expect(page.locator(".cat-specialties")).to_contain_text("G06F")
    expect(page.locator("#conflicts-h")).to_have_text("利益冲突")
    screenshot(page, "catalogue_expert_profile")
    page.set_viewport_size({"width": 390, "height": 800})
    screenshot(page, "catalogue_expert_profile_phone")


def test_patent_detail_on_a_phone(make_user, page):
    from app.catalogue import services

    holder = make_user(email="holder@example.com", roles=(Role.RIGHTS_HOLDER,))
    patent = services.create_patent(holder, GOOD_PATENT)
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"/patents/{patent.id}")
    expect(page.locator("h1")).to_have_text("一种锂离子电池")
    expect(page.locator(".cat-number")).to_contain_text("CN 118866379 A")
    screenshot(page, "catalogue_patent_detail_phone")
