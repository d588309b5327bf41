"""Negotiation: offers and counter-offers on any term, each with an expiry; accept, reject, withdraw.

Only the seller's side, the buyer in the negotiation and administrators see an offer. The side
that received a proposal answers it; the side that made it may withdraw it. Buyers' proposals below
the seller's floor are declined at once with a polite message. Accepting creates the deal and
closes every competing open offer on the listing, telling their makers. Services flush; the caller
commits.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.accounts.models import User
from app.accounts.permissions import is_admin, is_authenticated, is_buyer
from app.core.actors import system_actor
from app.core.audit_chain import chain_append
from app.core.clock import clock
from app.core.errors import Conflict, DomainError, PermissionDenied
from app.core.lifecycle import InvalidTransition, apply_transition
from app.core.money import Money, MoneyError, parse_money
from app.core.permissions import require_verified
from app.core.ticks import periodic
from app.extensions import db
from app.market import offer_states as states
from app.market.deal_notices import notify_offer
from app.market.listing_models import Listing
from app.market.listing_services import is_seller
from app.market.listing_states import LISTING_LIFECYCLE, PUBLISHED
from app.market.offer_models import Offer

DEFAULT_EXPIRY = dt.timedelta(days=14)
MAX_EXPIRY = dt.timedelta(days=90)
MIN_EXPIRY = dt.timedelta(hours=1)
EXPIRING_SOON = dt.timedelta(hours=24)
# Terms a proposal may change, and how each is read.
NEGOTIABLE_TERMS = (
    "field_of_use",
    "territory",
    "term_months",
    "sublicensing",
    "royalty_rate",
    "minimum_annual_royalty",
    "milestones",
)
MAX_MESSAGE = 2000


class OfferInvalid(DomainError):
    """A field of the proposal is not acceptable (HTTP 422 naming the field)."""

    status_code = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, {field: message})


# ---- who sees and does what ---------------------------------------------------------------------


def side_of(user: User | None, offer: Offer) -> str | None:
    """ "seller" for the seller's side, "buyer" for the buyer in this negotiation, else None."""
    if not is_authenticated(user):
        return None
    if is_seller(user, offer.listing):
        return "seller"
    return "buyer" if user.id == offer.buyer_id else None


def can_see_offer(user: User | None, offer: Offer) -> bool:
    return side_of(user, offer) is not None or is_admin(user)


def offers_visible_to(user: User | None, listing: Listing) -> list[Offer]:
    """The seller's side and administrators see every offer; a buyer only their own negotiation."""
    if not is_authenticated(user):
        return []
    query = (
        select(Offer).where(Offer.listing_id == listing.id).order_by(Offer.created_at.desc(), Offer.id.desc())
    )
    if not (is_seller(user, listing) or is_admin(user)):
        query = query.where(Offer.buyer_id == user.id)
    return list(db.session.scalars(query))


def allowed_actions(user: User | None, offer: Offer) -> list[str]:
    """What this user may do with the proposal now (for buttons and the API)."""
    side = side_of(user, offer)
    if side is None or not offer.is_open:
        return []
    if side == offer.recipient_side:
        return list(states.RECIPIENT_ACTIONS)
    return list(states.MAKER_ACTIONS)


def _require_side(actor: User, offer: Offer, action: str) -> str:
    side = side_of(actor, offer)
    if side is None:
        raise PermissionDenied(_("Only the seller and the buyer in this negotiation may act on it."))
    if not offer.is_open:
        raise InvalidTransition(states.OFFER_LIFECYCLE, offer.status, action)
    wanted = offer.recipient_side if action in states.RECIPIENT_ACTIONS else offer.made_by_side
    if side != wanted:
        if action in states.RECIPIENT_ACTIONS:
            raise Conflict(_("You made this proposal: wait for the other side's answer, or withdraw it."))
        raise Conflict(_("Only the side that made a proposal may withdraw it."))
    return side


# ---- reading a proposal -------------------------------------------------------------------------


def read_price(value: Any, currency: str) -> Money:
    try:
        money = parse_money(value if isinstance(value, Decimal | int) else str(value or ""), currency)
    except MoneyError as error:
        raise OfferInvalid("price", error.message) from error
    if money.amount <= 0:
        raise OfferInvalid("price", _("Offer an amount above zero."))
    return money


def read_expiry(value: dt.datetime | None) -> dt.datetime:
    now = clock.now()
    expires_at = value or now + DEFAULT_EXPIRY
    if expires_at.tzinfo is None:
        raise OfferInvalid("expires_at", _("Give the expiry with a time zone."))
    if expires_at < now + MIN_EXPIRY:
        raise OfferInvalid("expires_at", _("Give the other side at least an hour to answer."))
    if expires_at > now + MAX_EXPIRY:
        raise OfferInvalid("expires_at", _("An offer can stay open for at most 90 days."))
    return expires_at


def merge_terms(base: dict[str, Any], changes: dict[str, Any] | None, currency: str) -> dict[str, Any]:
    """The base terms with the proposed changes, each checked; unknown terms are refused."""
    terms = dict(base)
    for name, value in (changes or {}).items():
        if name not in NEGOTIABLE_TERMS:
            raise OfferInvalid(f"terms.{name}", _("This term cannot be negotiated here."))
        terms[name] = _read_term(name, value, currency)
    return terms


def _read_term(name: str, value: Any, currency: str) -> Any:
    if value in (None, ""):
        return False if name == "sublicensing" else ([] if name == "milestones" else None)
    field = f"terms.{name}"
    if name in ("field_of_use", "territory"):
        text = str(value).strip()
        if len(text) > 300:
            raise OfferInvalid(field, _("Keep it under 300 characters."))
        return text or None
    if name == "term_months":
        if not str(value).isdigit() or not 1 <= int(value) <= 600:
            raise OfferInvalid(field, _("Enter a whole number of months between 1 and 600."))
        return int(value)
    if name == "sublicensing":
        if not isinstance(value, bool):
            raise OfferInvalid(field, _("Answer yes or no."))
        return value
    if name == "royalty_rate":
        try:
            rate = Decimal(str(value))
        except InvalidOperation:
            rate = Decimal(-1)
        if not rate.is_finite() or not Decimal(0) <= rate <= Decimal(100):
            raise OfferInvalid(field, _("Enter a percentage between 0 and 100 (e.g. 3.5)."))
        return format(rate.normalize(), "f")
    if name == "minimum_annual_royalty":
        try:
            return str(parse_money(str(value), currency).amount)
        except MoneyError as error:
            raise OfferInvalid(field, error.message) from error
    return _read_milestones(value, currency)


def _read_milestones(value: Any, currency: str) -> list[dict[str, str]]:
    if not isinstance(value, list) or len(value) > 20:
        raise OfferInvalid(
            "terms.milestones", _("Give at most 20 milestones, each with a label and an amount.")
        )
    milestones = []
    for item in value:
        label = str((item or {}).get("label", "")).strip() if isinstance(item, dict) else ""
        try:
            amount = parse_money(str(item.get("amount", "")), currency).amount if label else None
        except MoneyError:
            amount = None
        if not label or amount is None or amount <= 0:
            raise OfferInvalid(
                "terms.milestones", _("Each milestone needs a label and an amount above zero.")
            )
        milestones.append({"label": label[:200], "amount": f"{amount:.2f}"})
    return milestones


def _message(text: str | None) -> str | None:
    text = (text or "").strip()
    if len(text) > MAX_MESSAGE:
        raise OfferInvalid("message", _("Keep the message under 2,000 characters."))
    return text or None


# ---- verbs --------------------------------------------------------------------------------------


def _check_listing_open(listing: Listing, second_chance: bool) -> None:
    if listing.status != PUBLISHED:  # names the listing's status and what it allows
        LISTING_LIFECYCLE.next_status(listing.status, "reserve")
    if listing.right_type == "open_licence":
        raise Conflict(_("An open licence is taken on its published terms: accept it instead of offering."))
    if not second_chance and listing.price_mechanism != "negotiable":
        raise Conflict(_("This listing does not take offers: its price mechanism is fixed or an auction."))


def make_offer(
    *,
    listing: Listing,
    buyer: User,
    price: Money | str | Decimal,
    actor: User,
    terms: dict[str, Any] | None = None,
    expires_at: dt.datetime | None = None,
    message: str | None = None,
    second_chance: bool = False,
) -> Offer:
    """A buyer's offer, or (second_chance) the seller's offer to a bidder after an unmet reserve."""
    if not is_authenticated(actor):
        raise PermissionDenied(_("Please log in to continue."))
    seller_side = is_seller(actor, listing)
    if seller_side and not second_chance:
        raise Conflict(_("You cannot make an offer on your own listing."))
    if not seller_side and actor.id != buyer.id:
        raise PermissionDenied(_("Only the buyer may make this offer."))
    if is_seller(buyer, listing):
        raise Conflict(_("The seller's side cannot buy its own listing."))
    require_verified(actor)
    if not seller_side and not is_buyer(actor):
        raise PermissionDenied(_("Add the buyer role in your account settings."))
    _check_listing_open(listing, second_chance)
    if open_proposal(listing, buyer) is not None:
        raise Conflict(_("There is already an open offer in this negotiation: answer or withdraw it first."))
    money = price if isinstance(price, Money) else read_price(price, listing.currency)
    if money.currency != listing.currency:
        raise OfferInvalid("price", _("Use the listing's currency, %(currency)s.", currency=listing.currency))
    offer = Offer(
        listing_id=listing.id,
        listing=listing,
        buyer_id=buyer.id,
        made_by_id=actor.id,
        made_by=actor,
        made_by_side="seller" if seller_side else "buyer",
        price_amount=read_price(money.amount, listing.currency).amount,
        currency=listing.currency,
        terms=merge_terms(listing.terms_snapshot(), terms, listing.currency),
        message=_message(message),
        expires_at=read_expiry(expires_at),
        second_chance=second_chance,
        created_at=clock.now(),
    )
    return _open(offer, actor)


def open_proposal(listing: Listing, buyer: User) -> Offer | None:
    """The open proposal of this buyer's negotiation on the listing: it blocks a new offer."""
    return db.session.scalar(
        select(Offer).where(
            Offer.listing_id == listing.id, Offer.buyer_id == buyer.id, Offer.status == states.OPEN
        )
    )


def _open(offer: Offer, actor: User) -> Offer:
    """Store a new proposal, decline it if it is a buyer's below the floor, else tell the other side."""
    db.session.add(offer)
    db.session.flush()
    offer.thread_id = offer.thread_id or offer.id
    chain_append(
        "offer.make",
        "offers",
        offer.id,
        actor,
        {"listing_id": offer.listing_id, "price": str(offer.price_amount), "currency": offer.currency,
         "side": offer.made_by_side, "parent_id": offer.parent_id, "terms": offer.terms},
    )  # fmt: skip
    floor = offer.listing.floor
    if offer.made_by_side == "buyer" and floor is not None and offer.price < floor:
        reason = _("Below the price the seller can consider.")
        apply_transition(states.OFFER_LIFECYCLE, offer, "decline", actor=system_actor(), reason=reason)
        offer.answered_at, offer.answer_note = clock.now(), reason
        notify_offer(offer.buyer, "offer_declined", offer)
        return offer
    kind = "offer_received" if offer.parent_id is None else "offer_countered"
    for user in _other_side_users(offer):
        notify_offer(user, kind, offer)
    return offer


def _other_side_users(offer: Offer) -> list[User]:
    """Who hears about a proposal: the buyer, or the listing's seller."""
    return [offer.listing.seller] if offer.made_by_side == "buyer" else [offer.buyer]


def counter_offer(
    offer: Offer,
    actor: User,
    *,
    price: Money | str | Decimal,
    terms: dict[str, Any] | None = None,
    expires_at: dt.datetime | None = None,
    message: str | None = None,
) -> Offer:
    """Answer a proposal with another one; it may change the price and any negotiable term."""
    side = _require_side(actor, offer, "counter")
    listing = offer.listing
    _check_listing_open(listing, offer.second_chance)
    money = price if isinstance(price, Money) else read_price(price, listing.currency)
    counter = Offer(
        listing_id=listing.id,
        listing=listing,
        thread_id=offer.thread_id,
        parent_id=offer.id,
        buyer_id=offer.buyer_id,
        made_by_id=actor.id,
        made_by=actor,
        made_by_side=side,
        price_amount=read_price(money.amount, listing.currency).amount,
        currency=listing.currency,
        terms=merge_terms(offer.terms, terms, listing.currency),
        message=_message(message),
        expires_at=read_expiry(expires_at),
        second_chance=offer.second_chance,
        created_at=clock.now(),
    )
    apply_transition(states.OFFER_LIFECYCLE, offer, "counter", actor=actor)
    offer.answered_at = clock.now()
    return _open(counter, actor)


def accept_offer(offer: Offer, actor: User):
    """Agree: the deal is created at the proposal's price and terms; competing offers close."""
    from app.market.deal_services import create_deal

    _require_side(actor, offer, "accept")
    require_verified(actor)
    _check_listing_open(offer.listing, offer.second_chance)
    apply_transition(states.OFFER_LIFECYCLE, offer, "accept", actor=actor)
    offer.answered_at = clock.now()
    deal = create_deal(
        listing=offer.listing,
        buyer=offer.buyer,
        terms=offer.terms,
        price=offer.price,
        origin="offer",
        actor=actor,
        offer=offer,
    )
    notify_offer(offer.made_by, "offer_accepted", offer, reference=deal.reference)
    _close_competitors(offer, actor)
    return deal


def _close_competitors(accepted: Offer, actor: User) -> None:
    competing = db.session.scalars(
        select(Offer).where(
            Offer.listing_id == accepted.listing_id, Offer.status == states.OPEN, Offer.id != accepted.id
        )
    ).all()
    note = _("The seller accepted another offer.")
    for offer in competing:
        apply_transition(states.OFFER_LIFECYCLE, offer, "close", actor=actor, reason=note)
        offer.answered_at, offer.answer_note = clock.now(), note
        notify_offer(offer.buyer, "offer_closed", offer)


def reject_offer(offer: Offer, actor: User, reason: str | None = None) -> Offer:
    _require_side(actor, offer, "reject")
    note = (reason or "").strip()[:1000] or None
    apply_transition(states.OFFER_LIFECYCLE, offer, "reject", actor=actor, reason=note)
    offer.answered_at, offer.answer_note = clock.now(), note
    notify_offer(offer.made_by, "offer_rejected", offer, note=note or "")
    return offer


def withdraw_offer(offer: Offer, actor: User) -> Offer:
    _require_side(actor, offer, "withdraw")
    apply_transition(states.OFFER_LIFECYCLE, offer, "withdraw", actor=actor)
    offer.answered_at = clock.now()
    for user in _other_side_users(offer):
        notify_offer(user, "offer_withdrawn", offer)
    return offer


def thread_of(offer: Offer) -> list[Offer]:
    """Every proposal of the offer's negotiation, oldest first."""
    return list(
        db.session.scalars(select(Offer).where(Offer.thread_id == offer.thread_id).order_by(Offer.id))
    )


def offers_of_user(user: User, limit: int = 100) -> list[Offer]:
    """Offers a user made or received (as the buyer or on the seller's side), newest first."""
    seller_listings = select(Listing.id).where(
        or_(Listing.seller_id == user.id, Listing.organisation_id == user.organisation_id)
        if user.organisation_id
        else Listing.seller_id == user.id
    )
    query = (
        select(Offer)
        .where(or_(Offer.buyer_id == user.id, Offer.listing_id.in_(seller_listings)))
        .order_by(Offer.created_at.desc(), Offer.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


# ---- periodic -----------------------------------------------------------------------------------


@periodic("offers.expire", every=dt.timedelta(minutes=1))
def expire_due_offers() -> int:
    """Open proposals past their expiry expire; both sides hear (idempotent)."""
    due = db.session.scalars(
        select(Offer).where(Offer.status == states.OPEN, Offer.expires_at <= clock.now())
    ).all()
    actor = system_actor()
    for offer in due:
        apply_transition(states.OFFER_LIFECYCLE, offer, "expire", actor=actor)
        offer.answered_at = clock.now()
        for user in (offer.made_by, *_other_side_users(offer)):
            notify_offer(user, "offer_expired", offer, dedupe_key=f"offer-expired:{offer.id}")
    return len(due)


@periodic("offers.remind", every=dt.timedelta(hours=1))
def remind_expiring_offers() -> int:
    """Tell the side that must answer when a proposal expires within a day (once per proposal)."""
    now = clock.now()
    soon = db.session.scalars(
        select(Offer).where(
            Offer.status == states.OPEN, Offer.expires_at > now, Offer.expires_at <= now + EXPIRING_SOON
        )
    ).all()
    for offer in soon:
        for user in _other_side_users(offer):
            notify_offer(user, "offer_expiring", offer, dedupe_key=f"offer-expiring:{offer.id}")
    return len(soon)
