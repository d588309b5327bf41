"""CSV, JSON and JSON Lines with the documented columns."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from app.catalogue.importers import UnknownFormat, detect_format, get_importer, import_file
from app.catalogue.importers.columns import COLUMNS, render_markdown
from app.catalogue.importers.tabular import iter_csv, iter_json
from app.catalogue.importers.text import EncodingProblem, detect_encoding, split_list
from app.catalogue.records import ExpertRecord, ImportReport, ProjectRecord, RowError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HEADER = "jurisdiction,publication_number,title_en,title_zh\n"


def _errors(path, **options):
    return [(e.location, e.field) for e in import_file(path, **options) if isinstance(e, RowError)]


def test_good_patent_csv():
    report = ImportReport.collect(iter_csv(FIXTURES / "patents_good.csv"))
    assert report.ok, report.errors
    cn, us, um = report.records
    assert cn.key == ("CN", "CN107123456")
    assert cn.application_number == "CN201710601862.3"
    assert cn.title_zh == "一种锂离子电池"
    assert cn.codes("ipc") == ("H01M 10/0525", "H01M 4/00")
    assert cn.classifications[0].is_main
    assert cn.inventors == ("张三", "李四")
    assert cn.family_countries == ("CN", "US")
    assert (cn.claims_count, cn.independent_claims_count, cn.annual_fee_paid_year) == (10, 2, 6)
    assert cn.grant_date == dt.date(2019, 5, 21)
    assert us.publication_number == "US7123456"
    assert us.kind_code == "B2"
    assert us.title_en == "Widget, with comma"
    assert us.first_claim == "A widget\nspanning two lines."  # line breaks inside a claim are kept
    assert us.application_number == "US11123456"
    assert um.patent_type == "utility_model"
    assert um.source.location == "line 5"  # the quoted newline in line 3 is counted


def test_bad_patent_rows_name_line_and_field():
    assert _errors(FIXTURES / "patents_bad.csv") == [
        ("line 3", "publication_number"),
        ("line 4", "application_number"),
        ("line 5", "grant_date"),
        ("line 6", "priority_date"),
        ("line 7", "filing_date"),
        ("line 8", "ipc"),
        ("line 9", "independent_claims_count"),
        ("line 10", "publication_number"),
        ("line 11", "jurisdiction"),
    ]


def test_duplicate_row_points_at_the_first():
    (dup,) = [e for e in import_file(FIXTURES / "patents_bad.csv") if "duplicate" in getattr(e, "reason", "")]
    assert dup.location == "line 10"
    assert dup.reason == "duplicate of line 2 (US7123456)"


def test_impossible_date_is_explained():
    (error,) = [
        e for e in import_file(FIXTURES / "patents_bad.csv") if getattr(e, "field", "") == "filing_date"
    ]
    assert "'2010-02-30' is not a real date" in error.reason


def test_header_problems_stop_before_rows(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("jurisdiction,publication_numbr,title_en\nCN,CN1234567A,x\n", encoding="utf-8")
    errors = list(iter_csv(path))
    assert [(e.location, e.field) for e in errors] == [
        ("line 1", "publication_numbr"),
        ("line 1", "publication_number"),
    ]


def test_row_with_wrong_width(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "CN,CN1234567A\n", encoding="utf-8")
    (error,) = iter_csv(path)
    assert (error.location, error.field) == ("line 2", "row")


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeff".encode() + (HEADER + "CN,CN1234567A,,电池\n").encode())
    (record,) = iter_csv(path)
    assert record.title_zh == "电池"


def test_other_encodings_are_refused_clearly_unless_named(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "CN,CN1234567A,,电池\n").encode("gb18030"))
    (error,) = iter_csv(path)
    assert error.field == "encoding"
    assert "not utf-8" in error.reason
    assert "gb18030" in error.reason
    (record,) = iter_csv(path, encoding="gb18030")
    assert record.title_zh == "电池"


def test_detect_encoding_fallbacks(tmp_path):
    path = tmp_path / "w.csv"
    path.write_bytes("caf\u00e9 \u2013 na\u00efve\n".encode("cp1252"))
    assert detect_encoding(path, fallbacks=("cp1252",)) == "cp1252"
    with pytest.raises(EncodingProblem, match="invalid byte 0xe9 at byte 3"):
        detect_encoding(path)


def test_projects_csv():
    results = list(import_file(FIXTURES / "projects.csv"))
    project = results[0]
    assert isinstance(project, ProjectRecord)
    assert project.funding_amount == Decimal("5000000.00")
    assert project.funding_currency == "CNY"
    assert project.seeking == ("funding", "partnership")
    assert project.linked_patents == ("CN107123456", "US7123456")
    assert project.team == ("Wang Wu", "Zhao Liu")
    assert project.contact_policy == "on_request"
    fields = {e.field for e in results[1:] if e.location == "line 3"}
    assert fields == {"title_en", "funding_amount", "trl", "stage", "seeking", "linked_patents"}
    assert results[-1].reason == "duplicate of line 2 (PRJ-1)"


def test_experts_json():
    results = list(iter_json(FIXTURES / "experts.json", kind="expert"))
    expert = results[0]
    assert isinstance(expert, ExpertRecord)
    assert expert.specialties_ipc == ("H01M", "G06F")  # subclasses, as the form stores them
    assert expert.industries == ("batteries", "software")
    assert expert.languages == ("zh", "en")
    assert (expert.fee_amount, expert.fee_currency, expert.fee_unit) == (Decimal("1500.00"), "CNY", "hour")
    assert expert.user_email == "li.hua@example.com"
    errors = [(e.location, e.field) for e in results[1:]]
    assert set(errors) == {("record 2", f) for f in ("name", "specialties_ipc", "languages", "fee_currency",
                                                    "user_email")} | {("record 3", "hobby")}  # fmt: skip


def test_json_lines_stream_and_report_a_broken_line():
    results = list(import_file(FIXTURES / "patents.jsonl"))
    assert [r.key for r in results if not isinstance(r, RowError)] == [
        ("EP", "EP1234567"),
        ("JP", "JP2005123456"),
    ]
    (error,) = [r for r in results if isinstance(r, RowError)]
    assert (error.location, error.field) == ("line 4", "json")


def test_invalid_json_document(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('[{"publication_number": "EP 1234567"', encoding="utf-8")
    (error,) = iter_json(path)
    assert error.field == "json"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("patents_good.csv", "patents"), ("projects.csv", "projects"), ("experts.json", "experts"),
     ("patents.jsonl", "patents")],
)  # fmt: skip
def test_detect_format(name, expected):
    assert detect_format(FIXTURES / name) == expected


def test_unknown_format_fails_loudly():
    with pytest.raises(UnknownFormat, match="known: cn-sample"):
        get_importer("xls")


def test_list_cells_split_on_semicolon_and_pipe():
    assert split_list(" a; b |c ;; ") == ("a", "b", "c")


@pytest.mark.parametrize("kind", sorted(COLUMNS))
def test_column_spec_renders_for_the_help_page(kind):
    table = render_markdown(kind)
    assert all(f"`{col.name}`" in table for col in COLUMNS[kind])
