"""What a response gives away: hidden records (404, not 403), redirects, caching, CSV formulas, HSTS."""

import csv
import io

import pytest

from app.accounts.models import Role
from app.catalogue import services
from app.catalogue.models import Patent
from app.extensions import db
from tests.catalogue.conftest import GOOD_PATENT


@pytest.fixture
def other(make_user):
    return make_user(email="other@example.com", roles=(Role.RIGHTS_HOLDER,))


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@example.com", roles=(Role.ADMIN,))


@pytest.fixture
def hidden_patent(holder, admin):
    patent = services.create_patent(None, GOOD_PATENT, owner=holder)
    db.session.flush()
    services.moderate(patent, admin, "hide", "Under review")
    db.session.commit()
    return patent


def test_a_hidden_record_is_404_to_strangers_on_every_route(client, auth, bearer, other, hidden_patent):
    auth.login(other)
    pid = hidden_patent.id
    pages = [f"/patents/{pid}", f"/patents/{pid}/edit", f"/patents/{pid}/facts/pledge/new"]
    answers = {path: client.get(path).status_code for path in pages}
    answers["PATCH api"] = client.patch(
        f"/api/v1/patents/{pid}", json={"claims_count": 3}, headers=bearer(other)
    ).status_code
    assert set(answers.values()) == {404}, answers


def test_a_visible_record_of_someone_else_is_still_403_to_edit(client, auth, other, holder):
    patent = services.create_patent(None, GOOD_PATENT, owner=holder)
    db.session.commit()
    auth.login(other)
    assert client.get(f"/patents/{patent.id}/edit").status_code == 403


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_moderation_next_only_follows_paths_on_this_site(client, auth, admin, hidden_patent, target):
    auth.login(admin)
    response = client.post(
        f"/admin/moderation/patent/{hidden_patent.id}", data={"action": "publish", "next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/moderation?type=patent"


def test_moderation_next_follows_a_local_path(client, auth, admin, hidden_patent):
    auth.login(admin)
    response = client.post(
        f"/admin/moderation/patent/{hidden_patent.id}",
        data={"action": "publish", "next": "/admin/moderation?type=patent&page=2"},
    )
    assert response.headers["Location"] == "/admin/moderation?type=patent&page=2"


def test_safe_redirect_target_keeps_query_and_fragment():
    from app.core.http import safe_redirect_target

    assert safe_redirect_target("/catalogue/search?q=x#top", "/") == "/catalogue/search?q=x#top"
    assert safe_redirect_target(None, "/home") == "/home"


def test_pages_for_a_signed_in_person_are_not_stored(client, auth, holder):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    auth.login(holder)
    for path in ("/", "/account", "/api/v1/me"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    static = client.get("/static/css/app.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_no_store_decorator_marks_an_anonymous_page(app, client):
    from app.core.http import no_store

    @app.get("/_secret-once")
    @no_store
    def secret_once():
        return "shown once"

    assert client.get("/_secret-once").headers["Cache-Control"] == "no-store"


FORMULAS = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_csv_export_neutralises_formulas_and_reimports_unchanged(client, holder, tmp_path):
    for number, title in enumerate(FORMULAS):
        values = {**GOOD_PATENT, "publication_number": f"CN11886637{number}A", "title_en": title}
        services.create_patent(None, values, owner=holder)
    db.session.commit()
    response = client.get("/catalogue/export?format=csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    titles = sorted(row["title_en"] for row in csv.DictReader(io.StringIO(text, newline="")))
    stored = db.session.scalars(db.select(Patent.title_en)).all()  # as validation left them (stripped)
    assert titles == sorted("'" + title for title in stored)
    assert all(title.startswith(("'=", "'+", "'-", "'@")) for title in titles)
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8", newline="")
    from app.catalogue.importing import run_import

    assert run_import(path, holder).counts == {"unchanged": len(FORMULAS)}


def test_json_export_has_one_content_type(client):
    assert client.get("/catalogue/export?format=json").headers["Content-Type"] == "application/json"


def test_neutralise_and_restore_are_inverse():
    from app.core.spreadsheet import neutralise_formula, restore_formula

    for cell in [*FORMULAS, "plain", "'quoted", "'=already", ""]:
        assert restore_formula(neutralise_formula(cell)) == cell
