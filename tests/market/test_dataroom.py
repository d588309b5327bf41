"""Data room: content checks on upload, NDA click-through, confidential access and its log."""

import io
import zlib

import pytest
from sqlalchemy import select

from app.catalogue.validation import ValidationFailed
from app.core.errors import PermissionDenied
from app.core.notifications import Notification
from app.extensions import db
from app.market import dataroom
from app.market.listing_models import DataRoomAccess, NdaAcceptance
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def seller(make_user):
    return make_seller(make_user)


@pytest.fixture
def listing(seller, tmp_path, app):
    app.instance_path = str(tmp_path)
    listing = make_listing(seller, [make_patent(seller)], "published")
    dataroom.upload_document(listing, seller, io.BytesIO(PDF), "secret.pdf", "Test report", True)
    dataroom.upload_document(listing, seller, io.BytesIO(PDF), "brochure.pdf", "Brochure", False)
    db.session.commit()
    return listing


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'></svg>",
        PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>"),
        b"%PDF-1.5\n1 0 obj<</Length 40/Filter/FlateDecode>>stream\n"
        + zlib.compress(b"<</S/JavaScript/JS(app.alert(1))>>")
        + b"\nendstream\nendobj\n%%EOF",
        b"MZ\x90\x00 an executable",
        b"PK\x03\x04[Content_Types].xml word/vbaProject.bin",
    ],
    ids=["html", "svg-script", "svg-handler", "pdf-js", "pdf-js-compressed", "exe", "docm"],
)
def test_active_or_unknown_content_is_refused(app, seller, listing, content):
    with pytest.raises(ValidationFailed) as error:
        dataroom.upload_document(listing, seller, io.BytesIO(content), "innocent.pdf", "x", True)
    assert "file" in error.value.fields


def test_plain_files_are_recognised_by_their_bytes(app, seller, listing):
    svg = b"<svg xmlns='http://www.w3.org/2000/svg'><rect width='1' height='1'/></svg>"
    document = dataroom.upload_document(listing, seller, io.BytesIO(svg), "drawing.pdf", "Drawing", False)
    assert document.media_type == "image/svg+xml"
    assert dataroom.path_of(document).is_file()
    assert "data_room" in str(dataroom.path_of(document))


def test_size_limit(app, seller, listing):
    app.config["DATA_ROOM_MAX_BYTES"] = 100
    with pytest.raises(ValidationFailed):
        dataroom.upload_document(listing, seller, io.BytesIO(PDF + b"x" * 200), "big.pdf", "Big", True)


def test_only_the_seller_side_uploads(app, make_user, listing):
    buyer = make_buyer(make_user)
    with pytest.raises(PermissionDenied):
        dataroom.upload_document(listing, buyer, io.BytesIO(PDF), "a.pdf", "A", True)


def test_confidential_documents_need_the_nda_and_every_opening_is_logged(app, make_user, listing):
    buyer = make_buyer(make_user)
    assert [d.title for d in dataroom.visible_documents(listing, buyer)] == ["Brochure"]
    secret = next(d for d in listing.documents if d.confidential)
    with pytest.raises(PermissionDenied):
        dataroom.open_document(secret, buyer, "10.0.0.1")
    dataroom.accept_nda(listing, buyer, "10.0.0.1", "pytest-browser")
    assert {d.title for d in dataroom.visible_documents(listing, buyer)} == {"Brochure", "Test report"}
    assert dataroom.open_document(secret, buyer, "10.0.0.1").read_bytes() == PDF
    db.session.commit()
    acceptance = db.session.scalars(select(NdaAcceptance)).one()
    assert (acceptance.ip_address, acceptance.user_agent) == ("10.0.0.1", "pytest-browser")
    assert len(acceptance.text_sha256) == 64
    assert db.session.scalars(select(DataRoomAccess.user_id)).all() == [buyer.id]
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == listing.seller_id)
    ).all()
    assert "listing_nda_accepted" in kinds


def test_unverified_buyers_cannot_sign(app, make_user, listing):
    investor = make_buyer(make_user, name="Unverified Fund", verified=False)
    with pytest.raises(PermissionDenied):
        dataroom.accept_nda(listing, investor, None, None)


def test_download_is_an_attachment_with_nosniff(client, auth, make_user, listing):
    buyer = make_buyer(make_user)
    secret = next(d for d in listing.documents if d.confidential)
    auth.login(buyer)
    refused = client.post(f"/market/documents/{secret.id}/download")
    assert refused.status_code == 303
    client.post(f"/market/listings/{listing.id}/nda")
    response = client.post(f"/market/documents/{secret.id}/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == PDF
    assert client.get(f"/market/documents/{secret.id}/download").status_code == 405


def test_seller_sees_the_access_log(client, auth, make_user, listing):
    buyer = make_buyer(make_user, display_name="Zhang Buyer")
    auth.login(buyer)
    client.post(f"/market/listings/{listing.id}/nda")
    client.post(f"/market/documents/{listing.documents[0].id}/download")
    auth.logout()
    auth.login(listing.seller)
    page = client.get(f"/market/listings/{listing.id}/data-room").get_data(as_text=True)
    assert "Zhang Buyer" in page
