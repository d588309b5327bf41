"""Shared helpers for importers: encodings, cell parsing and text clean-up."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from app.catalogue.messages import N_, Message, MessageError, message

_CHUNK = 1 << 20
LIST_SEPARATORS = re.compile(r"\s*[;|]\s*")


class EncodingProblem(MessageError):
    """A file that is not in an encoding we were told (or allowed) to read."""


def detect_encoding(path: str | Path, fallbacks: tuple[str, ...] = ()) -> str:
    """Name the codec that decodes the whole file, streaming it in chunks.

    UTF-8 (with or without BOM) is tried first; ``fallbacks`` (e.g. ``("cp1252",)``) only
    when the caller knows the source. Otherwise a non-UTF-8 file is refused, never guessed.
    """
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8", *fallbacks)
    first_error: Message | None = None
    for name in candidates:
        error = _decode_error(path, name)
        if not error:
            return name
        first_error = first_error or error
    raise EncodingProblem(
        message(
            N_(
                "file is not %(encodings)s (%(error)s); save it as UTF-8, or import it with an explicit "
                "encoding such as gb18030 or cp1252"
            ),
            encodings=" / ".join(candidates),
            error=first_error or "",
        )
    )


def _decode_error(path: str | Path, encoding: str) -> Message | None:
    """Empty when the file decodes strictly, else where it first fails."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return message(
                    N_("invalid byte %(byte)s at byte %(offset)s"),
                    byte=f"0x{chunk[exc.start]:02x}",
                    offset=offset + exc.start,
                )
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return message(N_("the file ends inside a multi-byte character"))
    return None


def split_list(cell: str | None) -> tuple[str, ...]:
    """Split a "a; b | c" cell into clean items, dropping empties."""
    if not cell:
        return ()
    return tuple(item for item in LIST_SEPARATORS.split(cell.strip()) if item)


def clean(text: str | None) -> str | None:
    """Collapse whitespace; None for blank, so optional fields stay truly empty."""
    if text is None:
        return None
    collapsed = " ".join(text.split())
    return collapsed or None


_PREAMBLE_END = re.compile(
    r",|:|;|\s(?:comprising|comprises|consisting|including|includes|having|wherein|which|that|characterized)\b",
    re.IGNORECASE,
)
_NUMERAL = re.compile(r"\s*\(\s*\d+[a-z]?(?:\s*,\s*\d+\s*[a-z]?)*\s*\)")  # drawing refs "( 8 , 8 a )"
_DANGLING = frozenset(
    {"a", "an", "the", "of", "for", "to", "and", "or", "in", "on", "with", "at", "by", "from"}
)
_ARTICLE = re.compile(r"^(?:\d+\s*[.)]\s*)?(?:an?|the|one or more)\s+", re.IGNORECASE)


def title_from_claim(claim: str | None, max_words: int = 12) -> str | None:
    """Short title from a claim's preamble, for sources that ship claims but no title."""
    text = clean(claim)
    if not text:
        return None
    text = _NUMERAL.sub("", re.sub(r"^\d+\s*[.)]\s*", "", text))
    preamble = _PREAMBLE_END.split(text, maxsplit=1)[0]
    words = _ARTICLE.sub("", preamble).strip(" .").split()[:max_words]
    while words and words[-1].lower() in _DANGLING:
        words.pop()
    if not words:
        return None
    title = " ".join(words)
    return title[0].upper() + title[1:]
