"""Verbs on listings: create, edit, submit, moderate, withdraw, expire, and the hooks deals call.

Every status change goes through ``apply_transition`` (event row + hash-chained audit entry).
Services take the acting user explicitly, flush and never commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from app.accounts.models import User
from app.accounts.permissions import is_admin, is_authenticated, is_verified
from app.catalogue.display import publication_display
from app.catalogue.models import PUBLISHED as RECORD_PUBLISHED
from app.catalogue.models import InnovationProject, Patent
from app.catalogue.search.sync import mark_for_indexing
from app.catalogue.validation import ValidationFailed
from app.core.actors import system_actor
from app.core.clock import clock
from app.core.errors import Conflict, PermissionDenied
from app.core.i18n import enumeration
from app.core.lifecycle import apply_transition
from app.core.ticks import periodic
from app.extensions import db
from app.market import diligence
from app.market import listing_states as states
from app.market.listing_models import (
    Listing,
    ListingPatent,
    ListingView,
    MarketSetting,
    NdaAcceptance,
    WatchItem,
)
from app.market.listing_validation import clean_listing

AUTO_PUBLISH_KEY = "listings.auto_publish_verified"
MAX_BUNDLE = 20
FIELDS = (
    "right_type", "price_mechanism", "currency", "ask_amount", "floor_amount", "royalty_rate",
    "minimum_annual_royalty", "milestones", "field_of_use", "territory", "term_months", "sublicensing",
    "title_zh", "title_en", "summary_zh", "summary_en", "buyer_gets_zh", "buyer_gets_en", "contact_rule",
    "contact_details", "nda_text", "pledgee_consent", "co_owner_consent", "ends_at",
)  # fmt: skip
# The rights package of a published listing: fixed until it is withdrawn and relisted.
PACKAGE_FIELDS = ("right_type", "price_mechanism", "field_of_use", "territory", "term_months", "sublicensing")
# Changes buyers watching the listing hear about.
WATCHED_FIELDS = ("ask_amount", "royalty_rate", "minimum_annual_royalty", "price_mechanism")


# ---- who may do what --------------------------------------------------------------------------


def is_seller(user: User | None, listing: Listing) -> bool:
    """The person who listed it, or a member of the organisation that holds the rights."""
    if not is_authenticated(user):
        return False
    if user.id == listing.seller_id:
        return True
    return listing.organisation_id is not None and user.organisation_id == listing.organisation_id


def can_view_listing(user: User | None, listing: Listing) -> bool:
    """Public once published (and after the deal); drafts only to the seller's side and admins."""
    return listing.status in states.PUBLIC_STATUSES or is_seller(user, listing) or is_admin(user)


def can_manage(user: User | None, listing: Listing) -> bool:
    return is_seller(user, listing) or is_admin(user)


def can_list_patent(user: User, patent: Patent) -> bool:
    """Only the owner on the platform, or a member of the owning organisation, lists a patent."""
    if patent.owner_id == user.id:
        return True
    return patent.organisation_id is not None and patent.organisation_id == user.organisation_id


def can_list_project(user: User, project: InnovationProject) -> bool:
    if project.owner_id == user.id:
        return True
    return project.organisation_id is not None and project.organisation_id == user.organisation_id


def has_accepted_nda(listing: Listing, user: User | None) -> bool:
    if not is_authenticated(user):
        return False
    found = db.session.scalar(_nda_statement(), {"listing_id": listing.id, "user_id": user.id})
    return found is not None


@cache
def _nda_statement():
    """Built once (asked on every signed-in auction page, by the bidder qualification)."""
    return select(NdaAcceptance.id).where(
        NdaAcceptance.listing_id == bindparam("listing_id"), NdaAcceptance.user_id == bindparam("user_id")
    )


@dataclass(frozen=True)
class BuyerStanding:
    """What a signed-in buyer has with one listing, as the listing page shows it."""

    nda_accepted: bool
    watching: bool
    open_proposal_id: int | None  # their negotiation's open proposal (it blocks a new offer)


def buyer_standing(listing: Listing, user: User) -> BuyerStanding:
    """NDA, watch and open proposal in one statement (the page sent one for each)."""
    row = db.session.execute(_standing_statement(), {"listing_id": listing.id, "user_id": user.id}).one()
    return BuyerStanding(
        nda_accepted=row[0] is not None, watching=row[1] is not None, open_proposal_id=row[2]
    )


@cache
def _standing_statement():
    """Built once: constructing it costs more than running it."""
    from app.market import offer_states
    from app.market.offer_models import Offer

    listing_id, user_id = bindparam("listing_id"), bindparam("user_id")
    nda = select(NdaAcceptance.id).where(
        NdaAcceptance.listing_id == listing_id, NdaAcceptance.user_id == user_id
    )
    watch = select(WatchItem.id).where(WatchItem.user_id == user_id, WatchItem.listing_id == listing_id)
    proposal = select(Offer.id).where(
        Offer.listing_id == listing_id, Offer.buyer_id == user_id, Offer.status == offer_states.OPEN
    )
    return select(*(part.limit(1).scalar_subquery() for part in (nda, watch, proposal)))


def may_see_confidential(user: User | None, listing: Listing) -> bool:
    """The seller's side and administrators always; buyers after accepting the NDA."""
    return can_manage(user, listing) or has_accepted_nda(listing, user)


def ensure_manager(listing: Listing, actor: User) -> None:
    if not can_manage(actor, listing):
        raise PermissionDenied(_("Only the seller or an administrator may change this listing."))


# ---- settings -----------------------------------------------------------------------------------


def auto_publish_verified() -> bool:
    """The administrator's policy: verified organisations' listings skip moderation."""
    setting = db.session.get(MarketSetting, AUTO_PUBLISH_KEY)
    return bool(setting and setting.value)


def set_auto_publish_verified(enabled: bool, actor: User) -> None:
    if not is_admin(actor):
        raise PermissionDenied(_("Only an administrator may change the moderation policy."))
    setting = db.session.get(MarketSetting, AUTO_PUBLISH_KEY) or MarketSetting(key=AUTO_PUBLISH_KEY)
    setting.value, setting.updated_by_id = bool(enabled), actor.id
    db.session.add(setting)
    db.session.flush()


# ---- create and edit ---------------------------------------------------------------------------


def _current_values(listing: Listing | None) -> dict[str, Any]:
    if listing is None:
        return {}
    values = {name: getattr(listing, name) for name in FIELDS}
    values["patent_ids"] = [link.patent_id for link in listing.patent_links]
    values["project_id"] = listing.project_id
    return values


def _attach_subjects(listing: Listing, values: Mapping[str, Any], actor: User) -> None:
    """Link the chosen patents (a bundle when several) or the project, checking ownership."""
    if "patent_ids" in values:
        ids = values["patent_ids"]
        if len(ids) > MAX_BUNDLE:
            raise ValidationFailed({"patent_ids": _("A bundle holds at most %(n)d patents.", n=MAX_BUNDLE)})
        patents = {p.id: p for p in db.session.scalars(select(Patent).where(Patent.id.in_(ids)))}
        if len(patents) != len(ids):
            raise ValidationFailed({"patent_ids": _("Choose patents from the list.")})
        lister = listing.seller if listing.seller_id else actor
        foreign = [p for p in patents.values() if not can_list_patent(lister, p)]
        if foreign:
            raise ValidationFailed(
                {
                    "patent_ids": _(
                        "You may list only patents you or your organisation own on the platform: %(numbers)s.",
                        numbers=enumeration(publication_display(p) for p in foreign),
                    )
                }
            )
        listing.patent_links = [ListingPatent(patent_id=pid, position=i) for i, pid in enumerate(ids)]
    if values.get("project_id"):
        project = db.session.get(InnovationProject, values["project_id"])
        lister = listing.seller if listing.seller_id else actor
        if project is None or not can_list_project(lister, project):
            raise ValidationFailed({"project_id": _("You may list only your own projects.")})
        listing.project_id = project.id
    elif "project_id" in values:
        listing.project_id = None


def create_listing(actor: User, data: Mapping[str, Any]) -> Listing:
    """A new draft offered by the actor on behalf of their organisation."""
    if not is_authenticated(actor):
        raise PermissionDenied(_("Please log in to continue."))
    values = clean_listing(data)
    listing = Listing(seller=actor, organisation_id=actor.organisation_id, status=states.DRAFT)
    for name in FIELDS:
        if name in values:
            setattr(listing, name, values[name])
    _attach_subjects(listing, values, actor)
    db.session.add(listing)
    db.session.flush()
    from app.core.audit_chain import chain_append

    chain_append("listing.create", "listings", listing.id, actor, {"terms": listing.terms_snapshot()})
    return listing


def update_listing(listing: Listing, actor: User, data: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Change text and terms while the listing is editable; returns {field: (old, new)}."""
    ensure_manager(listing, actor)
    if listing.status not in states.EDITABLE_STATUSES:
        raise Conflict(
            _("A listing that is “%(status)s” cannot be edited.", status=states.STATUS_LABELS[listing.status])
        )
    values = clean_listing(data, partial=True, current=_current_values(listing))
    if listing.status == states.PUBLISHED:
        _refuse_package_change(listing, values)
    changes = {}
    for name in FIELDS:
        if name in values and values[name] != getattr(listing, name):
            changes[name] = (getattr(listing, name), values[name])
            setattr(listing, name, values[name])
    _attach_subjects(listing, {k: v for k, v in values.items() if k in ("patent_ids", "project_id")}, actor)
    db.session.flush()
    if changes and listing.status == states.PUBLISHED:
        from app.market.watchlist import notify_watchers

        if any(name in changes for name in WATCHED_FIELDS):
            notify_watchers(listing, "listing_price_changed")
        reindex_listing(listing)
    return changes


def _refuse_package_change(listing: Listing, values: Mapping[str, Any]) -> None:
    """Buyers relied on the published rights package: changing it means withdrawing and relisting."""
    moved = values.get("patent_ids", listing_patent_ids(listing)) != listing_patent_ids(listing)
    changed = {name for name in PACKAGE_FIELDS if name in values and values[name] != getattr(listing, name)}
    if moved:
        changed.add("patent_ids")
    if changed:
        message = _("Withdraw and relist to change the rights package of a published listing.")
        raise ValidationFailed(dict.fromkeys(sorted(changed), message))


def listing_patent_ids(listing: Listing) -> list[int]:
    return [link.patent_id for link in listing.patent_links]


# ---- due diligence ------------------------------------------------------------------------------


def package_of(listing: Listing) -> diligence.Package:
    organisation = listing.organisation.name if listing.organisation else None
    return diligence.Package(
        right_type=listing.right_type,
        field_of_use=listing.field_of_use,
        territory=listing.territory,
        term_months=listing.term_months,
        seller_organisation=organisation,
        pledgee_consent=listing.pledgee_consent,
        co_owner_consent=listing.co_owner_consent,
    )


def diligence_patents(listing: Listing) -> list[Patent]:
    """The patents the rights package covers: the bundle, or the project's patents."""
    if listing.patent_links:
        return listing.patents
    return list(listing.project.patents) if listing.project else []


def diligence_for(listing: Listing) -> list[diligence.Finding]:
    return diligence.check_package(diligence_patents(listing), package_of(listing), clock.now().date())


# ---- lifecycle ----------------------------------------------------------------------------------


def submit_listing(listing: Listing, actor: User) -> Listing:
    """Send a draft to moderation; blocked by diligence problems and unverified organisations."""
    ensure_manager(listing, actor)
    states.LISTING_LIFECYCLE.next_status(listing.status, "submit")  # 409 before any other message
    if not (listing.organisation and listing.organisation.is_verified):
        raise Conflict(
            _(
                "Only verified organisations may publish listings. Ask an administrator to verify "
                "your organisation first."
            )
        )
    problems = diligence.blocking(diligence_for(listing))
    if problems:
        raise Conflict(
            _(
                "Fix these before submitting: %(problems)s",
                problems=" ".join(f"{p.patent_label}: {p.message}" for p in problems),
            )
        )
    listing.submitted_at = clock.now()
    apply_transition(states.LISTING_LIFECYCLE, listing, "submit", actor=actor)
    if auto_publish_verified():
        _publish(listing, system_actor(), reason=_("Verified organisation: published without review."))
    return listing


def _publish(listing: Listing, actor: User, reason: str | None = None) -> None:
    listing.published_at = clock.now()
    listing.rejection_reason = None
    apply_transition(states.LISTING_LIFECYCLE, listing, "approve", actor=actor, reason=reason)
    if listing.right_type == "open_licence":
        from app.market.open_licence import declare_open_licence

        declare_open_licence(listing, actor)
    reindex_listing(listing)
    _notify(listing.seller, "listing_published", listing)


def approve_listing(listing: Listing, actor: User) -> Listing:
    """An administrator publishes a submitted listing (the verified rule is checked again)."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only an administrator may approve listings."))
    states.LISTING_LIFECYCLE.next_status(listing.status, "approve")
    if not (listing.organisation and listing.organisation.is_verified):
        raise Conflict(_("The seller's organisation is not verified: verify it before publishing."))
    _publish(listing, actor)
    return listing


def reject_listing(listing: Listing, actor: User, reason: str) -> Listing:
    if not is_admin(actor):
        raise PermissionDenied(_("Only an administrator may return listings."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _("Tell the seller what to change.")})
    listing.rejection_reason = reason[:1000]
    apply_transition(
        states.LISTING_LIFECYCLE, listing, "reject", actor=actor, reason=listing.rejection_reason
    )
    _notify(listing.seller, "listing_rejected", listing, reason=listing.rejection_reason)
    return listing


def withdraw_listing(listing: Listing, actor: User, reason: str | None = None) -> Listing:
    ensure_manager(listing, actor)
    _transition(listing, "withdraw", actor, reason)
    return listing


def relist(listing: Listing, actor: User) -> Listing:
    ensure_manager(listing, actor)
    _transition(listing, "relist", actor)
    return listing


def _transition(listing: Listing, action: str, actor: User, reason: str | None = None) -> None:
    was_public = listing.status == states.PUBLISHED
    apply_transition(states.LISTING_LIFECYCLE, listing, action, actor=actor, reason=reason)
    if was_public or listing.status == states.PUBLISHED:
        reindex_listing(listing)
    if was_public and listing.status != states.PUBLISHED and listing.right_type == "open_licence":
        from app.market.open_licence import end_open_licence

        end_open_licence(listing, actor)
    if listing.status != states.DRAFT:
        from app.market.watchlist import notify_watchers

        notify_watchers(listing, "listing_status_changed")


def mark_under_offer(listing: Listing, actor: User) -> None:
    """A deal was agreed on this listing: no new offers while it runs."""
    _transition(listing, "reserve", actor)


def mark_concluded(listing: Listing, actor: User) -> None:
    """The deal completed: sold for an assignment, licensed otherwise."""
    _transition(listing, "sell" if listing.right_type == "assignment" else "license", actor)


def reopen(listing: Listing, actor: User) -> None:
    """The deal was cancelled: the listing is open again."""
    _transition(listing, "reopen", actor)


@periodic("listings.expire", every=timedelta(minutes=5))
def expire_due_listings(actor: User | None = None) -> int:
    """Published listings past their end date expire; returns how many (idempotent)."""
    actor = actor or system_actor()
    due = db.session.scalars(
        select(Listing).where(
            Listing.status == states.PUBLISHED, Listing.ends_at.is_not(None), Listing.ends_at <= clock.now()
        )
    ).all()
    for listing in due:
        _transition(listing, "expire", actor, _("The end date passed."))
    return len(due)


def set_featured(listing: Listing, actor: User, featured: bool) -> None:
    """An administrator picks listings for the home page."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only an administrator may feature listings."))
    listing.featured = bool(featured)
    db.session.flush()


# ---- buying at the asking terms -------------------------------------------------------------------


def buy_now(listing: Listing, buyer: User):
    """A verified buyer takes a fixed-price listing at its asking terms: a deal is created."""
    if not is_authenticated(buyer):
        raise PermissionDenied(_("Please log in to continue."))
    if listing.price_mechanism != "fixed" or listing.right_type == "open_licence":
        raise Conflict(_("This listing is not sold at a fixed price: make an offer instead."))
    states.LISTING_LIFECYCLE.next_status(listing.status, "reserve")  # 409 unless published
    if is_seller(buyer, listing):
        raise Conflict(_("You cannot buy your own listing."))
    if not is_verified(buyer):
        raise PermissionDenied(_("Only members of verified organisations may buy."))
    from app.market.deal_services import create_deal

    return create_deal(
        listing=listing,
        buyer=buyer,
        terms=listing.terms_snapshot(),
        price=listing.ask,
        origin="buy_now",
        actor=buyer,
    )


# ---- views and search ---------------------------------------------------------------------------


def record_view(listing: Listing, user: User | None) -> None:
    """Count a page view for the seller's funnel (the seller's own views do not count)."""
    if listing.status not in states.PUBLIC_STATUSES or is_seller(user, listing):
        return
    day = clock.now().date()
    row = db.session.scalar(
        select(ListingView).where(ListingView.listing_id == listing.id, ListingView.day == day)
    )
    if row is None:
        row = ListingView(listing_id=listing.id, day=day, count=0)
        db.session.add(row)
    row.count = (row.count or 0) + 1
    db.session.flush()


def total_views(listing: Listing) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(ListingView.count), 0)).where(ListingView.listing_id == listing.id)
    )


def reindex_listing(listing: Listing) -> None:
    """The catalogue search shows price and deal type: refresh the listed patents' documents."""
    for link in listing.patent_links:
        if link.patent.moderation_status == RECORD_PUBLISHED:
            mark_for_indexing(db.session, "patent", link.patent_id)
    if listing.project_id:
        mark_for_indexing(db.session, "project", listing.project_id)


def nda_text(listing: Listing) -> str:
    return listing.nda_text or _(
        "I will keep confidential every document and fact I obtain from this listing's data room, use "
        "them only to evaluate a transaction with the seller, not pass them to third parties, and "
        "return or destroy them on request. This undertaking lasts three years from today."
    )


def nda_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _notify(user: User, kind: str, listing: Listing, **params: Any) -> None:
    from app.market.watchlist import notify_about_listing

    notify_about_listing(user, kind, listing, **params)
