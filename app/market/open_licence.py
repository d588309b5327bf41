"""Open licences (开放许可, Patent Law 2021 art. 50): fixed published terms, accepted in one step.

Publishing an open-licence listing records the declaration on each patent (a ``PatentLicence``
of type "open"), which the catalogue's own rules then respect; a verified buyer who accepts gets
a non-exclusive ``PatentLicence`` per patent, a certificate, and a deal for payment and recordal.
An exclusive or sole licence in force blocks both steps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.permissions import is_authenticated, is_verified
from app.catalogue.models import PatentLicence
from app.catalogue.services import record_change
from app.core.audit_chain import chain_append
from app.core.clock import clock
from app.core.errors import Conflict, PermissionDenied
from app.extensions import db
from app.market import diligence
from app.market import listing_states as states
from app.market.listing_models import Listing, OpenLicenceAcceptance
from app.market.listing_services import diligence_for, is_seller

OPEN_LICENSEE_NOTE = "开放许可 open licence"


def _until(listing: Listing, start: dt.date) -> dt.date | None:
    if not listing.term_months:
        return None
    months = start.month - 1 + listing.term_months
    year, month = start.year + months // 12, months % 12 + 1
    return dt.date(year, month, min(start.day, 28))


def declare_open_licence(listing: Listing, actor: User) -> list[PatentLicence]:
    """Record the open licence on every patent of a listing that is being published."""
    today = clock.now().date()
    created = []
    for patent in listing.patents:
        declared = any(
            lic.licence_type == "open" and lic.in_force(today) and lic.licensee == OPEN_LICENSEE_NOTE
            for lic in patent.licences
        )
        if declared:
            continue
        licence = PatentLicence(
            licence_type="open",
            licensee=OPEN_LICENSEE_NOTE,
            field=listing.field_of_use,
            territory=listing.territory,
            recorded_on=today,
            until=_until(listing, today),
        )
        patent.licences.append(licence)
        created.append(licence)
        db.session.flush()
        record_change(patent, actor, "legal_fact", {"licence": (None, _licence_values(licence))})
    return created


def end_open_licence(listing: Listing, actor: User) -> None:
    """The listing left the market: the open licence offer ends today (accepted licences stay)."""
    today = clock.now().date()
    for patent in listing.patents:
        for licence in patent.licences:
            if (
                licence.licence_type == "open"
                and licence.licensee == OPEN_LICENSEE_NOTE
                and licence.in_force(today)
            ):
                before = _licence_values(licence)
                licence.until = today
                record_change(patent, actor, "legal_fact", {"licence": (before, _licence_values(licence))})
    db.session.flush()


def _licence_values(licence: PatentLicence) -> dict[str, Any]:
    values = {
        "licence_type": licence.licence_type,
        "licensee": licence.licensee,
        "field": licence.field,
        "territory": licence.territory,
        "recorded_on": licence.recorded_on,
        "until": licence.until,
    }
    return {k: str(v) if isinstance(v, dt.date) else v for k, v in values.items() if v not in (None, "")}


def find_acceptance(listing: Listing, user: User | None) -> OpenLicenceAcceptance | None:
    if not is_authenticated(user):
        return None
    return db.session.scalar(
        select(OpenLicenceAcceptance).where(
            OpenLicenceAcceptance.listing_id == listing.id, OpenLicenceAcceptance.licensee_id == user.id
        )
    )


def _check_can_accept(listing: Listing, buyer: User) -> None:
    if not is_authenticated(buyer):
        raise PermissionDenied(_("Please log in to continue."))
    if listing.right_type != "open_licence":
        raise Conflict(_("This listing does not offer an open licence."))
    states.LISTING_LIFECYCLE.next_status(listing.status, "reserve")  # 409 unless published
    if is_seller(buyer, listing):
        raise Conflict(_("You cannot take a licence on your own listing."))
    if not is_verified(buyer):
        raise PermissionDenied(_("Only members of verified organisations may accept an open licence."))
    if find_acceptance(listing, buyer):
        raise Conflict(_("You already hold this open licence."))
    blockers = [f for f in diligence.blocking(diligence_for(listing)) if f.code != "co_owner_consent"]
    if blockers:
        raise Conflict(" ".join(f"{f.patent_label}: {f.message}" for f in blockers))


def accept_open_licence(listing: Listing, buyer: User) -> OpenLicenceAcceptance:
    """One step: the licence appears on each patent, a certificate, a deal, and the owner hears."""
    _check_can_accept(listing, buyer)
    today = clock.now().date()
    licensee = buyer.organisation.name if buyer.organisation else buyer.display_name
    licences = []
    for patent in listing.patents:
        licence = PatentLicence(
            licence_type="non_exclusive",
            licensee=licensee[:300],
            field=listing.field_of_use,
            territory=listing.territory,
            recorded_on=today,
            until=_until(listing, today),
        )
        patent.licences.append(licence)
        licences.append((patent, licence))
    db.session.flush()
    for patent, licence in licences:
        record_change(patent, buyer, "legal_fact", {"licence": (None, _licence_values(licence))})
    acceptance = OpenLicenceAcceptance(
        listing_id=listing.id,
        licensee_id=buyer.id,
        licensee_name=licensee[:300],
        certificate_number=f"pending-{listing.id}-{buyer.id}",
        terms=listing.terms_snapshot(),
        licence_ids=[licence.id for _patent, licence in licences],
        accepted_at=clock.now(),
    )
    db.session.add(acceptance)
    db.session.flush()
    acceptance.certificate_number = f"OL-{today.year}-{acceptance.id:06d}"
    acceptance.deal_id = _create_deal(listing, buyer).id
    chain_append(
        "listing.open_licence_accept",
        "listings",
        listing.id,
        buyer,
        {"certificate": acceptance.certificate_number, "licence_ids": acceptance.licence_ids},
    )
    from app.market.watchlist import notify_about_listing

    notify_about_listing(
        listing.seller, "open_licence_accepted", listing, buyer=licensee, number=acceptance.certificate_number
    )
    db.session.flush()
    return acceptance


def _create_deal(listing: Listing, buyer: User):
    from app.market.deal_services import create_deal

    return create_deal(
        listing=listing,
        buyer=buyer,
        terms=listing.terms_snapshot(),
        price=listing.ask,
        origin="open_licence",
        actor=buyer,
    )
