"""USPTO full-text XML (Red Book): weekly grant (ipg) and application (ipa) files.

Handles DTD versions v4.0 (2004-12-02) to v4.5 (2014-04-03) of ``us-patent-grant`` and
``us-patent-application``: a file holds many documents, each with its own XML declaration
and DOCTYPE. Documents are split on their declarations, read in bounded chunks and parsed one
at a time, so memory stays flat on a weekly file and on a hostile one (zip bombs are refused
from the archive's directory, oversized documents are cut off). DTDs are never fetched; entity
declarations are refused (defusedxml); named entities resolve through the HTML table. Sequence listings (``sequence-cwu``) bundled in grant files are skipped. A
broken or truncated document yields a RowError naming it; later documents still parse.
"""

from __future__ import annotations

import html.entities
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

from defusedxml import EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from app.catalogue.importers.uspto_fields import document_to_record
from app.catalogue.messages import N_, MessageError, message, reason_of
from app.catalogue.records import PatentRecord, RowError, SourceRef

PATENT_ROOTS = frozenset({"us-patent-grant", "us-patent-application"})
SKIPPED_ROOTS = frozenset({"sequence-cwu"})  # sequence listings that ride along with grants
_DECLARATION = re.compile(rb"(?=<\?xml\s)")
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


# Uploads are untrusted: a zip may expand a thousandfold and a "document" may be one endless
# line. Weekly USPTO files are at most about 1.5 GB unpacked and compress about 10:1; the
# largest real patent documents are a few MB (sequence listings, which are skipped, can be more).
MAX_UNPACKED_BYTES = 4 * 1024**3
MAX_COMPRESSION_RATIO = 100
MAX_DOCUMENT_BYTES = 32 * 1024**2
CHUNK_BYTES = 1024**2
_HEAD_BYTES = 4096  # kept of an oversized document, to name its type
_DECLARATION_LENGTH = len(b"<?xml ")


@contextmanager
def _open_binary(path: Path) -> Iterator[IO[bytes]]:
    """Open a plain or zipped weekly file as a byte stream without extracting it."""
    if path.suffix.lower() != ".zip":
        with open(path, "rb") as handle:
            yield handle
        return
    with zipfile.ZipFile(path) as archive:
        members = [info for info in archive.infolist() if info.filename.lower().endswith(".xml")]
        if not members:
            raise MessageError(message(N_("the zip archive holds no .xml file")))
        check_zip_member(members[0])
        with archive.open(members[0]) as handle:  # reads no more than the declared size
            yield handle


def check_zip_member(info: zipfile.ZipInfo) -> None:
    """Refuse a zip bomb from its directory entry, before a byte is inflated."""
    if info.file_size > MAX_UNPACKED_BYTES:
        raise MessageError(
            message(
                N_("the zip archive unpacks to %(size)s MB, more than the %(limit)s MB allowed"),
                size=info.file_size // 1024**2,
                limit=MAX_UNPACKED_BYTES // 1024**2,
            )
        )
    if info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1) and info.file_size > CHUNK_BYTES:
        raise MessageError(
            message(
                N_(
                    "the zip archive is compressed %(ratio)s to 1, far more than XML ever is "
                    "(at most %(limit)s to 1): it is refused as a possible zip bomb"
                ),
                ratio=info.file_size // max(info.compress_size, 1),
                limit=MAX_COMPRESSION_RATIO,
            )
        )


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One document's bytes as split from the stream; an oversized one keeps only its head."""

    line: int  # first line in the file
    data: bytes
    size: int

    @property
    def oversized(self) -> bool:
        return self.size > MAX_DOCUMENT_BYTES


class _Splitter:
    """Accumulates the current document, keeping at most MAX_DOCUMENT_BYTES of it in memory."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.start = self.line = 1

    def add(self, piece: bytes) -> None:
        if self.size + len(piece) <= MAX_DOCUMENT_BYTES:
            self.parts.append(piece)
        elif self.size <= MAX_DOCUMENT_BYTES:  # just overflowed: keep the head, drop the rest
            self.parts = [(b"".join(self.parts) + piece[:_HEAD_BYTES])[:_HEAD_BYTES]]
        self.size += len(piece)
        self.line += piece.count(b"\n")

    def finish(self) -> RawDocument | None:
        data = b"".join(self.parts)
        keep = data.strip() or self.size > MAX_DOCUMENT_BYTES
        document = RawDocument(self.start, data, self.size) if keep else None
        self.parts, self.size, self.start = [], 0, self.line
        return document


def split_documents(stream: IO[bytes], chunk_bytes: int = CHUNK_BYTES) -> Iterator[RawDocument]:
    """Yield each XML document concatenated in a stream, reading it in bounded chunks.

    A document larger than MAX_DOCUMENT_BYTES is yielded with its head only, so neither a
    single endless line nor an endless document can fill the memory.
    """
    splitter = _Splitter()
    pending = b""
    while chunk := stream.read(chunk_bytes):
        data, consumed = pending + chunk, 0
        for match in _DECLARATION.finditer(data):
            splitter.add(data[consumed : match.start()])
            consumed = match.start()
            if document := splitter.finish():
                yield document
        # A declaration may straddle two chunks: its first bytes wait for the next chunk.
        keep = max(consumed, len(data) - _DECLARATION_LENGTH + 1)
        splitter.add(data[consumed:keep])
        pending = data[keep:]
    splitter.add(pending)
    if document := splitter.finish():
        yield document


class UnsafeDocument(MessageError):
    """A document that declares its own entities: never expanded, as uploads are untrusted."""


def parse_document(data: bytes) -> ET.Element:
    """Parse one document offline: the external DTD is never loaded, entities come from HTML.

    defusedxml's parser refuses every entity declaration wherever it stands in the DOCTYPE
    (a prefix scan can be padded past), and every external reference.
    """
    parser = DefusedXMLParser(forbid_dtd=False, forbid_entities=True, forbid_external=True)
    parser.entity.update(_ENTITIES)
    try:
        parser.feed(data)
        return parser.close()
    except (EntitiesForbidden, ExternalReferenceForbidden):
        raise UnsafeDocument(message(N_("the DOCTYPE declares entities; USPTO files never do"))) from None


def iter_uspto_xml(path: str | Path) -> Iterator[PatentRecord | RowError]:
    """Stream PatentRecords (or RowErrors) out of a USPTO grant or application file."""
    path = Path(path)
    try:
        with _open_binary(path) as stream:
            for index, document in enumerate(split_documents(stream), start=1):
                yield from _convert(path.name, index, document)
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        yield RowError.of(
            path.name, "file", "file", message(N_("cannot read: %(error)s"), error=reason_of(exc))
        )


def count_documents(path: str | Path) -> int:
    """How many documents the file holds, read with the same bounds as the import itself."""
    with _open_binary(Path(path)) as stream:
        return sum(1 for _ in split_documents(stream))


def _convert(file: str, index: int, document: RawDocument) -> Iterator[PatentRecord | RowError]:
    """Turn one document into a record, or explain why it cannot be one."""
    location, line = f"document {index}", document.line
    if document.oversized:
        if not _is_skipped_type(document.data):
            reason = message(
                N_("the document is larger than %(limit)s MB; no patent document is that large"),
                limit=MAX_DOCUMENT_BYTES // 1024**2,
            )
            yield RowError.of(file, location, "document", reason)
        return
    try:
        root = parse_document(document.data)
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


def _is_skipped_type(head: bytes) -> bool:
    """An oversized sequence listing is skipped like any other (they can be very large)."""
    return any(b"<!DOCTYPE " + root.encode() in head for root in SKIPPED_ROOTS)
