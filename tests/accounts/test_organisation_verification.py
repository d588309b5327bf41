"""Organisation verification: licence upload checked by content, admin-only download, review."""

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts.models import AuditEvent, Organisation, OrganisationReview, Role
from app.extensions import db
from tests.accounts.mailbox import last_message

VALID_CODE = "91440300708461136T"
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def instance_in_tmp(app, tmp_path):
    app.instance_path = str(tmp_path / "instance")


@pytest.fixture
def member(make_user):
    return make_user(roles=(Role.RIGHTS_HOLDER,), organisation="深圳测试科技有限公司")


def submit(client, content: bytes, name: str = "licence.pdf", code: str = VALID_CODE):
    return client.post(
        "/account/organisation",
        data={"credit_code": code, "licence": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )


def organisation_of(user) -> Organisation:
    return db.session.get(Organisation, user.organisation_id)


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [(PDF, "营业执照.pdf", "application/pdf"), (PNG, "scan.pdf", "image/png"), (JPEG, "photo", "image/jpeg")],
)
def test_member_submits_papers_stored_outside_the_web_root(
    app, client, auth, member, content, name, content_type
):
    auth.login(member)
    assert submit(client, content, name, code="9144 0300 7084 6113 6t").status_code == 302
    organisation = organisation_of(member)
    assert organisation.review_status == OrganisationReview.SUBMITTED
    assert organisation.credit_code == VALID_CODE
    assert organisation.licence_content_type == content_type  # by the bytes, not the name
    stored = Path(app.instance_path) / "organisation_licences" / organisation.licence_file
    assert stored.read_bytes() == content
    assert not stored.resolve().is_relative_to(Path(app.static_folder).resolve())
    assert "营业执照" not in organisation.licence_file  # stored under a random name
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "organisation.submit")).one()
    assert event.actor_id == member.id


@pytest.mark.parametrize(
    "content",
    [b"<html><script>alert(1)</script></html>", b"GIF89a" + b"\x00" * 10, b"PK\x03\x04zip", b""],
)
def test_other_content_is_refused_whatever_its_name(client, auth, member, content):
    auth.login(member)
    response = submit(client, content, "licence.pdf")
    assert response.status_code == 400
    assert "Upload a PDF, PNG or JPEG file." in response.get_data(as_text=True)
    assert organisation_of(member).review_status == OrganisationReview.NOT_SUBMITTED


def test_oversized_licence_is_refused(app, client, auth, member):
    app.config["LICENCE_MAX_BYTES"] = 1024
    auth.login(member)
    response = submit(client, PDF + b"0" * 2048)
    assert response.status_code == 400
    assert organisation_of(member).licence_file is None


def test_wrong_check_digit_is_refused_next_to_the_field(client, auth, member):
    auth.login(member)
    response = submit(client, PDF, code="91440300708461136X")
    assert response.status_code == 400
    assert "the check digit does not match" in response.get_data(as_text=True)
    assert organisation_of(member).credit_code is None


@pytest.fixture
def submitted(client, auth, member):
    auth.login(member)
    submit(client, PDF, "营业执照.pdf")
    auth.logout()
    return organisation_of(member)


def test_admin_downloads_the_licence_as_an_attachment(client, auth, make_user, submitted):
    auth.login(make_user(roles=(Role.ADMIN,)))
    response = client.get(f"/admin/organisations/{submitted.id}/licence")
    body = response.get_data()
    response.close()  # the file is streamed from disk
    assert response.status_code == 200
    assert body == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("roles", "expected"), [(None, 302), ((Role.RIGHTS_HOLDER,), 403), ((Role.ASSESSOR,), 403)]
)
def test_only_admins_download_licences(client, auth, make_user, submitted, roles, expected):
    if roles:
        auth.login(make_user(roles=roles))
    assert client.get(f"/admin/organisations/{submitted.id}/licence").status_code == expected


def test_admin_approves_with_the_badge_and_members_are_told(client, auth, make_user, member, submitted):
    admin = make_user(roles=(Role.ADMIN,))
    auth.login(admin)
    pending = client.get("/admin/organisations?status=pending").get_data(as_text=True)
    assert "深圳测试科技有限公司" in pending
    assert VALID_CODE in pending
    client.post(f"/admin/organisations/{submitted.id}/verification", data={"verified": "1"})
    organisation = organisation_of(member)
    assert organisation.review_status == OrganisationReview.VERIFIED
    assert organisation.is_verified
    assert last_message(member.email).subject == "深圳测试科技有限公司 已在 IPEX 通过认证"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "organisation.verify")).one()
    assert event.actor_id == admin.id


def test_admin_rejects_only_with_a_reason(client, auth, make_user, member, submitted):
    auth.login(make_user(roles=(Role.ADMIN,)))
    url = f"/admin/organisations/{submitted.id}/verification"
    client.post(url, data={"verified": "0", "reason": ""})
    assert organisation_of(member).review_status == OrganisationReview.SUBMITTED
    client.post(url, data={"verified": "0", "reason": "执照已过期"})
    organisation = organisation_of(member)
    assert (organisation.review_status, organisation.rejection_reason) == (
        OrganisationReview.REJECTED,
        "执照已过期",
    )
    assert "执照已过期" in last_message(member.email).text_body
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "organisation.reject")).one()
    assert event.details["reason"] == "执照已过期"


def test_a_member_of_another_organisation_cannot_submit_for_it(make_user, member):
    from app.accounts.organisations import submit_papers
    from app.core.errors import PermissionDenied

    outsider = make_user(organisation="别的公司")
    with pytest.raises(PermissionDenied):
        submit_papers(outsider, organisation_of(member), VALID_CODE, io.BytesIO(PDF), "x.pdf")


def test_resubmitting_replaces_the_old_file(app, client, auth, member):
    auth.login(member)
    submit(client, PDF)
    first = organisation_of(member).licence_file
    submit(client, PNG, "better.png")
    folder = Path(app.instance_path) / "organisation_licences"
    assert [p.name for p in folder.iterdir()] == [organisation_of(member).licence_file]
    assert first != organisation_of(member).licence_file
