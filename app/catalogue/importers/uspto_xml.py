"""USPTO full-text XML (Red Book): weekly grant (ipg) and application (ipa) files.

Handles DTD versions v4.0 (2004-12-02) to v4.5 (2014-04-03) of ``us-patent-grant`` and
``us-patent-application``: a file holds many documents, each with its own XML declaration
and DOCTYPE. Documents are split on their declarations and parsed one at a time, so memory
stays flat on a weekly file. DTDs are never fetched; named entities resolve through the
HTML table. Sequence listings (``sequence-cwu``) bundled in grant files are skipped. A
broken or truncated document yields a RowError naming it; later documents still parse.
"""

from __future__ import annotations

import html.entities
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

from app.catalogue.importers.uspto_fields import document_to_record
from app.catalogue.messages import N_, MessageError, message, reason_of
from app.catalogue.records import PatentRecord, RowError, SourceRef

PATENT_ROOTS = frozenset({"us-patent-grant", "us-patent-application"})
SKIPPED_ROOTS = frozenset({"sequence-cwu"})  # sequence listings that ride along with grants
_DECLARATION = re.compile(rb"(?=<\?xml\s)")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
# expat's commonest reasons, marked so they are translated too (others stay English).
EXPAT_REASONS = (
    N_("unclosed token"),
    N_("no element found"),
    N_("mismatched tag"),
    N_("not well-formed (invalid token)"),
    N_("junk after document element"),
    N_("undefined entity"),
)
_ENTITIES = {name: chr(code) for name, code in html.entities.name2codepoint.items()}


@contextmanager
def _open_binary(path: Path) -> Iterator[IO[bytes]]:
    """Open a plain or zipped weekly file as a byte stream without extracting it."""
    if path.suffix.lower() != ".zip":
        with open(path, "rb") as handle:
            yield handle
        return
    with zipfile.ZipFile(path) as archive:
        members = [n for n in archive.namelist() if n.lower().endswith(".xml")]
        if not members:
            raise MessageError(message(N_("the zip archive holds no .xml file")))
        with archive.open(members[0]) as handle:
            yield handle


def split_documents(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """Yield (first line number, bytes) for each XML document concatenated in a stream."""
    buffer: list[bytes] = []
    start = line_no = 1
    for line_no, line in enumerate(stream, start=1):
        pieces = _DECLARATION.split(line)
        if pieces[0]:
            buffer.append(pieces[0])
        for piece in pieces[1:]:
            if b"".join(buffer).strip():
                yield start, b"".join(buffer)
            buffer, start = [piece], line_no
    if b"".join(buffer).strip():
        yield start, b"".join(buffer)


class UnsafeDocument(MessageError):
    """A document that declares its own entities: never expanded, as uploads are untrusted."""


def parse_document(data: bytes) -> ET.Element:
    """Parse one document offline: the external DTD is ignored, entities come from HTML."""
    if _ENTITY_DECLARATION.search(data, 0, data.find(b">", data.find(b"<!DOCTYPE")) + 2048):
        raise UnsafeDocument(message(N_("the DOCTYPE declares entities; USPTO files never do")))
    # Safe without defusedxml: no entity declarations reach expat (checked above), expat
    # never loads external DTDs, and expat 2.4+ caps amplification anyway.
    parser = ET.XMLParser()  # noqa: S314
    parser.entity.update(_ENTITIES)
    parser.feed(data)
    return parser.close()


def iter_uspto_xml(path: str | Path) -> Iterator[PatentRecord | RowError]:
    """Stream PatentRecords (or RowErrors) out of a USPTO grant or application file."""
    path = Path(path)
    try:
        with _open_binary(path) as stream:
            for index, (line, data) in enumerate(split_documents(stream), start=1):
                yield from _convert(path.name, index, line, data)
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        yield RowError.of(
            path.name, "file", "file", message(N_("cannot read: %(error)s"), error=reason_of(exc))
        )


def _convert(file: str, index: int, line: int, data: bytes) -> Iterator[PatentRecord | RowError]:
    """Turn one document into a record, or explain why it cannot be one."""
    location = f"document {index}"
    try:
        root = parse_document(data)
    except ET.ParseError as exc:
        row, column = exc.position
        detail = re.sub(r": line \d+, column \d+$", "", str(exc))
        reason = message(
            N_("malformed or truncated XML at file line %(line)s, column %(column)s: %(error)s"),
            line=line + row - 1,
            column=column,
            error=message(detail),
        )
        yield RowError.of(file, location, "xml", reason)
        return
    except UnsafeDocument as exc:
        yield RowError.of(file, location, "xml", exc.message)
        return
    if root.tag in SKIPPED_ROOTS:
        return
    if root.tag not in PATENT_ROOTS:
        reason = message(N_("unsupported document type <%(tag)s>"), tag=root.tag)
        yield RowError.of(file, location, "document", reason)
        return
    yield document_to_record(root, SourceRef(file, location))
