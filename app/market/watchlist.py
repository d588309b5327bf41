"""The buyer's watch list, and the listing notices (watchers, sellers) in the recipient's language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.permissions import is_authenticated
from app.catalogue.models import Patent
from app.core.errors import PermissionDenied
from app.core.notifications import notify, register_kind
from app.extensions import db
from app.market import listing_states as states
from app.market.listing_models import Listing, ListingPatent, WatchItem


def N_(message: str) -> str:  # noqa: N802  (marks a message id for extraction; translated when shown)
    return message


KINDS = {
    "listing_published": (N_("Your listing is published"), N_("“%(title)s” is now visible to buyers.")),
    "listing_rejected": (
        N_("Your listing was returned"),
        N_("“%(title)s” needs changes before it can be published: %(reason)s"),
    ),
    "listing_price_changed": (
        N_("A watched listing changed its terms"),
        N_("“%(title)s” now asks %(price)s."),
    ),
    "listing_status_changed": (
        N_("A watched listing changed"),
        N_("“%(title)s” is now: %(status)s."),
    ),
    "listing_nda_accepted": (
        N_("A buyer accepted your NDA"),
        N_("%(buyer)s accepted the NDA of “%(title)s” and can now open the confidential documents."),
    ),
    "open_licence_accepted": (
        N_("An open licence was taken"),
        N_("%(buyer)s accepted the open licence of “%(title)s” (certificate %(number)s)."),
    ),
    "enquiry_message": (N_("New message about “%(title)s”"), N_("%(author)s wrote: %(excerpt)s")),
    "enquiry_contact_revealed": (
        N_("The seller shared contact details"),
        N_("The seller of “%(title)s” shared their contact details with you."),
    ),
}
for _name, (_title, _body) in KINDS.items():
    register_kind(_name, _title, _body)


def listing_link(listing: Listing) -> str:
    """A site path (services also run outside requests: ticks, the CLI)."""
    return f"/market/listings/{listing.id}"


def _params(listing: Listing, **extra: Any) -> dict[str, Any]:
    # Stored with the notice and read later in the recipient's language: a neutral figure.
    price = f"{listing.currency} {listing.ask_amount:,.2f}" if listing.ask_amount else "—"
    status = str(states.STATUS_LABELS.get(listing.status, listing.status))
    return {"title": listing.title, "price": price, "status": status, **extra}


def notify_about_listing(user: User, kind: str, listing: Listing, **extra: Any) -> None:
    notify(user, kind, _params(listing, **extra), listing_link(listing))


def notify_watchers(listing: Listing, kind: str) -> int:
    """Tell everyone who watches the listing (or one of its patents); returns how many."""
    patent_ids = [link.patent_id for link in listing.patent_links]
    condition = WatchItem.listing_id == listing.id
    if patent_ids:
        condition = condition | WatchItem.patent_id.in_(patent_ids)
    user_ids = set(db.session.scalars(select(WatchItem.user_id).where(condition)))
    for user in db.session.scalars(select(User).where(User.id.in_(user_ids))):
        notify(user, kind, _params(listing), listing_link(listing))
    return len(user_ids)


def watch(user: User, *, listing: Listing | None = None, patent: Patent | None = None) -> WatchItem:
    """Follow a listing or a patent; watching twice is harmless."""
    if not is_authenticated(user):
        raise PermissionDenied(_("Please log in to continue."))
    condition = WatchItem.listing_id == listing.id if listing else WatchItem.patent_id == patent.id
    existing = db.session.scalar(select(WatchItem).where(WatchItem.user_id == user.id, condition))
    if existing:
        return existing
    item = WatchItem(
        user_id=user.id, listing_id=listing.id if listing else None, patent_id=patent.id if patent else None
    )
    db.session.add(item)
    db.session.flush()
    return item


def unwatch(user: User, *, listing: Listing | None = None, patent: Patent | None = None) -> None:
    condition = WatchItem.listing_id == listing.id if listing else WatchItem.patent_id == patent.id
    item = db.session.scalar(select(WatchItem).where(WatchItem.user_id == user.id, condition))
    if item:
        db.session.delete(item)
        db.session.flush()


def is_watching(user: User | None, listing: Listing) -> bool:
    if not is_authenticated(user):
        return False
    return (
        db.session.scalar(
            select(WatchItem.id).where(WatchItem.user_id == user.id, WatchItem.listing_id == listing.id)
        )
        is not None
    )


def watch_list(user: User) -> list[dict[str, Any]]:
    """The user's watched listings and patents, with the patents' open listings."""
    items = db.session.scalars(
        select(WatchItem).where(WatchItem.user_id == user.id).order_by(WatchItem.created_at.desc())
    ).all()
    rows = []
    for item in items:
        listings = [item.listing] if item.listing else _listings_of_patent(item.patent_id)
        rows.append({"item": item, "listings": listings})
    return rows


def _listings_of_patent(patent_id: int) -> list[Listing]:
    return list(
        db.session.scalars(
            select(Listing)
            .join(ListingPatent)
            .where(ListingPatent.patent_id == patent_id, Listing.status.in_(states.PUBLIC_STATUSES))
        )
    )
