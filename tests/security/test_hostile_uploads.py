"""Hostile import files: zip bombs, endless documents and entity expansion are refused, in bounded memory."""

import resource
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from app.catalogue.import_models import ImportJob
from app.catalogue.importers import uspto_xml
from app.catalogue.importers.uspto_xml import iter_uspto_xml
from app.catalogue.records import PatentRecord, RowError
from app.extensions import db

FIXTURES = Path(__file__).resolve().parents[1] / "catalogue" / "fixtures"
EN = {"Accept-Language": "en"}
MiB = 1024**2


def a_real_document() -> bytes:
    return b"<?xml " + (FIXTURES / "uspto_mixed.xml").read_bytes().split(b"<?xml ")[1]


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


@pytest.fixture
def uploads(app, tmp_path):
    """Imports run in the request here (in-memory SQLite is not shared with other threads)."""
    app.config["IMPORT_JOB_RUNNER"] = "inline"
    app.instance_path = str(tmp_path / "instance")
    return app


def upload(client, path: Path):
    with open(path, "rb") as handle:
        data = {"file": (handle, path.name), "format": "auto"}
        client.post("/catalogue/import", data=data, content_type="multipart/form-data", headers=EN)
    return db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))


def write_zip_bomb(path: Path, unpacked: int) -> None:
    """One endless line of XML text, deflated about a thousandfold (written in bounded chunks)."""
    line = b"<?xml version='1.0'?><us-patent-grant>" + b"a" * (MiB - 40)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("ipg.xml", "w") as member,
    ):
        for _ in range(unpacked // MiB):
            member.write(line)
            line = b"a" * MiB


def test_zip_bomb_upload_is_refused_with_a_clear_message_in_bounded_memory(
    uploads, client, auth, holder, tmp_path
):
    bomb = tmp_path / "ipg_week.zip"
    write_zip_bomb(bomb, 300 * MiB)
    assert bomb.stat().st_size < 2 * MiB
    auth.login(holder)
    before = peak_rss_bytes()
    job = upload(client, bomb)
    growth = peak_rss_bytes() - before
    assert growth < 64 * MiB, f"peak memory grew by {growth // MiB} MiB"
    (error,) = [RowError.from_json(e) for e in job.errors]
    assert "zip bomb" in error.reason
    page = client.get(f"/catalogue/imports/{job.id}", headers=EN).get_data(as_text=True)
    assert "possible zip bomb" in page
    zh_page = client.get(f"/catalogue/imports/{job.id}", headers={"Accept-Language": "zh"}).get_data(
        as_text=True
    )
    assert "压缩炸弹" in zh_page
    assert db.session.scalar(select(db.func.count()).select_from(db.metadata.tables["patents"])) == 0


def test_zip_declaring_more_than_the_unpacked_limit_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("ipg.xml", a_real_document() * 3)
    monkeypatch.setattr(uspto_xml, "MAX_UNPACKED_BYTES", 1000)
    (error,) = iter_uspto_xml(path)
    assert "more than the 0 MB allowed" in error.reason or "unpacks to" in error.reason


def test_an_endless_document_is_cut_off_and_later_ones_still_parse(tmp_path, monkeypatch):
    monkeypatch.setattr(uspto_xml, "MAX_DOCUMENT_BYTES", 64 * 1024)
    endless = b"<?xml version='1.0'?>\n<!DOCTYPE us-patent-grant>\n<us-patent-grant>" + b"x" * 300_000 + b"\n"
    listing = (
        b"<?xml version='1.0'?>\n<!DOCTYPE sequence-cwu>\n<sequence-cwu>"
        + b"ACGT" * 50_000
        + b"</sequence-cwu>\n"
    )
    path = tmp_path / "ipg.xml"
    path.write_bytes(endless + listing + a_real_document())
    results = list(iter_uspto_xml(path))
    assert [type(r) for r in results] == [RowError, PatentRecord]  # the long sequence listing is skipped
    assert results[0].location == "document 1"
    assert "larger than 0 MB" in results[0].reason or "larger than" in results[0].reason


def padded_entity_document(padding: int) -> bytes:
    """The bypass: a DOCTYPE padded past what a prefix scan reads, then internal entities."""
    entities = (
        b"[<!-- padding follows -->" + b" " * padding + b"\n"
        b'<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">\n'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n]>'
    )
    return a_real_document().replace(b"[ ]>", entities, 1).replace(b"Faucet spout", b"&c;", 1)


@pytest.mark.parametrize("padding", [0, 2_100, 50_000])
def test_entity_declarations_are_refused_however_far_the_doctype_is_padded(tmp_path, padding):
    path = tmp_path / "padded.xml"
    path.write_bytes(padded_entity_document(padding))
    (error,) = iter_uspto_xml(path)
    assert isinstance(error, RowError)
    assert "declares entities" in error.reason


def test_padded_entity_upload_shows_the_refusal(uploads, client, auth, holder, tmp_path):
    path = tmp_path / "padded.xml"
    path.write_bytes(padded_entity_document(3000))
    auth.login(holder)
    job = upload(client, path)
    reasons = [RowError.from_json(e).reason for e in job.errors]
    assert reasons == ["the DOCTYPE declares entities; USPTO files never do"]
    page = client.get(f"/catalogue/imports/{job.id}", headers={"Accept-Language": "zh"}).get_data(
        as_text=True
    )
    assert "实体" in page


def test_external_entities_are_refused(tmp_path):
    doc = a_real_document().replace(b"[ ]>", b'[<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1)
    path = tmp_path / "external.xml"
    path.write_bytes(doc.replace(b"Faucet spout", b"&x;", 1))
    (error,) = iter_uspto_xml(path)
    assert "declares entities" in error.reason
