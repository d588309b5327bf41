"""CSV, JSON and JSON Lines imports of patents, projects and experts (see ``columns``)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from app.catalogue.importers.columns import COLUMNS
from app.catalogue.importers.rows import expert_from_row, patent_from_row, project_from_row
from app.catalogue.importers.text import EncodingProblem, detect_encoding
from app.catalogue.records import Record, RowError, SourceRef

Builder = Callable[[Mapping[str, Any], SourceRef], Record | list[RowError]]
BUILDERS: dict[str, Builder] = {
    "patent": patent_from_row,
    "project": project_from_row,
    "expert": expert_from_row,
}
_KEY_FIELD = {"patent": "publication_number", "project": "reference", "expert": "reference"}


def check_header(file: str, kind: str, header: Iterable[str]) -> list[RowError]:
    """Refuse misspelt or missing columns up front, before any row is read."""
    known = {col.name for col in COLUMNS[kind]}
    names = [h.strip() for h in header]
    errors = [
        RowError(file, "line 1", name, f"unknown column; expected some of: {', '.join(sorted(known))}")
        for name in names
        if name not in known
    ]
    errors += [
        RowError(file, "line 1", col.name, "required column is missing")
        for col in COLUMNS[kind]
        if col.required and col.name not in names
    ]
    errors += [
        RowError(file, "line 1", name, "column appears twice") for name in set(names) if names.count(name) > 1
    ]
    return errors


Row = tuple[str, Mapping[str, Any]] | RowError


def _build(kind: str, rows: Iterable[Row], file: str) -> Iterator[Record | RowError]:
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
            yield RowError(file, location, _KEY_FIELD[kind], f"duplicate of {seen[result.key]} ({label})")
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
        yield RowError(path.name, "file", "encoding", str(exc))
        return
    try:
        with open(path, encoding=encoding, newline="") as handle:
            yield from _read_csv(handle, path.name, kind)
    except UnicodeDecodeError as exc:
        yield RowError(
            path.name, "file", "encoding", f"not valid {encoding}: {exc.reason} at byte {exc.start}"
        )
    except csv.Error as exc:
        yield RowError(path.name, "file", "csv", f"unreadable CSV: {exc}")


def _read_csv(handle: Iterable[str], file: str, kind: str) -> Iterator[Record | RowError]:
    """Header check, then one (location, row) per non-blank record."""
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        yield RowError(file, "line 1", "header", "the file is empty")
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    if errors := check_header(file, kind, header):
        yield from errors
        return
    yield from _build(kind, _csv_rows(reader, header, file), file)


def _csv_rows(reader: Any, header: list[str], file: str) -> Iterator[Row]:
    """Rows as dicts located by their first physical line (cells may hold newlines)."""
    line = reader.line_num + 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            yield RowError(file, f"line {start}", "row", f"{len(cells)} cells for {len(header)} columns")
            continue
        yield f"line {start}", dict(zip(header, cells, strict=True))


def iter_json(path: str | Path, kind: str = "patent") -> Iterator[Record | RowError]:
    """Records from a JSON list (read whole) or JSON Lines (streamed line by line)."""
    path = Path(path)
    try:
        encoding = detect_encoding(path)
        if path.suffix.lower() == ".jsonl":
            rows: Iterable[tuple[str, Any] | RowError] = _jsonl_rows(path, encoding)
        else:
            rows = _json_rows(path, encoding)
        yield from _build(kind, _objects(rows, path.name, kind), path.name)
    except EncodingProblem as exc:
        yield RowError(path.name, "file", "encoding", str(exc))
    except json.JSONDecodeError as exc:
        yield RowError(
            path.name, f"line {exc.lineno}", "json", f"invalid JSON: {exc.msg} (column {exc.colno})"
        )


def _json_rows(path: Path, encoding: str) -> Iterator[tuple[str, Any]]:
    """A whole JSON document: a list, or an object holding one under "records"."""
    with open(path, encoding=encoding) as handle:
        data = json.load(handle)
    items = data.get("records") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise json.JSONDecodeError('expected a list of objects or {"records": [...]}', "", 0)
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
                yield RowError(
                    path.name, f"line {number}", "json", f"invalid JSON: {exc.msg} (column {exc.colno})"
                )


def _objects(rows: Iterable[tuple[str, Any] | RowError], file: str, kind: str) -> Iterator[Row]:
    """Objects only, with unknown keys refused the same way as unknown CSV columns."""
    known = {col.name for col in COLUMNS[kind]}
    for row in rows:
        if isinstance(row, RowError):
            yield row
            continue
        location, item = row
        if not isinstance(item, dict):
            yield RowError(file, location, "record", "each record must be a JSON object")
        elif unknown := sorted(set(item) - known):
            yield RowError(file, location, unknown[0], f"unknown keys: {', '.join(unknown)}")
        else:
            yield location, item


def iter_table(
    path: str | Path, kind: str = "patent", encoding: str | None = None
) -> Iterator[Record | RowError]:
    """Pick the CSV or JSON reader from the file name."""
    if Path(path).suffix.lower() in (".json", ".jsonl"):
        return iter_json(path, kind)
    return iter_csv(path, kind, encoding)
