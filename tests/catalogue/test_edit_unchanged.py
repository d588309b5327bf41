"""Opening an edit form and saving it untouched succeeds and records no change (every demo record).

The forms are submitted as a browser would: the rendered HTML is parsed, inputs lose line breaks,
textareas keep them (as CRLF), selects send their selected option.
"""

from sqlalchemy import func, select

from app.accounts.seed import seed_accounts
from app.catalogue.models import CatalogueChange, Expert, InnovationProject, Patent
from app.catalogue.seed import seed_catalogue
from app.extensions import db


def _changes() -> int:
    return db.session.scalar(select(func.count()).select_from(CatalogueChange))


def _seed() -> None:
    seed_accounts(lambda _line: None)
    seed_catalogue(lambda _line: None)
    db.session.commit()


def _save_unchanged(client, browser_form, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200, path
    response = client.post(path, data=browser_form(page.get_data(as_text=True)))
    assert response.status_code == 302, (path, response.get_data(as_text=True)[:3000])


def test_every_demo_record_saves_unchanged_without_recording_a_change(app, client, auth, browser_form):
    _seed()
    auth.login("admin@ipex.demo", "demo-pass-2026")
    before = _changes()
    paths = [f"/patents/{i}/edit" for i in db.session.scalars(select(Patent.id).order_by(Patent.id))]
    paths += [f"/projects/{i}/edit" for i in db.session.scalars(select(InnovationProject.id))]
    paths += [f"/experts/{i}/edit" for i in db.session.scalars(select(Expert.id))]
    assert len(paths) > 400
    for path in paths:
        _save_unchanged(client, browser_form, path)
    assert _changes() == before


def test_list_fields_round_trip_with_their_own_separators(
    app, client, auth, holder, make_patent, browser_form
):
    patent = make_patent(
        holder,
        ipc_codes=["B01J 19/08", "B01J 19/12"],
        family_countries=["US", "JP"],
        inventors=["张三", "Li; Si"],
    )
    auth.login(holder)
    form = dict(browser_form(client.get(f"/patents/{patent.id}/edit").get_data(as_text=True)))
    assert form["ipc_codes"] == "B01J 19/08; B01J 19/12"
    assert form["family_countries"] == "CN; US; JP"
    assert form["inventors"] == "张三\r\nLi; Si"
    assert client.post(f"/patents/{patent.id}/edit", data=form).status_code == 302
    db.session.refresh(patent)
    assert patent.party_names("inventor") == ["张三", "Li; Si"]
