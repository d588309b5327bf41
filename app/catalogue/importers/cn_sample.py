"""The CNIPA sample CSVs (chinese-patent-cpc-multilabel-classification).

Columns ``publication_number`` (``CN118866379A``), ``text``, ``labels`` (a JSON list of
CPC subgroups) and ``n_labels``; UTF-8 with a BOM. ``text`` comes in two shapes:
``"title [SEP] keywords [SEP] abstract"`` or ``"Title: ...\\nKeywords: ...\\nAbstract: ..."``.
Titles and abstracts are Chinese; the English keywords have no record field and are
dropped. Trailing rows of bare commas are padding and are skipped. Labels are sorted, not
ranked, so no code is marked main. A (application) publications get status "pending".
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from app.catalogue import classification as cls
from app.catalogue.importers.text import EncodingProblem, clean, detect_encoding
from app.catalogue.messages import N_, message, reason_of
from app.catalogue.numbers import InvalidNumber, parse_publication_number, patent_type_for
from app.catalogue.records import Classification, PatentRecord, RowError, SourceRef

_LABELLED = re.compile(r"Title:\s*(?P<title>.*?)\s*Keywords:.*?Abstract:\s*(?P<abstract>.*)", re.DOTALL)


def split_text(text: str) -> tuple[str | None, str | None]:
    """(title, abstract) from either text shape; the whole text as abstract otherwise."""
    if match := _LABELLED.match(text.strip()):
        return clean(match["title"]), clean(match["abstract"])
    parts = [p.strip() for p in text.split("[SEP]")]
    if len(parts) == 3:
        return clean(parts[0]), clean(parts[2])
    return None, clean(text)


def iter_cn_sample(path: str | Path) -> Iterator[PatentRecord | RowError]:
    """Stream CN PatentRecords from a sample CSV."""
    path = Path(path)
    try:
        encoding = detect_encoding(path)
    except EncodingProblem as exc:
        yield RowError.of(path.name, "file", "encoding", exc.message)
        return
    with open(path, encoding=encoding, newline="") as handle:
        reader = csv.DictReader(handle)
        line = 2
        for row in reader:
            if any((v or "").strip() for v in row.values()):
                yield _from_row(row, SourceRef(path.name, f"line {line}"))
            line = reader.line_num + 1


def _codes(raw: str | None) -> tuple[Classification, ...]:
    """CPC labels, normalised; InvalidClassification propagates to the caller."""
    labels = json.loads(raw or "[]")
    return tuple(Classification("cpc", cls.normalise(str(label), "cpc")) for label in labels)


def _from_row(row: Mapping[str, str], source: SourceRef) -> PatentRecord | RowError:
    """One row to a record, or the first field that is wrong."""
    try:
        number = parse_publication_number(row.get("publication_number") or "", "CN")
    except InvalidNumber as exc:
        return RowError.of(source.file, source.location, "publication_number", exc.message)
    try:
        codes = _codes(row.get("labels"))
    except (ValueError, cls.InvalidClassification) as exc:
        return RowError.of(source.file, source.location, "labels", reason_of(exc))
    title, abstract = split_text(row.get("text") or "")
    if not title:
        return RowError.of(source.file, source.location, "text", message(N_("no title found in the text")))
    return PatentRecord(
        jurisdiction="CN",
        publication_number=number.canonical,
        kind_code=number.kind,
        patent_type=patent_type_for("CN", number.kind, number.canonical),
        source=source,
        title_zh=title,
        abstract_zh=abstract,
        classifications=codes,
        legal_status="pending" if number.kind == "A" else "granted",
        family_countries=("CN",),
    )
