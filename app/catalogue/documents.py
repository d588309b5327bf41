"""Uploaded patent documents: checked by their bytes, stored under the instance folder.

Only PDF and common image formats are accepted, recognised from their first bytes (the name
and the browser's content type are not trusted), up to ``PATENT_DOCUMENT_MAX_BYTES``. Files
live in ``instance/patent_documents/<patent_id>/`` under a random name, never in the database.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext as _

from app.catalogue.errors import ValidationFailed

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = (  # (first bytes, media type, suffix)
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What the service records about a file it saved."""

    stored_name: str
    media_type: str
    size_bytes: int
    original_filename: str


def folder(patent_id: int) -> Path:
    """Where a patent's files live."""
    return Path(current_app.instance_path) / "patent_documents" / str(patent_id)


def path_of(patent_id: int, stored_name: str) -> Path:
    return folder(patent_id) / stored_name


def _media_type(head: bytes) -> tuple[str, str] | None:
    for magic, media_type, suffix in SIGNATURES:
        if head.startswith(magic):
            return media_type, suffix
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def save_upload(patent_id: int, stream: IO[bytes], filename: str) -> StoredFile:
    """Check and store an uploaded file; ValidationFailed on the "file" field otherwise."""
    limit = current_app.config.get("PATENT_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES)
    data = stream.read(limit + 1)
    if not data:
        raise ValidationFailed({"file": _("The file is empty.")})
    if len(data) > limit:
        raise ValidationFailed(
            {"file": _("The file is larger than %(mb)s MB.", mb=round(limit / 1024 / 1024, 1))}
        )
    kind = _media_type(data[:16])
    if kind is None:
        raise ValidationFailed({"file": _("Upload a PDF, PNG, JPEG, GIF or WebP file.")})
    media_type, suffix = kind
    stored_name = secrets.token_hex(16) + suffix
    target = path_of(patent_id, stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return StoredFile(stored_name, media_type, len(data), (filename or "document")[-300:])


def remove(patent_id: int, stored_name: str | None) -> None:
    """Delete a stored file if it is there (the row is already gone)."""
    if stored_name:
        path_of(patent_id, stored_name).unlink(missing_ok=True)
