"""CSV, JSON and JSON Lines imports of patents, projects and experts (see ``columns``)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from app.catalogue.importers.columns import COLUMNS
from app.catalogue.importers.text import EncodingProblem, detect_encoding
from app.catalogue.messages import N_, Message, location_message, message
from app.catalogue.records import Record, RowError, SourceRef
from app.catalogue.validation import expert_from_row, patent_from_row, project_from_row
from app.core.spreadsheet import restore_formula

Builder = Callable[[Mapping[str, Any], SourceRef], Record | list[RowError]]
BUILDERS: dict[str, Builder] = {
    "patent": patent_from_row,
    "project": project_from_row,
    "expert": expert_from_row,
}
_NOT_A_LIST = N_('expected a list of objects or {"records": [...]}')
_KEY_FIELD = {"patent": "publication_number", "project": "reference", "expert": "reference"}


def check_header(file: str, kind: str, header: Iterable[str]) -> list[RowError]:
    """Refuse misspelt or missing columns up front, before any row is read."""
    known = {col.name for col in COLUMNS[kind]}
    names = [h.strip() for h in header]
    unknown = message(N_("unknown column; expected some of: %(columns)s"), columns=", ".join(sorted(known)))
    errors = [RowError.of(file, "line 1", name, unknown) for name in names if name not in known]
    errors += [
        RowError.of(file, "line 1", col.name, message(N_("required column is missing")))
        for col in COLUMNS[kind]
        if col.required and col.name not in names
    ]
    errors += [
        RowError.of(file, "line 1", name, message(N_("column appears twice")))
        for name in sorted(set(names))
        if names.count(name) > 1
    ]
    return errors


Row = tuple[str, Mapping[str, Any]] | RowError


def build_records(kind: str, rows: Iterable[Row], file: str) -> Iterator[Record | RowError]:
    """Validate rows, then reject later duplicates of the same record key."""
    seen: dict[Any, str] = {}
    for item in rows:
        if isinstance(item, RowError):
            yield item
            continue
        location, row = item
        result = BUILDERS[kind](row, SourceRef(file, location))
        if isinstance(result, list):
            yield from result
            continue
        if result.key in seen:
            label = result.key[-1] if isinstance(result.key, tuple) else result.key
            first = location_message(seen[result.key])
            duplicate = message(N_("duplicate of %(first)s (%(key)s)"), first=first, key=label)
            yield RowError.of(file, location, _KEY_FIELD[kind], duplicate)
            continue
        seen[result.key] = location
        yield result


def iter_csv(
    path: str | Path, kind: str = "patent", encoding: str | None = None
) -> Iterator[Record | RowError]:
    """Stream records from a documented-columns CSV; UTF-8 unless an encoding is given."""
    path = Path(path)
    try:
        encoding = encoding or detect_encoding(path)
    except EncodingProblem as exc:
        yield RowError.of(path.name, "file", "encoding", exc.message)
        return
    try:
        with open(path, encoding=encoding, newline="") as handle:
            yield from _read_csv(handle, path.name, kind)
    except UnicodeDecodeError as exc:
        reason = message(
            N_("not valid %(encoding)s: %(error)s at byte %(offset)s"),
            encoding=encoding,
            error=exc.reason,
            offset=exc.start,
        )
        yield RowError.of(path.name, "file", "encoding", reason)
    except csv.Error as exc:
        yield RowError.of(path.name, "file", "csv", message(N_("unreadable CSV: %(error)s"), error=str(exc)))


def _read_csv(handle: Iterable[str], file: str, kind: str) -> Iterator[Record | RowError]:
    """Header check, then one (location, row) per non-blank record."""
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        yield RowError.of(file, "line 1", "header", message(N_("the file is empty")))
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    if errors := check_header(file, kind, header):
        yield from errors
        return
    yield from build_records(kind, _csv_rows(reader, header, file), file)


def _csv_rows(reader: Any, header: list[str], file: str) -> Iterator[Row]:
    """Rows as dicts located by their first physical line (cells may hold newlines)."""
    line = reader.line_num + 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            reason = message(
                N_("%(cells)s cells for %(columns)s columns"), cells=len(cells), columns=len(header)
            )
            yield RowError.of(file, f"line {start}", "row", reason)
            continue
        yield f"line {start}", dict(zip(header, map(restore_formula, cells), strict=True))


def iter_json(path: str | Path, kind: str = "patent") -> Iterator[Record | RowError]:
    """Records from a JSON list (read whole) or JSON Lines (streamed line by line)."""
    path = Path(path)
    try:
        encoding = detect_encoding(path)
        if path.suffix.lower() == ".jsonl":
            rows: Iterable[tuple[str, Any] | RowError] = _jsonl_rows(path, encoding)
        else:
            rows = _json_rows(path, encoding)
        yield from build_records(kind, _objects(rows, path.name, kind), path.name)
    except EncodingProblem as exc:
        yield RowError.of(path.name, "file", "encoding", exc.message)
    except json.JSONDecodeError as exc:
        yield RowError.of(path.name, f"line {exc.lineno}", "json", _invalid_json(exc))


# The json module's commonest reasons, marked so they are translated too (others stay English).
JSON_REASONS = (
    N_("Expecting value"),
    N_("Expecting ',' delimiter"),
    N_("Expecting ':' delimiter"),
    N_("Expecting property name enclosed in double quotes"),
    N_("Extra data"),
    N_("Unterminated string starting at"),
    N_("Invalid control character at"),
)


def _invalid_json(exc: json.JSONDecodeError) -> Message:
    reason = message(exc.msg)
    return message(N_("invalid JSON: %(error)s (column %(column)s)"), error=reason, column=exc.colno)


def _json_rows(path: Path, encoding: str) -> Iterator[tuple[str, Any]]:
    """A whole JSON document: a list, or an object holding one under "records"."""
    with open(path, encoding=encoding) as handle:
        data = json.load(handle)
    items = data.get("records") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise json.JSONDecodeError(_NOT_A_LIST, "", 0)
    for index, item in enumerate(items, start=1):
        yield f"record {index}", item


def _jsonl_rows(path: Path, encoding: str) -> Iterator[tuple[str, Any] | RowError]:
    """One object per line; a broken line is reported and the rest still read."""
    with open(path, encoding=encoding) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield f"line {number}", json.loads(line.strip())
            except json.JSONDecodeError as exc:
                yield RowError.of(path.name, f"line {number}", "json", _invalid_json(exc))


def _objects(rows: Iterable[tuple[str, Any] | RowError], file: str, kind: str) -> Iterator[Row]:
    """Objects only, with unknown keys refused the same way as unknown CSV columns."""
    known = {col.name for col in COLUMNS[kind]}
    for row in rows:
        if isinstance(row, RowError):
            yield row
            continue
        location, item = row
        if not isinstance(item, dict):
            yield RowError.of(file, location, "record", message(N_("each record must be a JSON object")))
        elif unknown := sorted(set(item) - known):
            reason = message(N_("unknown keys: %(keys)s"), keys=", ".join(unknown))
            yield RowError.of(file, location, unknown[0], reason)
        else:
            yield location, item


def iter_table(
    path: str | Path, kind: str = "patent", encoding: str | None = None
) -> Iterator[Record | RowError]:
    """Pick the CSV, JSON or Excel reader from the file name."""
    suffix = Path(path).suffix.lower()
    if suffix in (".json", ".jsonl"):
        return iter_json(path, kind)
    if suffix == ".xlsx":
        from app.catalogue.importers.xlsx import iter_xlsx  # xlsx builds on this module

        return iter_xlsx(path, kind)
    return iter_csv(path, kind, encoding)
