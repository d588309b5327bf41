"""Excel workbooks (.xlsx) with the documented columns: the first sheet, one header row.

openpyxl reads the workbook in read-only mode, row by row, and parses its XML through
defusedxml (openpyxl picks it up when it is installed). A workbook is a zip archive, so its
directory is checked for bombs before a byte is inflated. Cells typed as dates or numbers by
the spreadsheet are turned back into the text the CSV reader would have seen, so the rows go
through the same validation as every other import.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from app.catalogue.importers.tabular import Row, build_records, check_header
from app.catalogue.importers.uspto_xml import MAX_UNPACKED_BYTES, check_zip_member
from app.catalogue.messages import N_, MessageError, message
from app.catalogue.records import Record, RowError
from app.core.spreadsheet import restore_formula


def check_workbook_archive(path: Path) -> None:
    """Refuse a workbook whose members would inflate beyond the import limits."""
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        for info in members:
            check_zip_member(info)
        if sum(info.file_size for info in members) > MAX_UNPACKED_BYTES:
            raise MessageError(message(N_("the workbook unpacks to more than the import limit")))


def cell_text(value: Any) -> str:
    """A cell as the text a CSV cell would hold: ISO dates, integers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return restore_formula(str(value).strip())


def read_header(path: str | Path) -> list[str]:
    """The first sheet's header row (for format detection)."""
    path = Path(path)
    check_workbook_archive(path)
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        first = next(workbook.worksheets[0].iter_rows(max_row=1, values_only=True), ())
        return [cell_text(cell) for cell in first]
    finally:
        workbook.close()


def iter_xlsx(path: str | Path, kind: str = "patent") -> Iterator[Record | RowError]:
    """Stream records from the first sheet of a documented-columns workbook."""
    path = Path(path)
    try:
        check_workbook_archive(path)
        workbook = load_workbook(path, read_only=True, data_only=True)
    except MessageError as exc:
        yield RowError.of(path.name, "file", "file", exc.message)
        return
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        yield RowError.of(path.name, "file", "file", message(N_("not an Excel workbook (.xlsx)")))
        return
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [cell_text(cell) for cell in next(rows, ())]
        while header and not header[-1]:
            header.pop()  # trailing empty cells of a formatted header row
        if not header:
            yield RowError.of(path.name, "row 1", "header", message(N_("the file is empty")))
            return
        if errors := check_header(path.name, kind, header):
            yield from errors
            return
        yield from build_records(kind, _sheet_rows(rows, header, path.name), path.name)
    finally:
        workbook.close()


def _sheet_rows(rows: Iterator[tuple[Any, ...]], header: list[str], file: str) -> Iterator[Row]:
    """Rows as dicts located by their sheet row number; blank rows are skipped."""
    for number, cells in enumerate(rows, start=2):
        texts = [cell_text(cell) for cell in cells[: len(header)]]
        if any(cell_text(cell) for cell in cells[len(header) :]):
            reason = message(N_("a cell lies outside the %(columns)s named columns"), columns=len(header))
            yield RowError.of(file, f"row {number}", "row", reason)
            continue
        if not any(texts):
            continue
        texts += [""] * (len(header) - len(texts))
        yield f"row {number}", dict(zip(header, texts, strict=True))
