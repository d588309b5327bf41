"""Owners record pledges, licences, legal events and documents on their patents."""

import io

import pytest
from sqlalchemy import select

from app.catalogue import legal_services
from app.catalogue.errors import ValidationFailed
from app.catalogue.models import CatalogueChange, PatentDocument, PatentLicence
from app.core.errors import PermissionDenied
from app.extensions import db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EN = {"Accept-Language": "en"}


@pytest.fixture
def instance(app, tmp_path):
    """Uploaded files go to a temporary instance folder."""
    app.instance_path = str(tmp_path / "instance")
    return tmp_path / "instance"


def _new(client, patent, kind, **data):
    return client.post(f"/patents/{patent.id}/facts/{kind}/new", data=data, headers=EN)


def test_owner_records_a_pledge_and_sees_it_with_history(client, auth, make_patent, holder):
    patent = make_patent(holder)
    auth.login(holder)
    assert client.get(f"/patents/{patent.id}/facts/pledge/new").status_code == 200
    response = _new(client, patent, "pledge", pledgee="Bank of Hangzhou", amount="12500000.00",
                    currency="cny", registered_on="2021-03-01")  # fmt: skip
    assert response.status_code == 302
    page = client.get(f"/patents/{patent.id}", headers=EN).get_data(as_text=True)
    assert "Bank of Hangzhou" in page
    assert "in force" in page
    change = db.session.scalars(select(CatalogueChange).where(CatalogueChange.action == "legal_fact")).one()
    assert change.changes["pledge"][0] is None
    assert change.changes["pledge"][1]["amount"] == "12500000.00"
    assert change.changes["pledge"][1]["currency"] == "CNY"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"pledgee": ""}, "pledgee", "This field is required"),
        ({"registered_on": "2022-01-01", "released_on": "2021-01-01"}, "released_on", "released before"),
        ({"amount": "100.00", "currency": ""}, "currency", "three-letter currency"),
    ],
)
def test_pledge_form_errors_are_inline(client, auth, make_patent, holder, data, field, message):
    patent = make_patent(holder)
    auth.login(holder)
    response = _new(client, patent, "pledge", **{"pledgee": "Bank", **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert not patent.pledges


def test_open_licence_is_blocked_by_an_exclusive_licence_in_force(client, auth, make_patent, holder):
    patent = make_patent(holder)
    auth.login(holder)
    exclusive = _new(client, patent, "licence", licence_type="exclusive", licensee="Acme EV",
                     field="electric vehicles", territory="CN", recorded_on="2020-01-01", until="2030-12-31")  # fmt: skip
    assert exclusive.status_code == 302
    blocked = _new(client, patent, "licence", licence_type="open", recorded_on="2024-01-01")
    text = blocked.get_data(as_text=True)
    assert blocked.status_code == 400
    assert "An exclusive licence to Acme EV is in force until" in text
    assert "an open licence cannot be offered while it runs" in text
    later = _new(client, patent, "licence", licence_type="open", recorded_on="2031-01-01")
    assert later.status_code == 302
    assert {lic.licence_type for lic in db.session.scalars(select(PatentLicence))} == {"exclusive", "open"}
    again = _new(client, patent, "licence", licence_type="sole", licensee="B", recorded_on="2032-01-01")
    assert again.status_code == 400
    assert "An open licence is in force" in again.get_data(as_text=True)


def test_licence_message_in_chinese(client, auth, make_patent, holder):
    patent = make_patent(holder)
    auth.login(holder)
    _new(client, patent, "licence", licence_type="sole", licensee="甲公司", recorded_on="2020-01-01")
    blocked = client.post(f"/patents/{patent.id}/facts/licence/new", data={"licence_type": "open"},
                          headers={"Accept-Language": "zh"})  # fmt: skip
    assert blocked.status_code == 400
    assert "授予 甲公司 的排他许可有效期至" in blocked.get_data(as_text=True)


def test_events_are_added_edited_and_removed(client, auth, make_patent, holder):
    patent = make_patent(holder)
    auth.login(holder)
    missing = _new(client, patent, "event", event_type="invalidation", summary="Request filed")
    assert missing.status_code == 400
    assert "Enter the date of the event" in missing.get_data(as_text=True)
    assert _new(client, patent, "event", event_type="invalidation", occurred_on="2023-05-04",
                summary="Invalidation request by Foo Ltd", reference="4W112233").status_code == 302  # fmt: skip
    [event] = [e for e in patent.events if e.event_type == "invalidation"]
    edited = client.post(f"/patents/{patent.id}/facts/event/{event.id}/edit", data={
        "event_type": "invalidation", "occurred_on": "2023-05-04", "summary": "Invalidation request by Foo Ltd",
        "outcome": "claims 1-3 held invalid"})  # fmt: skip
    assert edited.status_code == 302
    db.session.refresh(event)
    assert event.outcome == "claims 1-3 held invalid"
    assert client.post(f"/patents/{patent.id}/facts/event/{event.id}/delete").status_code == 302
    db.session.expire_all()
    assert not [e for e in patent.events if e.event_type == "invalidation"]
    actions = db.session.scalars(
        select(CatalogueChange.changes).where(CatalogueChange.action == "legal_fact")
    )
    states = [(c["event"][0] is None, c["event"][1] is None) for c in actions]
    assert sorted(states) == [(False, False), (False, True), (True, False)]


def test_document_upload_is_checked_stored_and_served(client, auth, make_patent, holder, instance):
    patent = make_patent(holder)
    auth.login(holder)

    def upload(content, name, **data):
        form = {"title": "Grant certificate", "kind": "certificate", **data}
        if content is not None:
            form["file"] = (io.BytesIO(content), name)
        return client.post(f"/patents/{patent.id}/facts/document/new", data=form,
                           content_type="multipart/form-data", headers=EN)  # fmt: skip

    fake = upload(b"MZ\x90\x00 not a pdf", "cert.pdf")
    assert fake.status_code == 400
    assert "Upload a PDF, PNG, JPEG, GIF or WebP file." in fake.get_data(as_text=True)
    neither = upload(None, "")
    assert "Upload a file or give a link" in neither.get_data(as_text=True)
    bad_link = upload(None, "", url="javascript:alert(1)")
    assert "http:// or https://" in bad_link.get_data(as_text=True)
    assert upload(PDF, "cert.pdf").status_code == 302
    document = db.session.scalar(select(PatentDocument))
    assert document.media_type == "application/pdf"
    assert document.size_bytes == len(PDF)
    stored = instance / "patent_documents" / str(patent.id) / document.stored_name
    assert stored.read_bytes() == PDF
    with client.get(f"/patents/{patent.id}/documents/{document.id}") as served:
        assert served.status_code == 200
        assert served.data == PDF
        assert served.mimetype == "application/pdf"
    assert "Grant certificate" in client.get(f"/patents/{patent.id}").get_data(as_text=True)
    assert upload(None, "", url="https://example.com/drawing.png", title="Drawings").status_code == 302
    client.post(f"/patents/{patent.id}/facts/document/{document.id}/delete")
    assert not stored.exists()


def test_document_size_limit(app, client, auth, make_patent, holder, instance):
    app.config["PATENT_DOCUMENT_MAX_BYTES"] = 100
    patent = make_patent(holder)
    auth.login(holder)
    big = (io.BytesIO(PDF + b"x" * 200), "big.pdf")
    response = client.post(f"/patents/{patent.id}/facts/document/new",
                           data={"title": "Big", "kind": "other", "file": big},
                           content_type="multipart/form-data", headers=EN)  # fmt: skip
    assert response.status_code == 400
    assert "larger than" in response.get_data(as_text=True)


@pytest.mark.parametrize(("who", "status"), [("other", 403), ("buyer", 403), ("admin", 200)])
def test_only_owner_or_admin_may_record_facts(client, auth, make_patent, holder, other_holder, buyer, admin,
                                               who, status):  # fmt: skip
    patent = make_patent(holder)
    auth.login({"other": other_holder, "buyer": buyer, "admin": admin}[who])
    assert client.get(f"/patents/{patent.id}/facts/pledge/new").status_code == status
    assert client.get(f"/patents/{patent.id}/facts/nonsense/new").status_code in (403, 404)


def test_service_refuses_strangers_and_other_patents_facts(make_patent, holder, other_holder):
    patent = make_patent(holder)
    other = make_patent(other_holder, publication_number="CN 118866380 A")
    with pytest.raises(PermissionDenied):
        legal_services.add_fact(patent, other_holder, "event", {"event_type": "other", "occurred_on": "2024-01-01",
                                                                "summary": "x"})  # fmt: skip
    row = legal_services.add_fact(other, other_holder, "pledge", {"pledgee": "Bank"})
    assert legal_services.find_fact(patent, "pledge", row.id) is None
    with pytest.raises(ValidationFailed):
        legal_services.add_fact(patent, holder, "licence", {"licence_type": "exclusive"})  # no licensee
