"""Chinese valuation pages speak Chinese: the report, the workbench, parameter-set pages and their
diffs show no program identifiers, raw dicts, type names or raw units (the catalogue test's rule)."""

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.seed import seed_accounts
from app.catalogue.models import Patent
from app.catalogue.seed import seed_catalogue
from app.extensions import db
from app.valuation import paramsets
from app.valuation.seed import seed_closed_deals, seed_parameter_sets
from tests.catalogue.test_zh_pages_plain import _leaks

ZH = {"Accept-Language": "zh-CN"}


def _pages_with_leaks(client, paths):
    found = {}
    for path in paths:
        response = client.get(path, headers=ZH)
        assert response.status_code == 200, path
        if leaks := _leaks(response.get_data(as_text=True)):
            found[path] = leaks
    return found


def test_valuation_pages_in_chinese_show_no_identifiers(client, auth):
    seed_accounts(lambda _line: None)
    seed_catalogue(lambda _line: None)
    seed_parameter_sets(lambda _line: None)
    seed_closed_deals(lambda _line: None)
    db.session.commit()
    assessor = db.session.scalar(select(User).where(User.email == "assessor@ipex.demo"))
    rfr = paramsets.active_set("rfr").params | {"royalty_rate": 0.05, "years": 8.0}
    draft_rfr = paramsets.create_draft("rfr", assessor, "试算", params=rfr)
    paramsets.submit(draft_rfr, assessor, "试算")
    editing = paramsets.create_draft("rfr", assessor, "再试")
    draft_ens = paramsets.create_draft("ensemble", assessor, "试算")
    db.session.commit()
    owned = db.session.scalar(select(Patent).where(Patent.owner_id.is_not(None), Patent.jurisdiction == "CN"))
    cn = owned.id
    sets = [ps.id for m in ("rfr", "cnipa_pvd", "market_comps", "ensemble") for ps in paramsets.versions(m)]
    assessor_pages = [
        f"/valuation/patents/{cn}",
        f"/valuation/patents/{cn}/print",
        "/valuation/workbench",
        *(
            f"/valuation/workbench/models/{m}"
            for m in ("rfr", "cnipa_pvd", "market_comps", "ensemble", "cost")
        ),
        *(f"/valuation/workbench/sets/{i}" for i in sets),
        f"/valuation/workbench/sets/{editing.id}/edit",
        f"/valuation/workbench/sets/{draft_ens.id}/edit",
        "/valuation/workbench/ahp",
    ]
    auth.login("assessor@ipex.demo", "demo-pass-2026")
    found = _pages_with_leaks(client, assessor_pages)
    auth.logout()
    owner = db.session.get(User, owned.owner_id)
    auth.login(owner.email, "demo-pass-2026")
    found |= {f"owner {k}": v for k, v in _pages_with_leaks(client, [f"/valuation/patents/{cn}"]).items()}
    import json, os

    if os.environ.get("LEAKDUMP"):
        open(os.environ["LEAKDUMP"], "w").write(json.dumps(found, ensure_ascii=False, indent=1))
    assert found == {}, found
