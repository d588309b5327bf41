"""Catalogue pages: detail views, owners' forms, permissions, moderation, upload and export."""

import csv
import io
import json

import pytest
from sqlalchemy import select

from app.catalogue import services
from app.catalogue.models import Expert, Patent
from app.extensions import db

from .conftest import FIXTURES, USPTO, require_shared


def test_patent_detail_shows_official_forms(client, make_patent, holder):
    patent = make_patent(holder, ipc_codes=["H01M 10/0525", "H01M 4/00"])
    page = client.get(f"/patents/{patent.id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for expected in (
        "CN 118866379 A",
        "CN 201710601862.3",
        "H01M 10/0525",
        "main",
        "Lithium-ion battery",
        "张三",
    ):
        assert expected in text
    assert "20 Jul 2037" in text  # expiry through the day filter


def test_patent_detail_in_chinese(client, make_patent, holder):
    patent = make_patent(holder)
    text = client.get(f"/patents/{patent.id}", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "一种锂离子电池" in text
    assert "2037年7月20日" in text


def test_unknown_patent_is_404(client):
    assert client.get("/patents/999").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 404), ("other", 404), ("owner", 200), ("admin", 200)]
)
def test_hidden_patent_visibility(client, auth, make_patent, holder, other_holder, admin, who, status):
    patent = make_patent(holder)
    services.moderate(patent, admin, "hide", "Under review")
    db.session.commit()
    user = {"other": other_holder, "owner": holder, "admin": admin}.get(who)
    if user:
        auth.login(user)
    response = client.get(f"/patents/{patent.id}", headers={"Accept-Language": "en"})
    assert response.status_code == status
    if status == 200:
        assert "Under review" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("other", 403), ("owner", 200), ("admin", 200)]
)
def test_edit_page_permissions(client, auth, make_patent, holder, other_holder, admin, who, status):
    patent = make_patent(holder)
    user = {"other": other_holder, "owner": holder, "admin": admin}.get(who)
    if user:
        auth.login(user)
    assert client.get(f"/patents/{patent.id}/edit").status_code == status


def test_buyer_cannot_open_new_patent_form(client, auth, buyer):
    auth.login(buyer)
    assert client.get("/patents/new").status_code == 403


def _form(**overrides) -> dict:
    data = {
        "jurisdiction": "CN",
        "publication_number": "CN 118866379 A",
        "title_zh": "一种电池",
        "ipc_codes": "H01M 10/0525; H01M 4/00",
        "inventors": "张三\n李四",
        "filing_date": "2017-07-20",
        "legal_status": "granted",
        "grant_date": "2019-01-01",
    }
    return {**data, **overrides}


def test_create_patent_through_the_form(client, auth, holder):
    auth.login(holder)
    response = client.post("/patents/new", data=_form())
    assert response.status_code == 302
    patent = db.session.scalar(select(Patent))
    assert response.headers["Location"].endswith(f"/patents/{patent.id}")
    assert patent.codes("ipc") == ["H01M 10/0525", "H01M 4/00"]
    assert patent.owner_id == holder.id
    assert patent.party_names("inventor") == ["张三", "李四"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"grant_date": "2016-01-01"}, "before filing date"),
        ({"publication_number": "CN 12 A"}, "not a valid CN number"),
        ({"ipc_codes": "Z99Q 1/00"}, "not a valid IPC code"),
        ({"filing_date": "2017-02-30"}, "Not a valid date"),
    ],
)
def test_form_errors_are_inline_and_keep_typed_values(client, auth, holder, overrides, message):
    auth.login(holder)
    response = client.post("/patents/new", data=_form(**overrides), headers={"Accept-Language": "en"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in text
    assert 'class="error"' in text
    assert "一种电池" in text  # what the user typed is still there
    assert db.session.scalar(select(Patent)) is None


def test_owner_edits_and_sees_history(client, auth, make_patent, holder):
    patent = make_patent(holder)
    auth.login(holder)
    form = {**_form(), "title_en": "Battery v2", "application_number": "201710601862.3"}
    assert client.post(f"/patents/{patent.id}/edit", data=form).status_code == 302
    text = client.get(f"/patents/{patent.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Battery v2" in text
    assert "Change history" in text
    assert "Edited" in text


def test_project_and_expert_pages(client, auth, make_project, make_expert, make_patent, holder):
    make_patent(holder)
    project = make_project(holder, linked_patents=["CN118866379A"])
    expert = make_expert(holder)
    text = client.get(f"/projects/{project.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Solid-state battery pilot" in text
    assert "CN 118866379 A" in text
    assert "TRL 5" in text
    text = client.get(f"/experts/{expert.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "H01M" in text
    assert "G06F" in text
    assert "Acme Battery Co" in text
    assert "Certified asset appraiser" in text
    listing = client.get("/experts?specialty=H01M", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "王平" in listing
    assert "王平" not in client.get("/experts?specialty=A01B").get_data(as_text=True)


def test_expert_form_bad_input_and_success(client, auth, holder):
    auth.login(holder)
    bad = client.post("/experts/new", data={"name": "Li", "specialties_ipc": "Q12", "fee_amount": "-3"})
    assert bad.status_code == 400
    good = client.post(
        "/experts/new", data={"name": "李华", "specialties_ipc": "H01M; G06F", "languages": "zh; en"}
    )
    assert good.status_code == 302
    assert db.session.scalar(select(Expert)).specialties_ipc == ["H01M", "G06F"]


def test_project_form_money_errors(client, auth, holder):
    auth.login(holder)
    response = client.post(
        "/projects/new", data={"title_en": "X", "funding_amount": "100", "funding_currency": "yuan"}
    )
    assert response.status_code == 400


def test_my_records_lists_own_records_only(client, auth, make_patent, holder, other_holder):
    make_patent(holder)
    make_patent(other_holder, publication_number="CN118866380A", title_zh="别人的专利")
    auth.login(holder)
    text = client.get("/my/records").get_data(as_text=True)
    assert "一种锂离子电池" in text
    assert "别人的专利" not in text


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("owner", 403), ("admin", 200)])
def test_moderation_queue_is_admin_only(client, auth, holder, admin, who, status):
    user = {"owner": holder, "admin": admin}.get(who)
    if user:
        auth.login(user)
    assert client.get("/admin/moderation").status_code == status


def test_admin_hides_and_publishes(client, auth, make_patent, holder, admin):
    patent = make_patent(holder)
    auth.login(admin)
    assert (
        client.post(
            f"/admin/moderation/patent/{patent.id}", data={"action": "hide", "reason": ""}
        ).status_code
        == 302
    )
    db.session.refresh(patent)
    assert patent.is_published  # a reason is required
    client.post(f"/admin/moderation/patent/{patent.id}", data={"action": "hide", "reason": "Spam"})
    db.session.refresh(patent)
    assert patent.moderation_status == "hidden"
    assert client.get("/admin/moderation?type=patent&status=hidden").status_code == 200


def _upload(client, path, **fields):
    with open(path, "rb") as handle:
        data = {"file": (handle, path.name), "format": "auto", **fields}
        return client.post("/catalogue/import", data=data, content_type="multipart/form-data",
                           headers={"Accept-Language": "en"}, follow_redirects=True)  # fmt: skip


def test_upload_real_uspto_file_shows_report(client, auth, holder):
    # Under 500 kB: larger bodies make Werkzeug's test client spool to a file it never closes.
    path = require_shared(USPTO / "ipa130117.one.xml")
    auth.login(holder)
    response = _upload(client, path)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "All 2 records were imported." in text
    assert db.session.query(Patent).filter_by(owner_id=holder.id).count() == 2
    again = _upload(client, path).get_data(as_text=True)
    assert "Records unchanged" in again
    assert db.session.query(Patent).count() == 2


def test_upload_bad_rows_all_or_nothing_then_skip_bad(client, auth, holder):
    auth.login(holder)
    response = _upload(client, FIXTURES / "patents_bad.csv")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in text
    assert "line 3" in text
    assert "publication_number" in text
    assert db.session.query(Patent).count() == 0
    skipped = _upload(client, FIXTURES / "patents_bad.csv", skip_bad="1")
    assert skipped.status_code == 200
    assert db.session.query(Patent).count() == 1


def test_upload_oversize_gets_a_clear_413(app, client, auth, holder):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    auth.login(holder)
    response = (
        _upload(client, FIXTURES / "patents_good.csv")
        if (FIXTURES / "patents_good.csv").stat().st_size > 2048
        else None
    )
    if response is None:
        big = io.BytesIO(b"x" * 5000)
        response = client.post("/catalogue/import", data={"file": (big, "big.csv")},
                               content_type="multipart/form-data", headers={"Accept-Language": "en"})  # fmt: skip
    assert response.status_code == 413
    assert "MB limit" in response.get_data(as_text=True)


def test_upload_needs_a_rights_holder(client, auth, buyer):
    auth.login(buyer)
    assert client.get("/catalogue/import").status_code == 403


def test_export_csv_and_json_round_trip(client, make_patent, holder, tmp_path):
    make_patent(holder)
    make_patent(holder, publication_number="CN118866380A", jurisdiction="CN", ipc_codes=["G06F 17/00"])
    response = client.get("/catalogue/export?format=csv&ipc=H01M")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["publication_number"] for r in rows] == ["CN118866379"]
    assert rows[0]["ipc"] == "H01M 10/0525; H01M 4/00"
    body = client.get("/catalogue/export?format=json").get_json()
    assert len(body["records"]) == 2
    path = tmp_path / "export.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    from app.catalogue.importing import run_import

    assert run_import(path, holder).counts == {"unchanged": 2}
    assert client.get("/catalogue/export?format=xml").status_code == 400
