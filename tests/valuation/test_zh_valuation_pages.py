"""Chinese valuation pages speak Chinese: the report, the workbench, parameter-set pages and their
diffs show no program identifiers, raw dicts, type names or raw units (the catalogue test's rule)."""

import datetime as dt
import re

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.seed import seed_accounts
from app.catalogue.models import Patent
from app.catalogue.seed import seed_catalogue
from app.extensions import db
from app.valuation import engagements, indicator_weights, paramsets
from app.valuation.seed import seed_closed_deals, seed_parameter_sets
from app.valuation.services import current_rows, value_patent
from tests.catalogue.test_zh_pages_plain import _leaks as _identifier_leaks
from tests.catalogue.test_zh_pages_plain import _Visible

ZH = {"Accept-Language": "zh-CN"}
ENGAGEMENT = {
    "purpose": "pledge",
    "basis_of_value": "market_value",
    "valuation_date": dt.date(2026, 11, 30),
    "right_valued": "所有权，全球",
    "general_assumptions": "交易假设、公开市场假设、持续使用假设",
    "special_assumptions": "",
    "special_matters": "",
}


# raw units and types of parameter schemas, six-decimal floats, float ranges such as 0.0 – 1e13
RAW = re.compile(
    r"\b\d+\.\d{6,}\s*(?:yr|ratio|CNY|score)\b|\b\d\.\d{10,}|\byr\b|\bratio\b|CNY/yr|\bfloat\b|\blist\["
    r"|\bmapping\b|\bdistribution\b|\d\.0 – \d|\bscore\b|<built-in|object at 0x"
)


def _leaks(html: str) -> list[str]:
    reader = _Visible()
    reader.feed(html)
    raw = sorted({m.group(0) for part in reader.parts for m in RAW.finditer(part)})
    return _identifier_leaks(html) + raw


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
    draft_weights = indicator_weights.save_weights(
        "legal", [0.3, 0.1, 0.1, 0.1, 0.2, 0.1, 0.1], assessor, "AHP"
    )
    db.session.commit()
    owned = db.session.scalar(select(Patent).where(Patent.owner_id.is_not(None), Patent.jurisdiction == "CN"))
    cn = owned.id
    sets = [ps.id for m in ("rfr", "cnipa_pvd", "market_comps", "ensemble") for ps in paramsets.versions(m)]
    assessor_pages = [
        f"/valuation/patents/{cn}",
        f"/valuation/patents/{cn}/print",
        "/valuation/workbench",
        "/valuation/workbench/backtest",
        *(
            f"/valuation/workbench/models/{m}"
            for m in ("rfr", "cnipa_pvd", "market_comps", "ensemble", "cost")
        ),
        *(f"/valuation/workbench/sets/{i}" for i in sets),
        f"/valuation/workbench/sets/{editing.id}/edit",
        f"/valuation/workbench/sets/{draft_ens.id}/edit",
        "/valuation/workbench/ahp",
        "/valuation/workbench/ahp/indicators?dimension=legal",
        "/valuation/workbench/ahp/indicators?dimension=technical&start=entropy",
        f"/valuation/workbench/sets/{draft_weights.id}",
        f"/valuation/patents/{cn}/engagement",
    ]
    value_patent(owned, assessor)
    engagement = engagements.save(owned, "default", ENGAGEMENT, db.session.get(User, owned.owner_id))
    engagements.sign(engagement, owned, current_rows(cn)[0], assessor, "王评估", "资产评估师 33000123")
    engagements.save(owned, "default", ENGAGEMENT | {"purpose": "litigation"}, assessor)  # a new draft
    db.session.commit()
    auth.login("assessor@ipex.demo", "demo-pass-2026")
    found = _pages_with_leaks(client, assessor_pages)
    auth.logout()
    owner = db.session.get(User, owned.owner_id)
    auth.login(owner.email, "demo-pass-2026")
    owner_pages = [
        f"/valuation/patents/{cn}",
        f"/valuation/patents/{cn}/engagement",
        f"/valuation/patents/{cn}/print",
    ]
    found |= {f"owner {k}": v for k, v in _pages_with_leaks(client, owner_pages).items()}
    assert found == {}, found
