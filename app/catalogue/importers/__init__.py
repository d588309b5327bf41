"""Catalogue importers: one registry of file formats, each a stream of records or RowErrors.

Every importer is a generator ``(path, **options) -> Iterator[Record | RowError]`` that
reads lazily, so a caller can show progress, stop at the first error (all-or-nothing) or
keep going (``--skip-bad``). ``ImportReport.collect`` drains one into a report.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

from app.catalogue.importers.cn_sample import iter_cn_sample
from app.catalogue.importers.patentsberta import iter_patentsberta
from app.catalogue.importers.tabular import iter_table
from app.catalogue.importers.uspto_xml import iter_uspto_xml
from app.catalogue.importers.xlsx import read_header
from app.catalogue.messages import MessageError
from app.catalogue.records import ImportReport, Record, RowError

Importer = Callable[..., Iterator[Record | RowError]]

IMPORTERS: dict[str, Importer] = {
    "uspto-xml": iter_uspto_xml,  # weekly ipg/ipa files, .xml or .zip
    "patents": partial(iter_table, kind="patent"),  # documented columns, CSV/JSON/JSONL/XLSX
    "projects": partial(iter_table, kind="project"),
    "experts": partial(iter_table, kind="expert"),
    "patentsberta": iter_patentsberta,  # research CSVs of US claims + CPC labels
    "cn-sample": iter_cn_sample,  # CNIPA sample CSVs
}


class UnknownFormat(ValueError):
    """No importer is registered under a name."""


def register(name: str, importer: Importer) -> None:
    """Add an importer (e.g. from a plugin); names are unique."""
    if name in IMPORTERS:
        raise ValueError(f"importer {name!r} is already registered")
    IMPORTERS[name] = importer


def get_importer(name: str) -> Importer:
    """Look an importer up, failing with the list of known names."""
    try:
        return IMPORTERS[name]
    except KeyError:
        raise UnknownFormat(
            f"unknown import format {name!r}; known: {', '.join(sorted(IMPORTERS))}"
        ) from None


def detect_format(path: str | Path) -> str:
    """Guess the format from the extension and the header, so uploads need no form field."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xml", ".zip"):
        return "uspto-xml"
    if suffix == ".xlsx":
        return _format_from_keys(_xlsx_header(path))
    with open(path, "rb") as handle:
        head = handle.read(65536).decode("utf-8", errors="replace").lstrip("\ufeff")
    if suffix in (".json", ".jsonl"):
        keys = set(re.findall(r'"(\w+)"\s*:', head))
    else:
        keys = {cell.strip().strip('"') for cell in head.splitlines()[0].split(",")} if head else set()
    return _format_from_keys(keys)


def _xlsx_header(path: Path) -> set[str]:
    """The workbook's header names; an unreadable workbook is reported by the importer itself."""
    try:
        return set(read_header(path))
    except (MessageError, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return set()


def _format_from_keys(keys: set[str]) -> str:
    """Research CSVs, CNIPA samples, or our documented columns (by their key column)."""
    if "subgroup_id" in keys or {"id", "date", "text"} <= keys:
        return "patentsberta"
    if {"publication_number", "text", "labels"} <= keys:
        return "cn-sample"
    if "reference" in keys:
        return "experts" if "name" in keys else "projects"
    return "patents"


def import_file(path: str | Path, fmt: str | None = None, **options: object) -> Iterator[Record | RowError]:
    """Stream a file through its importer, detecting the format when not given."""
    return get_importer(fmt or detect_format(path))(path, **options)


__all__ = [
    "IMPORTERS",
    "ImportReport",
    "UnknownFormat",
    "detect_format",
    "get_importer",
    "import_file",
    "register",
]
