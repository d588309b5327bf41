"""axe-core audit of the catalogue and valuation pages (no serious or critical violations)."""

import datetime as dt

from app.accounts.models import Role
from app.catalogue import services
from app.extensions import db
from app.valuation import engagements
from app.valuation.seed import seed_valuation
from tests.conftest import DEFAULT_PASSWORD
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import serious_violations

PATENT = {
    "jurisdiction": "CN",
    "publication_number": "CN118866379A",
    "patent_type": "invention",
    "title_zh": "一种锂电池热管理方法",
    "title_en": "Thermal management of lithium batteries",
    "abstract_zh": "本发明公开了一种电池热管理方法。",
    "filing_date": "2021-03-02",
    "grant_date": "2023-05-06",
    "legal_status": "granted",
    "ipc_codes": ["H01M 10/0525"],
    "claims_count": 10,
    "independent_claims_count": 2,
}


ENGAGEMENT = {
    "purpose": "transfer",
    "basis_of_value": "market_value",
    "valuation_date": dt.date(2026, 11, 30),
    "right_valued": "所有权",
    "general_assumptions": "交易假设",
    "special_assumptions": "",
    "special_matters": "",
}


def test_catalogue_and_valuation_pages_pass_axe(page, make_user):
    make_user(email="assessor@ipex.demo", roles=(Role.ASSESSOR,), organisation=None)
    make_user(email="assessor2@ipex.demo", roles=(Role.ASSESSOR,), organisation=None)
    holder = make_user(email="holder@example.com", roles=(Role.RIGHTS_HOLDER,), verified=True)
    admin = make_user(email="admin@example.com", roles=(Role.ADMIN,), organisation=None)
    patent = services.create_patent(holder, dict(PATENT))
    for number in range(21):  # a second page of results, so the pagination with its disabled "previous" shows
        more = {
            **PATENT,
            "publication_number": f"CN1188664{number:02d}A",
            "title_zh": f"一种电池检测方法{number}",
        }
        services.create_patent(holder, more)
    db.session.commit()
    seed_valuation(lambda _line: None)
    engagements.save(patent, "default", ENGAGEMENT, holder)  # the assessor then sees the sign-off form
    db.session.commit()
    log_in(page, "assessor@ipex.demo", DEFAULT_PASSWORD)
    problems = {}
    for path in (
        "/catalogue/search?q=%E7%94%B5%E6%B1%A0",
        "/catalogue/search?q=%E6%96%B9%E6%B3%95",  # 方法: highlighted matches in titles and abstracts
        "/catalogue/import/columns",
        f"/patents/{patent.id}",
        "/experts",
        f"/valuation/patents/{patent.id}",
        "/valuation/workbench",
        "/valuation/workbench/ahp/indicators?dimension=legal",
        f"/valuation/patents/{patent.id}/engagement",
    ):
        page.goto(path)
        if found := serious_violations(page):
            problems[path] = found
    page.context.clear_cookies()
    log_in(page, holder.email, DEFAULT_PASSWORD)
    for path in ("/my/records", "/catalogue/import", f"/patents/{patent.id}"):  # owner's forms
        page.goto(path)
        if found := serious_violations(page):
            problems[f"{path} (owner)"] = found
    page.context.clear_cookies()
    log_in(page, admin.email, DEFAULT_PASSWORD)
    page.goto("/admin/moderation")
    if found := serious_violations(page):
        problems["/admin/moderation"] = found
    assert problems == {}
