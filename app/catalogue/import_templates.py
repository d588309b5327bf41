"""The published import columns: the help page's rows and the downloadable CSV and Excel templates.

Everything here is read from ``importers.columns``, the same table the importers check headers
against, so the documentation, the templates and the importer cannot drift apart. A template
holds the header and one example row; the Excel one adds a second sheet explaining each column
in the reader's language.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from openpyxl import Workbook
from openpyxl.styles import Font

from app.catalogue.display import LABELS
from app.catalogue.importers.columns import COLUMNS, Column

KINDS = ("patent", "project", "expert")
KIND_TITLES = {"patent": _l("Patents"), "project": _l("Projects"), "expert": _l("Experts")}
TYPE_LABELS = {
    "text": _l("Text"),
    "list": _l("List, separated by ; or |"),
    "date": _l("Date, YYYY-MM-DD"),
    "int": _l("Whole number"),
    "decimal": _l("Decimal number, without thousands separators"),
    "choice": _l("One of the listed values"),
    "number": _l("Patent or application number"),
}
# Columns whose values are codes: the help lists each code beside its label in the reader's language.
CHOICE_LABELS = {
    "patent_type": "patent_type",
    "legal_status": "legal_status",
    "stage": "stage",
    "seeking": "seeking",
    "contact_policy": "contact_policy",
    "availability": "availability",
    "fee_unit": "fee_unit",
    "qualifications": "qualification",
}


@dataclass(frozen=True)
class ColumnHelp:
    """One column as the help page and the Excel help sheet show it."""

    name: str
    type: str
    required: bool
    meaning: str
    example: str
    codes: tuple[tuple[str, str], ...]  # (value to type, what it means)

    @property
    def meaning_html(self) -> Markup:
        """The meaning with every value to type (a code or a column name) set as code."""
        literal = {code for code, _text in self.codes} | {c.name for cs in COLUMNS.values() for c in cs}
        pieces = re.split(r"([A-Za-z]+(?:_[A-Za-z0-9]+)+|[a-z]+)", self.meaning)
        return Markup("").join(
            Markup("<code>%s</code>") % piece if piece in literal else escape(piece) for piece in pieces
        )


def column_help(kind: str) -> list[ColumnHelp]:
    return [_help(column) for column in COLUMNS[kind]]


def _help(column: Column) -> ColumnHelp:
    labels = LABELS.get(CHOICE_LABELS.get(column.name, ""), {})
    return ColumnHelp(
        name=column.name,
        type=str(TYPE_LABELS[column.type]),
        required=column.required,
        meaning=_(column.help),
        example=column.example,
        codes=tuple((code, str(text)) for code, text in labels.items()),
    )


def csv_template(kind: str) -> bytes:
    """Header and example row, UTF-8 with a BOM so that Excel and WPS open Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in COLUMNS[kind]])
    writer.writerow([column.example for column in COLUMNS[kind]])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_template(kind: str) -> bytes:
    """A workbook: the import sheet (header + example) and a help sheet in the reader's language."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Records")[:31]
    sheet.append([column.name for column in COLUMNS[kind]])
    sheet.append([column.example for column in COLUMNS[kind]])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS[kind], start=1):
        sheet.cell(row=1, column=index).number_format = "@"
        sheet.cell(row=2, column=index).number_format = "@"  # keep numbers such as 201710601862.3 as text
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
            14, len(column.name) + 2
        )
    guide = workbook.create_sheet(_("Column guide")[:31])
    guide.append([_("Column"), _("Type"), _("Required"), _("Meaning"), _("Example"), _("Values")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for row in column_help(kind):
        values = "; ".join(f"{code} = {text}" for code, text in row.codes)
        guide.append([row.name, row.type, _("yes") if row.required else "", row.meaning, row.example, values])
    for letter, width in zip("ABCDEF", (24, 28, 8, 60, 22, 60), strict=True):
        guide.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
