"""The data room: uploads checked by content, NDAs, and a log of every opening.

A file is recognised from its bytes (the name and the browser's type are not trusted), must fit
the size limit, and must carry no active content: HTML is refused outright, SVG with script or
event handlers is refused, and so is a PDF with JavaScript, launch actions or embedded files
(compressed streams are inflated and searched too). Files live in
``instance/data_room/<listing_id>/`` under random names, outside the web root, and are served
only as attachments with ``nosniff``.
"""

from __future__ import annotations

import re
import secrets
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.permissions import is_authenticated, is_verified
from app.catalogue.validation import ValidationFailed
from app.core.clock import clock
from app.core.errors import Conflict, PermissionDenied
from app.core.page_cache import versioned_memo
from app.extensions import db
from app.market import listing_states as states
from app.market.listing_models import DataRoomAccess, DataRoomDocument, Listing, NdaAcceptance
from app.market.listing_services import (
    can_manage,
    ensure_manager,
    is_seller,
    may_see_confidential,
    nda_hash,
    nda_text,
)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
SIGNATURES = (  # (first bytes, media type, suffix)
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)
PDF_ACTIVE = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/XFA")
SVG_ACTIVE = re.compile(rb"<script|\son[a-z]+\s*=|javascript:|<foreignObject|<iframe|<embed|<object", re.I)
HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<script|<iframe)", re.I)
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
OFFICE_TYPES = {
    b"word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    b"xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    b"ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
}


@dataclass(frozen=True, slots=True)
class CheckedFile:
    media_type: str
    suffix: str


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed({"file": message})


def _pdf_is_active(data: bytes) -> bool:
    if any(marker in data for marker in PDF_ACTIVE):
        return True
    for match in STREAM.finditer(data):
        try:
            inflated = zlib.decompressobj().decompress(match.group(1), 5 * 1024 * 1024)
        except zlib.error:
            continue
        if any(marker in inflated for marker in PDF_ACTIVE):
            return True
    return False


def _office(data: bytes) -> CheckedFile | None:
    """An OOXML document without macros; other zip files are refused."""
    if b"[Content_Types].xml" not in data[:4096] and b"[Content_Types].xml" not in data:
        return None
    if b"vbaProject.bin" in data or b"macroEnabled" in data:
        raise _refuse(_("Documents with macros are not accepted: save it without macros (.docx, .xlsx)."))
    for prefix, (media_type, suffix) in OFFICE_TYPES.items():
        if prefix in data:
            return CheckedFile(media_type, suffix)
    return None


def check_content(data: bytes) -> CheckedFile:
    """What the bytes are, or ValidationFailed when the type is unknown or carries active content."""
    head = data[:512]
    for magic, media_type, suffix in SIGNATURES:
        if head.startswith(magic):
            if media_type == "application/pdf" and _pdf_is_active(data):
                raise _refuse(_("This PDF contains JavaScript or embedded actions; upload a plain PDF."))
            return CheckedFile(media_type, suffix)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return CheckedFile("image/webp", ".webp")
    if head.startswith(b"PK\x03\x04"):
        office = _office(data)
        if office:
            return office
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if HTML_START.match(stripped):
        raise _refuse(_("Web pages (HTML) are not accepted in the data room."))
    if (stripped.startswith(b"<?xml") or stripped.startswith(b"<svg")) and b"<svg" in data[:2048]:
        if SVG_ACTIVE.search(data):
            raise _refuse(_("This SVG contains script or event handlers; upload a plain image."))
        return CheckedFile("image/svg+xml", ".svg")
    raise _refuse(
        _("Upload a PDF, an image (PNG, JPEG, GIF, WebP, SVG) or an Office document (.docx, .xlsx, .pptx).")
    )


def folder(listing_id: int) -> Path:
    return Path(current_app.instance_path) / "data_room" / str(listing_id)


def path_of(document: DataRoomDocument) -> Path:
    return folder(document.listing_id) / document.stored_name


def upload_document(
    listing: Listing, actor: User, stream: IO[bytes], filename: str, title: str, confidential: bool
) -> DataRoomDocument:
    """Check and store a file in the listing's data room (the seller's side only)."""
    ensure_manager(listing, actor)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed({"title": _("Give the document a title.")})
    limit = current_app.config.get("DATA_ROOM_MAX_BYTES", DEFAULT_MAX_BYTES)
    data = stream.read(limit + 1)
    if not data:
        raise _refuse(_("The file is empty."))
    if len(data) > limit:
        raise _refuse(_("The file is larger than %(mb)s MB.", mb=round(limit / 1024 / 1024, 1)))
    checked = check_content(data)
    stored_name = secrets.token_hex(16) + checked.suffix
    target = folder(listing.id) / stored_name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    document = DataRoomDocument(
        listing_id=listing.id,
        title=title[:300],
        confidential=bool(confidential),
        stored_name=stored_name,
        media_type=checked.media_type,
        original_filename=(Path(filename or "document").name or "document")[-300:],
        size_bytes=len(data),
        uploaded_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    return document


def remove_document(document: DataRoomDocument, actor: User) -> str:
    """Delete the row; returns the stored name to unlink after commit."""
    ensure_manager(document.listing, actor)
    stored = document.stored_name
    db.session.delete(document)
    db.session.flush()
    return stored


def visible_documents(listing: Listing, user: User | None) -> list[DataRoomDocument]:
    """Public documents for all; confidential ones only after the NDA (or for the seller's side)."""
    if may_see_confidential(user, listing):
        return list(listing.documents)
    return [d for d in listing.documents if not d.confidential]


def document_summary(listing: Listing) -> tuple[tuple[str, ...], int]:
    """The titles of the public documents and the number of confidential ones: what the listing page
    shows every viewer (who may open the confidential ones is decided per viewer), read once per
    data version."""

    def read() -> tuple[tuple[str, ...], int]:
        rows = db.session.execute(
            select(DataRoomDocument.title, DataRoomDocument.confidential)
            .where(DataRoomDocument.listing_id == listing.id)
            .order_by(DataRoomDocument.id)
        ).all()
        return tuple(title for title, confidential in rows if not confidential), sum(1 for r in rows if r[1])

    return versioned_memo("market.document_summary", (listing.id,), read)


def accept_nda(listing: Listing, user: User, ip_address: str | None, user_agent: str | None) -> NdaAcceptance:
    """Record the click-through NDA (once); the seller is told."""
    if not is_authenticated(user):
        raise PermissionDenied(_("Please log in to continue."))
    if is_seller(user, listing):
        raise Conflict(_("You are the seller of this listing: you see the data room already."))
    if listing.status not in states.PUBLIC_STATUSES:
        raise Conflict(_("This listing is not open to buyers."))
    if not is_verified(user):
        raise PermissionDenied(
            _("Only members of verified organisations may sign NDAs and see confidential documents.")
        )
    existing = db.session.scalar(
        select(NdaAcceptance).where(NdaAcceptance.listing_id == listing.id, NdaAcceptance.user_id == user.id)
    )
    if existing:
        return existing
    acceptance = NdaAcceptance(
        listing_id=listing.id,
        user_id=user.id,
        accepted_at=clock.now(),
        ip_address=(ip_address or "")[:45] or None,
        user_agent=(user_agent or "")[:300] or None,
        text_sha256=nda_hash(nda_text(listing)),
    )
    db.session.add(acceptance)
    db.session.flush()
    from app.core.audit_chain import chain_append
    from app.market.watchlist import notify_about_listing

    chain_append("listing.nda", "listings", listing.id, user, {"sha256": acceptance.text_sha256})
    notify_about_listing(listing.seller, "listing_nda_accepted", listing, buyer=_buyer_name(user))
    return acceptance


def _buyer_name(user: User) -> str:
    return user.organisation.name if user.organisation else user.display_name


def open_document(
    document: DataRoomDocument, user: User | None, ip_address: str | None, action: str = "download"
) -> Path:
    """The file's path after the permission check; every opening by a buyer is logged."""
    listing = document.listing
    if document.confidential and not may_see_confidential(user, listing):
        raise PermissionDenied(_("Accept the listing's NDA to open confidential documents."))
    if (
        not document.confidential
        and listing.status not in states.PUBLIC_STATUSES
        and not can_manage(user, listing)
    ):
        raise PermissionDenied(_("You do not have permission to do that."))
    if is_authenticated(user) and not can_manage(user, listing):
        db.session.add(
            DataRoomAccess(
                document_id=document.id,
                listing_id=listing.id,
                user_id=user.id,
                action=action,
                ip_address=(ip_address or "")[:45] or None,
                created_at=clock.now(),
            )
        )
        db.session.flush()
    return path_of(document)


def access_log(listing: Listing, limit: int = 200) -> list[DataRoomAccess]:
    return list(
        db.session.scalars(
            select(DataRoomAccess)
            .where(DataRoomAccess.listing_id == listing.id)
            .order_by(DataRoomAccess.created_at.desc(), DataRoomAccess.id.desc())
            .limit(limit)
        )
    )


def nda_acceptances(listing: Listing) -> list[NdaAcceptance]:
    return list(
        db.session.scalars(
            select(NdaAcceptance)
            .where(NdaAcceptance.listing_id == listing.id)
            .order_by(NdaAcceptance.accepted_at.desc())
        )
    )


def download_count(listing: Listing) -> int:
    return db.session.scalar(
        select(func.count(DataRoomAccess.id)).where(DataRoomAccess.listing_id == listing.id)
    )
