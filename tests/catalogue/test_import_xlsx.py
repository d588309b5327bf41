"""Excel imports, the published import columns and the downloadable CSV and Excel templates."""

import csv
import dataclasses
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from app.catalogue.import_models import ImportJob
from app.catalogue.import_templates import csv_template, xlsx_template
from app.catalogue.importers import detect_format, import_file
from app.catalogue.importers.columns import COLUMNS
from app.catalogue.models import Patent
from app.catalogue.records import RowError
from app.extensions import db

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN,zh"}
KINDS = ("patent", "project", "expert")


def workbook_file(path, rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def split(results):
    records = [r for r in results if not isinstance(r, RowError)]
    errors = [r for r in results if isinstance(r, RowError)]
    return records, errors


@pytest.mark.parametrize("kind", KINDS)
def test_each_excel_template_imports_its_example_row(tmp_path, kind):
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(xlsx_template(kind))
    records, errors = split(list(import_file(path)))
    assert errors == []
    assert len(records) == 1
    assert detect_format(path) == f"{kind}s"


@pytest.mark.parametrize("kind", KINDS)
def test_each_csv_template_holds_the_documented_header_and_imports(tmp_path, kind):
    body = csv_template(kind)
    assert body.startswith("\ufeff".encode())  # Excel and WPS open UTF-8 Chinese text correctly
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header == [column.name for column in COLUMNS[kind]]
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(body)
    records, errors = split(list(import_file(path)))
    assert (len(records), errors) == (1, [])


def test_cells_typed_by_the_spreadsheet_read_like_the_csv_text(tmp_path):
    header = ["publication_number", "title_en", "filing_date", "grant_date", "claims_count", "legal_status"]
    typed = [
        "CN 118866379 A",
        "Battery pack",
        dt.datetime(2015, 3, 20, tzinfo=dt.UTC).replace(tzinfo=None),
        dt.date(2018, 1, 5),
        12.0,
        "granted",
    ]
    as_text = ["CN 118866379 A", "Battery pack", "2015-03-20", "2018-01-05", "12", "granted"]
    from_excel, excel_errors = split(
        list(import_file(workbook_file(tmp_path / "typed.xlsx", [header, typed])))
    )
    csv_path = tmp_path / "typed.csv"
    csv_path.write_text(",".join(header) + "\n" + ",".join(as_text) + "\n", encoding="utf-8")
    from_csv, csv_errors = split(list(import_file(csv_path)))
    assert excel_errors == csv_errors == []
    assert dataclasses.replace(from_excel[0], source=None) == dataclasses.replace(from_csv[0], source=None)


def test_bad_workbooks_are_reported_by_row_and_column(tmp_path):
    rows = [
        ["publication_number", "title_en", "colour"],
        ["CN 118866379 A", "Battery", "red"],
    ]
    _, errors = split(list(import_file(workbook_file(tmp_path / "unknown.xlsx", rows), fmt="patents")))
    assert [(e.field, e.location) for e in errors] == [("colour", "line 1")]

    rows = [["publication_number", "title_en"], ["CN 118866379 A", "Battery", "stray"], ["US8926509", "Cell"]]
    records, errors = split(list(import_file(workbook_file(tmp_path / "stray.xlsx", rows), fmt="patents")))
    assert [(e.location, e.field) for e in errors] == [("row 2", "row")]
    assert len(records) == 1

    fake = tmp_path / "fake.xlsx"
    fake.write_text("publication_number,title_en\n", encoding="utf-8")
    _, errors = split(list(import_file(fake, fmt="patents")))
    assert len(errors) == 1
    assert "Excel" in errors[0].reason


def test_a_workbook_that_inflates_like_a_bomb_is_refused_before_reading(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "xl/worksheets/sheet1.xml", b"\0" * (64 * 1024**2)
        )  # 64 MiB of zeros, ~64 KiB packed
    _, errors = split(list(import_file(path, fmt="patents")))
    assert len(errors) == 1
    assert "zip bomb" in errors[0].reason


def test_an_excel_file_with_a_chinese_name_uploads_and_imports(client, auth, holder, tmp_path):
    auth.login(holder)
    rows = [
        ["publication_number", "title_zh", "filing_date"],
        ["CN 118866379 A", "一种电池", dt.date(2015, 3, 20)],
    ]
    path = workbook_file(tmp_path / "book.xlsx", rows)
    with open(path, "rb") as handle:
        data = {"file": (handle, "专利清单.xlsx"), "format": "auto"}
        response = client.post("/catalogue/import", data=data, content_type="multipart/form-data", headers=EN)
    assert response.status_code == 302
    job = db.session.scalar(select(ImportJob))
    assert (job.file_name, job.format, job.errors, job.written) == ("专利清单.xlsx", "patents", [], True)
    patent = db.session.scalar(select(Patent))
    assert (patent.title_zh, patent.filing_date) == ("一种电池", dt.date(2015, 3, 20))


@pytest.mark.parametrize(
    ("headers", "words"), [(EN, ("Import columns", "Required")), (ZH, ("导入列", "必填"))]
)
def test_the_columns_page_documents_every_column_and_links_the_templates(client, headers, words):
    page = client.get("/catalogue/import/columns", headers=headers)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert all(word in text for word in words)
    for kind in KINDS:
        assert all(f"<code>{column.name}</code>" in text for column in COLUMNS[kind])
        for extension in ("xlsx", "csv"):
            assert f"/catalogue/import/template/{kind}.{extension}" in text
    if headers is ZH:
        assert "发明" in text  # codes are explained in the reader's language


def test_templates_download_and_the_excel_guide_is_in_the_readers_language(client):
    response = client.get("/catalogue/import/template/patent.xlsx", headers=ZH)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    guide = workbook.worksheets[1]
    assert guide.title == "列说明"
    assert [cell.value for cell in guide[1]][:2] == ["列名", "类型"]
    assert client.get("/catalogue/import/template/patent.csv").data.startswith("\ufeff".encode())
    assert client.get("/catalogue/import/template/pledge.csv").status_code == 404
    assert client.get("/catalogue/import/template/patent.exe").status_code == 404


def test_the_upload_page_links_the_column_documentation(client, auth, holder):
    auth.login(holder)
    text = client.get("/catalogue/import", headers=EN).get_data(as_text=True)
    assert "/catalogue/import/columns" in text
    assert "Excel" in text


def test_a_file_without_the_jurisdiction_column_takes_it_from_the_number(client, auth, holder, tmp_path):
    """The columns say jurisdiction "may be left out if the number has it": such a file used to be read
    and then refused at write time with "Enter the publication number"."""
    auth.login(holder)
    path = tmp_path / "no-jurisdiction.csv"
    path.write_text(
        'publication_number,title_en\n"US 8,420,021 B2",Cell\nCN 118866379 A,Battery\n', encoding="utf-8"
    )
    with open(path, "rb") as handle:
        data = {"file": (handle, path.name), "format": "auto"}
        client.post("/catalogue/import", data=data, content_type="multipart/form-data", headers=EN)
    job = db.session.scalar(select(ImportJob))
    assert (job.errors, job.written) == ([], True)
    assert sorted(db.session.scalars(select(Patent.jurisdiction))) == ["CN", "US"]


def test_a_number_without_prefix_and_no_jurisdiction_is_named_as_the_problem(tmp_path):
    path = tmp_path / "bare.csv"
    path.write_text("publication_number,title_en\n8420021,Cell\n", encoding="utf-8")
    _, errors = split(list(import_file(path)))
    assert [(e.field, "no country prefix" in e.reason) for e in errors] == [("publication_number", True)]
