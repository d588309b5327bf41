"""The demo seed: real patents, generated CN facts marked as such, projects, experts; idempotent."""

import re
from html import unescape

from sqlalchemy import func, select

from app.accounts.seed import seed_accounts
from app.accounts.services import find_user_by_email
from app.catalogue import services
from app.catalogue.importing import run_import
from app.catalogue.models import CatalogueChange, Expert, InnovationProject, Patent
from app.catalogue.search.query import SearchQuery
from app.catalogue.search.service import search
from app.catalogue.seed import seed_catalogue
from app.extensions import db


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Patent, InnovationProject, Expert, CatalogueChange)
    )


def _seed() -> list[str]:
    """The accounts step and ours, as `flask seed-demo` runs them (other steps are not ours to test)."""
    lines: list[str] = []
    seed_accounts(lines.append)
    db.session.commit()
    seed_catalogue(lines.append)
    db.session.commit()
    return lines


def test_seed_is_registered_at_order_20(app):
    from app.core.seed import _STEPS

    assert _STEPS["catalogue"].order == 20
    assert _STEPS["catalogue"].run is seed_catalogue


def test_seed_twice_changes_nothing(app):
    assert any("196 created" in line for line in _seed())
    counts = _counts()
    assert counts[0] >= 350
    assert counts[1] == 10
    assert counts[2] == 12
    assert any("196 unchanged" in line for line in _seed())
    assert _counts() == counts
    cn = db.session.scalar(select(Patent).where(Patent.jurisdiction == "CN").limit(1))
    assert "legal_status" in cn.generated_fields
    assert cn.filing_date
    assert cn.expiry_date
    assert cn.owner.email in {"holder@ipex.demo", "company@ipex.demo"}
    linked = db.session.scalar(select(Expert).where(Expert.user_id.is_not(None)))
    assert linked.user.email == "assessor@ipex.demo"
    assert db.session.scalar(select(func.count()).select_from(Patent).where(Patent.owner_id.is_(None))) == 0


def _examples(html: str, element_id: str) -> list[str]:
    """The search examples a page's placeholder offers ("e.g. a, b or c")."""
    placeholder = unescape(re.search(rf'id="{element_id}"[^>]*placeholder="([^"]*)"', html).group(1))
    return [e.strip() for e in re.split(r",| or ", placeholder.split("e.g.", 1)[1]) if e.strip()]


def test_every_search_example_on_the_pages_finds_demo_records(app, client):
    _seed()
    client.post("/lang/en")
    examples = _examples(client.get("/").get_data(as_text=True), "hero-q")
    examples += _examples(client.get("/catalogue/search").get_data(as_text=True), "search-q")
    assert len(examples) == 5
    for text in examples:
        assert search(db.session, SearchQuery(text=text)).total > 0, text


def _snapshot(patent: Patent) -> dict:
    db.session.refresh(patent)
    facts = services.patent_values(patent)
    facts["generated_fields"] = list(patent.generated_fields)
    facts["legal_facts"] = (len(patent.pledges), len(patent.licences), len(patent.events))
    return facts


def _import_as(user, tmp_path, rows: str) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(rows, encoding="utf-8")
    outcome = run_import(path, user)
    assert outcome.ok, outcome.errors
    db.session.commit()


def test_seeding_again_never_changes_what_users_entered(app, client, auth, browser_form, tmp_path):
    _seed()
    holder = find_user_by_email("holder@ipex.demo")
    demo = db.session.scalars(
        select(Patent).where(Patent.owner_id == holder.id, Patent.jurisdiction == "CN").order_by(Patent.id)
    ).all()
    form_edited, import_edited = demo[0], demo[1]
    auth.login(holder, "demo-pass-2026")
    form = browser_form(client.get(f"/patents/{form_edited.id}/edit").get_data(as_text=True))
    form["filing_date"], form["title_en"] = "2018-03-01", "A title the holder typed"
    assert client.post(f"/patents/{form_edited.id}/edit", data=form).status_code == 302
    number = f"CN {import_edited.publication_number[2:]} {import_edited.kind_code}"
    _import_as(
        holder,
        tmp_path,
        "jurisdiction,publication_number,title_zh,filing_date,publication_date,grant_date,legal_status\n"
        f"CN,{number},用户导入的标题,2022-05-01,2022-11-01,2023-06-01,granted\n"
        "CN,CN 109999999 A,用户自己的专利,2022-05-01,2022-11-01,2023-06-01,granted\n",
    )
    own = services.create_patent(
        holder,
        {"jurisdiction": "CN", "publication_number": "CN 108888888 A", "title_zh": "表单添加的专利",
         "filing_date": "2021-01-05", "legal_status": "pending"},
    )  # fmt: skip
    db.session.commit()
    users = [form_edited, import_edited, own, services.find_patent("CN", "CN109999999")]
    before = [_snapshot(patent) for patent in users]
    _seed()
    assert [_snapshot(patent) for patent in users] == before
    assert before[1]["legal_status"] == "granted"
    assert before[1]["filing_date"].isoformat() == "2022-05-01"
    assert "filing_date" not in before[0]["generated_fields"]
