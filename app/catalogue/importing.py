"""Run an import file into the catalogue: all-or-nothing by default, or skipping bad rows.

The importers (``importers/``) parse; this module decides what is written. Phase one drains the
file into records and row errors; phase two upserts the records inside a savepoint, turning
refusals (someone else's patent, an unknown linked patent) into row errors as well. When any
row is bad and ``skip_bad`` is off, the savepoint is rolled back: nothing is half-imported.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _

from app.accounts.models import User
from app.catalogue.errors import ValidationFailed
from app.catalogue.importers import IMPORTERS, UnknownFormat, detect_format
from app.catalogue.messages import N_, message, reason_of
from app.catalogue.people_services import upsert_expert_record, upsert_project_record
from app.catalogue.records import ExpertRecord, PatentRecord, ProjectRecord, Record, RowError
from app.catalogue.services import Actor, upsert_patent_record
from app.catalogue.validation import import_column
from app.core.errors import DomainError
from app.extensions import db

# Names offered on the command line and the upload form; "csv"/"xlsx"/"json" read the documented
# columns and tell patents, projects and experts apart from the header.
FORMATS = ("auto", "uspto-xml", "csv", "xlsx", "json", "patentsberta", "cn-sample")


@dataclass
class ImportOutcome:
    """What one import did, for the command's summary and the upload page's report."""

    file: str
    format: str
    skip_bad: bool
    counts: Counter = field(default_factory=Counter)  # created / updated / unchanged
    errors: list[RowError] = field(default_factory=list)
    documents: int = 0  # records and rejected rows read from the file
    seconds: float = 0.0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rate(self) -> float:
        """Documents per second over the whole run (parsing and writing)."""
        return self.documents / self.seconds if self.seconds else 0.0


def resolve_format(path: Path, fmt: str) -> str:
    """Map a user-facing format name to an importer name."""
    if fmt not in FORMATS:
        raise UnknownFormat(
            _("Unknown format %(fmt)s; choose one of %(known)s.", fmt=fmt, known=", ".join(FORMATS))
        )
    detected = detect_format(path)
    if fmt == "auto":
        return detected
    if fmt in ("csv", "xlsx", "json"):
        return detected if detected in ("patents", "projects", "experts") else "patents"
    return fmt


def read_file(path: Path, importer: str) -> Iterator[Record | RowError]:
    """Stream the file; a file that cannot be opened at all becomes one row error."""
    function = IMPORTERS[importer]
    try:
        yield from function(path)
    except (OSError, ValueError, UnicodeError) as exc:  # importers report rows; this is a last guard
        reason = message(N_("cannot read the file: %(reason)s"), reason=reason_of(exc))
        yield RowError.of(path.name, "file", "file", reason)


def _write(record: Record, actor: Actor, owner: User | None) -> str:
    if isinstance(record, PatentRecord):
        return upsert_patent_record(record, actor, owner)[1]
    if isinstance(record, ProjectRecord):
        return upsert_project_record(record, actor, owner)[1]
    if isinstance(record, ExpertRecord):
        return upsert_expert_record(record, actor, owner)[1]
    raise TypeError(type(record).__name__)


def _row_errors(record: Record, exc: DomainError) -> list[RowError]:
    source = record.source
    if isinstance(exc, ValidationFailed) and exc.problems:
        return [
            RowError.of(source.file, source.location, import_column(name), reason)
            for name, reason in exc.problems.items()
        ]
    return [RowError.of(source.file, source.location, "record", exc.message)]


def run_import(
    path: str | Path,
    actor: Actor,
    fmt: str = "auto",
    owner: User | None = None,
    skip_bad: bool = False,
    progress: Callable[[int], None] | None = None,
    display_name: str | None = None,
    written: Callable[[int], None] | None = None,
) -> ImportOutcome:
    """Import one file; returns counts and row errors. Flushes; the caller commits.

    ``progress`` is called once per document read, ``written`` once per record written.
    """
    path = Path(path)
    started = time.perf_counter()
    importer = resolve_format(path, fmt)
    outcome = ImportOutcome(file=display_name or path.name, format=importer, skip_bad=skip_bad)
    records: list[Record] = []
    for item in read_file(path, importer):
        outcome.documents += 1
        if progress:
            progress(1)
        if isinstance(item, RowError):
            outcome.errors.append(item)
        else:
            records.append(item)
    if outcome.errors and not skip_bad:
        outcome.seconds = time.perf_counter() - started
        return outcome
    savepoint = db.session.begin_nested()
    for record in records:
        try:
            with db.session.begin_nested():  # a refused record leaves nothing behind
                outcome.counts[_write(record, actor, owner)] += 1
        except DomainError as exc:
            outcome.errors.extend(_row_errors(record, exc))
        if written:
            written(1)
    if outcome.errors and not skip_bad:
        savepoint.rollback()
        outcome.counts.clear()
    else:
        savepoint.commit()
        outcome.written = True
    outcome.seconds = time.perf_counter() - started
    if display_name:
        outcome.errors = [dataclasses.replace(e, file=display_name) for e in outcome.errors]
    return outcome
