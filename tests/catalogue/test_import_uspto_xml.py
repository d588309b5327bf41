"""USPTO full-text XML: every real document parses, broken ones are reported."""

import datetime as dt
import io
import os
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from app.catalogue.importers import detect_format, import_file
from app.catalogue.importers.uspto_xml import iter_uspto_xml, split_documents
from app.catalogue.records import ImportReport, PatentRecord, RowError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "uspto-xml"
# In CI the data must be there: the tests run (and fail) rather than skip.
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir() and os.environ.get("CI", "").lower() != "true",
    reason=f"shared USPTO data not found at {SHARED}",
)


def _by_number(report):
    return {r.publication_number: r for r in report.records}


def test_mixed_fixture_records_skips_sequence_listing_and_reports_truncation():
    results = list(iter_uspto_xml(FIXTURES / "uspto_mixed.xml"))
    assert [type(r).__name__ for r in results] == ["PatentRecord", "PatentRecord", "RowError"]
    error = results[-1]
    assert error.location == "document 4"
    assert error.field == "xml"
    assert "truncated" in error.reason
    assert "file line" in error.reason


def test_design_patent_without_abstract():
    design = next(iter_uspto_xml(FIXTURES / "uspto_mixed.xml"))
    assert design.publication_number == "USD680199"
    assert design.kind_code == "S1"
    assert design.patent_type == "design"
    assert design.title_en == "Faucet spout"
    assert design.abstract_en is None
    assert design.claims_count == design.independent_claims_count == 1
    assert design.legal_status == "granted"
    assert design.grant_date == design.publication_date


def test_application_document():
    app_doc = list(iter_uspto_xml(FIXTURES / "uspto_mixed.xml"))[1]
    assert app_doc.publication_number == "US20130014308"
    assert (app_doc.kind_code, app_doc.legal_status, app_doc.grant_date) == ("A1", "pending", None)
    assert app_doc.application_number == "US13181579"
    assert app_doc.claims_count == 12
    assert app_doc.independent_claims_count == 1
    assert app_doc.first_claim.startswith("A finger nail tip cover")
    assert app_doc.classifications[0].code == "A41D 13/08"
    assert app_doc.classifications[0].is_main


def test_split_handles_declarations_mid_line():
    data = b'<?xml version="1.0"?><a/><?xml version="1.0"?>\n<b/>\n<?xml-stylesheet x?>\n'
    expected = [b'<?xml version="1.0"?><a/>', b'<?xml version="1.0"?>\n<b/>\n<?xml-stylesheet x?>\n']
    for chunk_bytes in (1, 3, 7, 1024):  # declarations straddling chunk boundaries too
        docs = list(split_documents(io.BytesIO(data), chunk_bytes=chunk_bytes))
        assert [d.data for d in docs] == expected
        assert [d.line for d in docs] == [1, 1]


def test_entities_resolve_without_fetching_the_dtd(tmp_path):
    doc = (FIXTURES / "uspto_mixed.xml").read_bytes().split(b"<?xml ")[1]
    doc = b"<?xml " + doc.replace(b"Faucet spout", b"Faucet&nbsp;spout &amp; &#x201c;tap&#x201d;")
    path = tmp_path / "entity.xml"
    path.write_bytes(doc)
    (record,) = iter_uspto_xml(path)
    assert record.title_en == "Faucet spout & \u201ctap\u201d"  # whitespace, NBSP included, is collapsed


def test_garbage_document_is_reported_and_later_ones_still_parse(tmp_path):
    good = (FIXTURES / "uspto_mixed.xml").read_bytes().split(b"<?xml ")[1]
    path = tmp_path / "broken.xml"
    path.write_bytes(b'<?xml version="1.0"?>\n<us-patent-grant><oops></us-patent-grant>\n<?xml ' + good)
    results = list(iter_uspto_xml(path))
    assert isinstance(results[0], RowError)
    assert results[0].location == "document 1"
    assert "mismatched tag" in results[0].reason
    assert isinstance(results[1], PatentRecord)


def test_entity_declarations_are_refused(tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_bytes(
        b'<?xml version="1.0"?>\n<!DOCTYPE us-patent-grant [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>\n'
        b"<us-patent-grant>&b;</us-patent-grant>\n"
    )
    (error,) = iter_uspto_xml(path)
    assert "declares entities" in error.reason


def test_zipped_weekly_file_is_read_without_extracting(tmp_path):
    path = tmp_path / "ipg_week.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(FIXTURES / "uspto_mixed.xml", "ipg_week.xml")
    results = list(iter_uspto_xml(path))
    assert [type(r).__name__ for r in results] == ["PatentRecord", "PatentRecord", "RowError"]


def test_missing_file_is_a_row_error(tmp_path):
    (error,) = iter_uspto_xml(tmp_path / "nope.xml")
    assert error.location == "file"


def test_format_is_detected_from_extension():
    assert detect_format(FIXTURES / "uspto_mixed.xml") == "uspto-xml"


@needs_shared
def test_all_real_grant_and_application_documents_parse():
    reports = {p.name: ImportReport.collect(iter_uspto_xml(p)) for p in sorted(SHARED.glob("*/*.xml"))}
    fixtures = [name for name in reports if name.startswith(("ipg", "ipa"))]
    grants = sum(1 for n in fixtures for r in reports[n].records if r.grant_date)
    applications = sum(1 for n in fixtures for r in reports[n].records if not r.grant_date)
    assert (grants, applications) == (321, 2)
    assert all(reports[n].ok for n in fixtures)
    samples = [n for n in reports if n.startswith("US")]
    assert sum(len(reports[n].records) for n in samples) == 8
    scheme_errors = [e for n in ("cpcMaster.xml", "cpc-scheme-A01L.xml") for e in reports[n].errors]
    assert len(scheme_errors) == 2
    assert all("unsupported document type" in e.reason for e in scheme_errors)


@needs_shared
def test_real_documents_across_dtd_versions():
    records = {}
    for path in SHARED.glob("*/*.xml"):
        records.update(_by_number(ImportReport.collect(iter_uspto_xml(path))))
    kinds = Counter(r.kind_code for r in records.values())
    assert kinds == {"S1": 210, "B2": 101, "B1": 15, "A1": 4, "P2": 1}
    assert all(r.title_en for r in records.values())
    assert all(r.inventors for r in records.values())
    assert sum(1 for r in records.values() if r.abstract_en is None) == 210  # the designs

    old = records["US6836899"]  # v4.0, IPC 7 fixed width "A45F  504"
    assert old.classifications[0].code == "A45F 5/04"
    assert old.backward_citations == 39
    assert old.inventors == old.applicants  # v4.0: inventors are the applicants

    cpc = records["US8926509"]  # v4.5 with CPC
    assert cpc.codes("cpc")[0] == "A61B 5/0205"
    assert cpc.claims_count == 31
    assert cpc.independent_claims_count == 6
    assert cpc.backward_citations == 160
    assert cpc.filing_date == dt.date(2008, 6, 5)


@needs_shared
def test_priority_claims_set_priority_date_and_family():
    records = _by_number(
        ImportReport.collect(iter_uspto_xml(SHARED / "patentsview_db_fixtures/ipg100105.small.xml"))
    )
    record = records["US7643470"]
    assert record.priority_date == dt.date(2003, 9, 23)
    assert record.family_countries == ("FR", "US")
    assert record.owners == ("France Telecom",)


@needs_shared
def test_import_file_dispatches_by_extension():
    path = SHARED / "patentsview_db_fixtures/ipa130117.one.xml"
    assert len(ImportReport.collect(import_file(path)).records) == 2
