"""Enquiries: message threads between a buyer and the seller about a listing or a project.

The seller's contact details stay hidden until the seller chooses to reveal them in a thread.
Attachments are checked exactly like data-room uploads.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.accounts.models import User
from app.accounts.permissions import is_admin, is_authenticated
from app.catalogue.models import InnovationProject
from app.catalogue.validation import ValidationFailed
from app.core.clock import clock
from app.core.errors import Conflict, PermissionDenied
from app.core.notifications import notify
from app.extensions import db
from app.market import listing_states as states
from app.market.dataroom import DEFAULT_MAX_BYTES, check_content
from app.market.listing_models import EnquiryMessage, EnquiryThread, Listing
from app.market.listing_services import is_seller

MAX_BODY = 5000


def is_party(user: User | None, thread: EnquiryThread) -> bool:
    """The buyer who asked, or the seller's side (the seller or the listing's organisation)."""
    if not is_authenticated(user):
        return False
    if user.id in (thread.buyer_id, thread.seller_id):
        return True
    return thread.listing is not None and is_seller(user, thread.listing)


def can_read(user: User | None, thread: EnquiryThread) -> bool:
    return is_party(user, thread) or is_admin(user)


def subject_title(thread: EnquiryThread) -> str:
    if thread.listing:
        return thread.listing.title
    return thread.project.title_zh or thread.project.title if thread.project else ""


def _seller_of_project(project: InnovationProject) -> User | None:
    return project.owner


def open_thread(
    buyer: User, *, listing: Listing | None = None, project: InnovationProject | None = None
) -> EnquiryThread:
    """The buyer's thread on a listing or project (created on first use)."""
    if not is_authenticated(buyer):
        raise PermissionDenied(_("Please log in to continue."))
    if listing is not None:
        if listing.status not in states.PUBLIC_STATUSES:
            raise Conflict(_("This listing is not open to buyers."))
        if is_seller(buyer, listing):
            raise Conflict(_("You cannot send an enquiry about your own listing."))
        seller, condition = listing.seller, EnquiryThread.listing_id == listing.id
    else:
        seller = _seller_of_project(project) if project else None
        if project is None or seller is None or not project.is_published:
            raise Conflict(_("This project cannot receive enquiries."))
        if seller.id == buyer.id:
            raise Conflict(_("You cannot send an enquiry about your own project."))
        condition = EnquiryThread.project_id == project.id
    thread = db.session.scalar(select(EnquiryThread).where(condition, EnquiryThread.buyer_id == buyer.id))
    if thread is None:
        thread = EnquiryThread(
            listing_id=listing.id if listing else None,
            project_id=project.id if project and not listing else None,
            buyer_id=buyer.id,
            seller_id=seller.id,
            last_message_at=clock.now(),
        )
        db.session.add(thread)
        db.session.flush()
    return thread


def _save_attachment(thread: EnquiryThread, stream: IO[bytes], filename: str) -> dict:
    limit = current_app.config.get("DATA_ROOM_MAX_BYTES", DEFAULT_MAX_BYTES)
    data = stream.read(limit + 1)
    if not data:
        return {}
    if len(data) > limit:
        raise ValidationFailed(
            {"file": _("The file is larger than %(mb)s MB.", mb=round(limit / 1024 / 1024, 1))}
        )
    checked = check_content(data)
    stored_name = secrets.token_hex(16) + checked.suffix
    target = attachment_folder(thread.id) / stored_name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return {
        "stored_name": stored_name,
        "media_type": checked.media_type,
        "original_filename": (Path(filename or "attachment").name or "attachment")[-300:],
        "size_bytes": len(data),
    }


def attachment_folder(thread_id: int) -> Path:
    return Path(current_app.instance_path) / "enquiries" / str(thread_id)


def post_message(
    thread: EnquiryThread, author: User, body: str, upload: IO[bytes] | None = None, filename: str = ""
) -> EnquiryMessage:
    """Add a message; the other party gets an inbox notice and an e-mail."""
    if not is_party(author, thread):
        raise PermissionDenied(_("Only the buyer and the seller take part in this conversation."))
    body = (body or "").strip()
    if not body:
        raise ValidationFailed({"body": _("Write a message.")})
    if len(body) > MAX_BODY:
        raise ValidationFailed({"body": _("At most %(n)d characters.", n=MAX_BODY)})
    attachment = _save_attachment(thread, upload, filename) if upload is not None else {}
    message = EnquiryMessage(
        thread_id=thread.id, author_id=author.id, body=body, created_at=clock.now(), **attachment
    )
    db.session.add(message)
    thread.last_message_at = message.created_at
    db.session.flush()
    recipient = thread.seller if author.id == thread.buyer_id else thread.buyer
    excerpt = body if len(body) <= 120 else body[:117] + "…"
    notify(
        recipient,
        "enquiry_message",
        {"title": subject_title(thread), "author": author.display_name, "excerpt": excerpt},
        f"/market/enquiries/{thread.id}",
    )
    return message


def reveal_contact(thread: EnquiryThread, actor: User) -> EnquiryThread:
    """The seller chooses to show their contact details to this buyer."""
    if not (is_authenticated(actor) and actor.id != thread.buyer_id and is_party(actor, thread)):
        raise PermissionDenied(_("Only the seller may share the seller's contact details."))
    if thread.contact_revealed_at is None:
        thread.contact_revealed_at = clock.now()
        db.session.flush()
        notify(
            thread.buyer,
            "enquiry_contact_revealed",
            {"title": subject_title(thread)},
            f"/market/enquiries/{thread.id}",
        )
    return thread


def contact_details(thread: EnquiryThread) -> str | None:
    """What the buyer may see once revealed: the listing's contact line, or the seller's e-mail."""
    if thread.contact_revealed_at is None:
        return None
    listing_contact = thread.listing.contact_details if thread.listing else None
    return listing_contact or thread.seller.email


def mark_read(thread: EnquiryThread, reader: User) -> int:
    """Mark the other party's messages read (called from a POST, never from a GET)."""
    changed = 0
    for message in thread.messages:
        if message.author_id != reader.id and message.read_at is None:
            message.read_at = clock.now()
            changed += 1
    db.session.flush()
    return changed


def threads_for(user: User) -> list[EnquiryThread]:
    """Threads where the user asks or answers (including their organisation's listings)."""
    listing_ids = select(Listing.id).where(
        or_(
            Listing.seller_id == user.id,
            (Listing.organisation_id == user.organisation_id) & (Listing.organisation_id.is_not(None)),
        )
    )
    return list(
        db.session.scalars(
            select(EnquiryThread)
            .where(
                or_(
                    EnquiryThread.buyer_id == user.id,
                    EnquiryThread.seller_id == user.id,
                    EnquiryThread.listing_id.in_(listing_ids),
                )
            )
            .order_by(EnquiryThread.last_message_at.desc())
        )
    )


def attachment_path(message: EnquiryMessage) -> Path:
    return attachment_folder(message.thread_id) / message.stored_name
