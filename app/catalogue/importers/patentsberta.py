"""The PatentSBERTa research CSVs (US grants with first claim and CPC labels).

Two layouts, told apart by the header:

* ``df_claim_cpc_{train,test}.csv`` (UTF-8): ``id``, ``date`` (grant date), ``text`` (claim 1,
  numbered), then one 0/1 column per CPC subclass. Codes are subclass-level, none is main.
* ``df_claim_cpc_1400.csv`` (**cp1252**): ``patent_id``, Python-list cells
  (``['Y10T74/18288']``) for section .. subgroup, ``category`` (inventional/additional) and
  ``sequence``; the code at sequence 0 is the main one. No dates.

Neither carries a title, so ``title_en`` is derived from the claim's preamble and the record
says so (``title_derived=True``). Kind codes are unknown (``None``); status is "granted".
"""

from __future__ import annotations

import ast
import csv
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from app.catalogue import classification as cls
from app.catalogue.importers.text import EncodingProblem, clean, detect_encoding, title_from_claim
from app.catalogue.messages import reason_of
from app.catalogue.numbers import InvalidNumber, parse_publication_number
from app.catalogue.records import Classification, PatentRecord, RowError, SourceRef
from app.catalogue.terms import parse_date

_SUBCLASS = re.compile(r"[A-HY]\d\d[A-Z]")


def iter_patentsberta(path: str | Path) -> Iterator[PatentRecord | RowError]:
    """Stream US PatentRecords from either PatentSBERTa CSV layout."""
    path = Path(path)
    try:
        encoding = detect_encoding(path, fallbacks=("cp1252",))
    except EncodingProblem as exc:
        yield RowError.of(path.name, "file", "encoding", exc.message)
        return
    with open(path, encoding=encoding, newline="") as handle:
        reader = csv.DictReader(handle)
        convert = _from_subgroup_row if "subgroup_id" in (reader.fieldnames or ()) else _from_onehot_row
        line = 2
        for row in reader:
            yield convert(row, SourceRef(path.name, f"line {line}"))
            line = reader.line_num + 1


def _base(number: str, claim: str | None, source: SourceRef, **fields: object) -> PatentRecord | RowError:
    """The parts both layouts share: number, claim, derived title."""
    try:
        parsed = parse_publication_number(number, "US")
    except InvalidNumber as exc:
        return RowError.of(source.file, source.location, "id", exc.message)
    claim = clean(re.sub(r"^\s*1\s*\.\s*", "", claim or ""))
    title = title_from_claim(claim)
    return PatentRecord(
        jurisdiction="US",
        publication_number=parsed.canonical,
        kind_code=None,
        patent_type="design" if parsed.canonical.startswith("USD") else "invention",
        source=source,
        title_en=title,
        title_derived=title is not None,
        first_claim=claim,
        legal_status="granted",
        family_countries=("US",),
        **fields,
    )


def _from_onehot_row(row: Mapping[str, str], source: SourceRef) -> PatentRecord | RowError:
    """Train/test layout: subclass columns set to 1 become CPC codes."""
    try:
        granted = parse_date(row.get("date"))
    except ValueError as exc:
        return RowError.of(source.file, source.location, "date", reason_of(exc))
    codes = tuple(
        Classification("cpc", name)
        for name, flag in row.items()
        if flag == "1" and name and _SUBCLASS.fullmatch(name)
    )
    return _base(row.get("id", ""), row.get("text"), source, classifications=codes,
                 grant_date=granted, publication_date=granted)  # fmt: skip


def _listed(cell: str | None) -> list[object]:
    """Decode a Python-literal list cell such as "['additional']" without eval."""
    try:
        value = ast.literal_eval(cell or "[]")
    except (ValueError, SyntaxError):
        return []
    return value if isinstance(value, list) else [value]


def _from_subgroup_row(row: Mapping[str, str], source: SourceRef) -> PatentRecord | RowError:
    """1400 layout: full CPC subgroup codes with their position."""
    codes = []
    for code, sequence in zip(_listed(row.get("subgroup_id")), _listed(row.get("sequence")), strict=False):
        try:
            codes.append(Classification("cpc", cls.normalise(str(code), "cpc"), sequence == 0))
        except cls.InvalidClassification as exc:
            return RowError.of(source.file, source.location, "subgroup_id", reason_of(exc))
    return _base(row.get("patent_id", ""), row.get("text"), source, classifications=tuple(codes))
