"""Deals: created from an accepted offer, a buy-now, an open licence or an auction, then walked to
registration. Every step goes through apply_transition (event row + hash-chained audit entry);
services flush, the caller commits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import ROUND_DOWN, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.accounts.models import User
from app.accounts.permissions import is_admin, is_authenticated
from app.core.audit_chain import chain_append
from app.core.clock import clock
from app.core.errors import Conflict, DomainError, PermissionDenied
from app.core.lifecycle import Lifecycle, apply_transition
from app.core.money import Money
from app.core.outbox import emit
from app.core.permissions import acts_for
from app.core.ticks import periodic
from app.extensions import db
from app.market import contracts, registration
from app.market import deal_states as states
from app.market.deal_models import ContractSignature, Deal
from app.market.deal_notices import notify_deal, party_name
from app.market.listing_models import Listing
from app.market.listing_states import UNDER_OFFER

CHINA = dt.timezone(dt.timedelta(hours=8))  # contract dates follow the parties' calendar (Asia/Shanghai)


class DealInvalid(DomainError):
    status_code = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, {field: message})


# ---- who ---------------------------------------------------------------------------------------


def party_side(user: User | None, deal: Deal) -> str | None:
    """ "seller" or "buyer" for the people acting for either party (their organisations' members too)."""
    if not is_authenticated(user):
        return None
    if acts_for(user, deal.seller_id, deal.seller_organisation_id):
        return "seller"
    if acts_for(user, deal.buyer_id, deal.buyer_organisation_id):
        return "buyer"
    return None


def can_view_deal(user: User | None, deal: Deal) -> bool:
    return party_side(user, deal) is not None or is_admin(user)


def _require_party(user: User, deal: Deal, *, admin_ok: bool = True) -> str | None:
    side = party_side(user, deal)
    if side is None and not (admin_ok and is_admin(user)):
        raise PermissionDenied(_("Only the parties to this deal may do that."))
    return side


def deals_of(user: User):
    """select() of the deals a user acts in (all deals for administrators), newest first."""
    query = select(Deal).order_by(Deal.created_at.desc(), Deal.id.desc())
    if is_admin(user):
        return query
    conditions = [Deal.seller_id == user.id, Deal.buyer_id == user.id]
    if user.organisation_id:
        conditions += [
            Deal.seller_organisation_id == user.organisation_id,
            Deal.buyer_organisation_id == user.organisation_id,
        ]
    return query.where(or_(*conditions))


def today() -> dt.date:
    return clock.now().astimezone(CHINA).date()


# ---- creation ----------------------------------------------------------------------------------


def _party(user: User) -> dict[str, Any]:
    organisation = user.organisation
    return {
        "id": user.id,
        "name": user.display_name,
        "email": user.email,
        "organisation": organisation.name if organisation else None,
        "organisation_id": organisation.id if organisation else None,
        "verified": bool(organisation and organisation.is_verified),
    }


def _patents(listing: Listing) -> list[dict[str, Any]]:
    from app.catalogue.display import publication_display
    from app.market.listing_services import diligence_patents

    return [
        {
            "id": p.id,
            "number": publication_display(p),
            "jurisdiction": p.jurisdiction,
            "title": p.title_zh or p.title_en or p.publication_number,
            "title_en": p.title_en or p.title_zh or p.publication_number,
            "expiry_date": p.expiry_date.isoformat() if p.expiry_date else None,
        }
        for p in diligence_patents(listing)
    ]


def create_deal(
    *,
    listing: Listing,
    buyer: User,
    terms: dict[str, Any],
    price: Money,
    origin: str,
    actor: User,
    offer=None,
    is_demo: bool = False,
) -> Deal:
    """The deal with snapshots of parties, patents, rights and terms; the listing is reserved."""
    if origin not in states.ORIGINS:
        raise ValueError(f"unknown deal origin {origin!r}")
    if price is None or price.amount <= 0:
        raise DealInvalid("price", _("A deal needs a price above zero."))
    seller = listing.seller
    if buyer.id == seller.id or (buyer.organisation_id and buyer.organisation_id == listing.organisation_id):
        raise Conflict(_("The seller's side cannot buy its own listing."))
    deal = Deal(
        reference=f"pending-{uuid.uuid4().hex[:12]}",
        listing=listing,
        listing_id=listing.id,
        origin=origin,
        offer_id=getattr(offer, "id", None),
        seller_id=seller.id,
        buyer_id=buyer.id,
        seller_organisation_id=listing.organisation_id or seller.organisation_id,
        buyer_organisation_id=buyer.organisation_id,
        parties={"seller": _party(seller), "buyer": _party(buyer)},
        patents=_patents(listing),
        right_type=listing.right_type,
        terms=dict(terms),
        price_amount=price.amount,
        currency=price.currency,
        status=states.AGREED,
        money_status=states.UNPAID,
        agreed_at=clock.now(),
        is_demo=is_demo,
    )
    db.session.add(deal)
    db.session.flush()
    deal.reference = f"D-{today().year}-{deal.id:06d}"
    chain_append(
        "deal.create",
        "deals",
        deal.id,
        actor,
        {"origin": origin, "listing_id": listing.id, "price": str(deal.price_amount), "currency": deal.currency,
         "parties": deal.parties, "patents": deal.patents, "terms": deal.terms},
    )  # fmt: skip
    if origin != "open_licence":  # an open licence stays open to every verified buyer
        from app.market.listing_services import mark_under_offer

        mark_under_offer(listing, actor)
    for user in (seller, buyer):
        notify_deal(user, "deal_created", deal)
    db.session.flush()
    return deal


# ---- contract ----------------------------------------------------------------------------------


def draft_contract(deal: Deal, actor: User, language: str = "zh"):
    """Generate the contract (or redraft it in another language while nobody has signed)."""
    _require_party(actor, deal)
    if deal.status == states.AGREED:
        contract = contracts.build_contract(deal, language, actor)
        db.session.flush()
        apply_transition(states.DEAL_LIFECYCLE, deal, "draft_contract", actor=actor,
                         details={"contract_id": contract.id, "sha256": contract.text_sha256})  # fmt: skip
    elif deal.status == states.CONTRACT_DRAFTED:
        contract = contracts.build_contract(deal, language, actor)
        db.session.flush()
        chain_append(
            "deal.redraft",
            "deals",
            deal.id,
            actor,
            {"contract_id": contract.id, "sha256": contract.text_sha256},
        )
    else:
        states.DEAL_LIFECYCLE.next_status(deal.status, "draft_contract")  # raises with the allowed actions
    for user in _other_parties(deal, actor):
        notify_deal(user, "contract_drafted", deal)
    return contract


def sign_contract(deal: Deal, actor: User, typed_name: str, text_sha256: str, ip_address: str | None = None):
    """Sign by typed full name over the exact text; the second signature locks the contract."""
    side = party_side(actor, deal)
    if side is None:
        raise PermissionDenied(_("Only the parties to this deal may sign its contract."))
    if deal.status != states.CONTRACT_DRAFTED:
        states.DEAL_LIFECYCLE.next_status(deal.status, "sign")
    contract = deal.contract
    if contract.signature_of(side) is not None:
        raise Conflict(_("Your side has signed this contract already."))
    typed = " ".join((typed_name or "").split())
    if not 2 <= len(typed) <= 200:
        raise DealInvalid("typed_name", _("Type your full name to sign."))
    if text_sha256 != contract.text_sha256:
        raise Conflict(_("The contract changed after you opened it: read the current text and sign again."))
    signature = ContractSignature(side=side, user_id=actor.id, typed_name=typed, text_sha256=contract.text_sha256,
                                  signed_at=clock.now(), ip_address=(ip_address or "")[:45] or None)  # fmt: skip
    contract.signatures.append(signature)
    db.session.flush()
    chain_append("contract.sign", "contracts", contract.id, actor,
                 {"deal_id": deal.id, "side": side, "typed_name": typed, "sha256": contract.text_sha256})  # fmt: skip
    if len(contract.signatures) < 2:
        for user in _other_parties(deal, actor):
            notify_deal(user, "contract_signed", deal, who=party_name(actor))
        return signature
    contract.locked_at = clock.now()
    deal.contract_effective_on = today()
    apply_transition(
        states.DEAL_LIFECYCLE, deal, "sign", actor=actor, details={"sha256": contract.text_sha256}
    )
    if deal.money_status != states.PAID:
        apply_transition(states.DEAL_LIFECYCLE, deal, "request_payment", actor=actor)
    for user in (deal.seller, deal.buyer):
        notify_deal(user, "contract_complete", deal)
    return signature


def _other_parties(deal: Deal, actor: User) -> list[User]:
    side = party_side(actor, deal)
    if side == "seller":
        return [deal.buyer]
    if side == "buyer":
        return [deal.seller]
    return [deal.seller, deal.buyer]


# ---- registration ------------------------------------------------------------------------------


def _require_seller_or_admin(actor: User, deal: Deal) -> None:
    if party_side(actor, deal) != "seller" and not is_admin(actor):
        raise PermissionDenied(_("The seller records the filing and the registration."))


def _read_day(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or ""))
    except ValueError:
        raise DealInvalid(field, _("Enter a date as YYYY-MM-DD.")) from None


def record_filing(deal: Deal, actor: User, filing_number: str, filed_on: Any) -> Deal:
    """The seller filed the recordal / change of owner with the patent office."""
    _require_seller_or_admin(actor, deal)
    states.DEAL_LIFECYCLE.next_status(deal.status, "file_registration")  # 409 before signing
    number = (filing_number or "").strip()
    if not 3 <= len(number) <= 60:
        raise DealInvalid("filing_number", _("Enter the office's filing number."))
    day = _read_day(filed_on, "filed_on")
    if day > today() or (deal.contract_effective_on and day < deal.contract_effective_on):
        raise DealInvalid("filed_on", _("The filing date must lie between the signing and today."))
    deal.filing_number, deal.filed_on = number, day
    apply_transition(states.DEAL_LIFECYCLE, deal, "file_registration", actor=actor,
                     details={"filing_number": number, "filed_on": day.isoformat()})  # fmt: skip
    notify_deal(deal.buyer, "registration_filed", deal, number=number)
    return deal


def record_registration(deal: Deal, actor: User, registered_on: Any, notice: str | None = None) -> Deal:
    """The office registered it: the catalogue updates itself, and the deal completes if paid."""
    _require_seller_or_admin(actor, deal)
    states.DEAL_LIFECYCLE.next_status(deal.status, "register")
    day = _read_day(registered_on, "registered_on")
    if day > today() or (deal.filed_on and day < deal.filed_on):
        raise DealInvalid("registered_on", _("The registration date must lie between the filing and today."))
    deal.registered_on = day
    deal.registration_notice = (notice or "").strip()[:200] or None
    apply_transition(states.DEAL_LIFECYCLE, deal, "register", actor=actor,
                     details={"registered_on": day.isoformat(), "notice": deal.registration_notice})  # fmt: skip
    registration.apply_registration_to_catalogue(deal, actor)
    from app.payments import royalties  # the licence is in force: its running royalty starts

    royalties.create_schedule(deal, actor)
    for user in (deal.seller, deal.buyer):
        notify_deal(user, "registration_recorded", deal, date=day.isoformat())
    _complete_if_ready(deal, actor)
    return deal


# ---- money -------------------------------------------------------------------------------------


def mark_paid_manually(deal: Deal, actor: User, reference: str) -> Deal:
    """An administrator records a payment received outside the platform's payment records."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only an administrator may record a payment by hand."))
    reference = (reference or "").strip()
    if not 3 <= len(reference) <= 120:
        raise DealInvalid("reference", _("Enter the bank or payment reference."))
    if _has_platform_payment(deal):
        raise Conflict(_("This deal has a payment on the platform: record its receipt on the payments page."))
    return record_payment_received(deal, actor, reference)


def _has_platform_payment(deal: Deal) -> bool:
    """A payment started through app.payments owns the money status; a hand-made mark would double it."""
    from app.payments.services import live_payment

    return live_payment(deal) is not None


def record_payment_received(deal: Deal, actor: User, reference: str) -> Deal:
    """The upfront price arrived (app.payments calls this when a payment succeeds)."""
    if deal.status == states.CANCELLED:
        raise Conflict(_("This deal is cancelled: no payment can be recorded."))
    apply_transition(states.MONEY_LIFECYCLE, deal, "mark_paid", actor=actor, reason=reference,
                     details={"reference": reference, "amount": str(deal.price_amount), "currency": deal.currency})  # fmt: skip
    deal.payment_reference = reference
    for user in (deal.seller, deal.buyer):
        notify_deal(user, "deal_paid", deal)
    _complete_if_ready(deal, actor)
    return deal


def record_refund(deal: Deal, actor: User, reason: str) -> Deal:
    """The whole price went back to the buyer (app.payments calls this after a full refund)."""
    apply_transition(states.MONEY_LIFECYCLE, deal, "refund", actor=actor, reason=reason)
    return deal


def _complete_if_ready(deal: Deal, actor: User) -> None:
    if deal.status != states.REGISTERED or deal.money_status != states.PAID:
        return
    apply_transition(states.DEAL_LIFECYCLE, deal, "complete", actor=actor)
    deal.completed_at = clock.now()
    write_closed_deals(deal)
    listing = deal.listing
    if deal.origin != "open_licence" and listing.status == UNDER_OFFER:
        from app.market.listing_services import mark_concluded

        mark_concluded(listing, actor)
    for user in (deal.seller, deal.buyer):
        notify_deal(user, "deal_completed", deal)
    emit("deal.completed", {"deal_id": deal.id})  # app.payments pays the seller's share out


def write_closed_deals(deal: Deal) -> list:
    """One comparable per patent (the price apportioned evenly) for the comparables model and backtest."""
    from app.catalogue.models import Patent
    from app.valuation.inputs import patent_facts
    from app.valuation.models import ClosedDeal

    closed_on = deal.registered_on or today()
    listing_type = "licence" if deal.is_licence else "assignment"
    shares = _apportion(deal.price_amount, len(deal.patents))
    rows = []
    for snapshot, share in zip(deal.patents, shares, strict=True):
        patent = db.session.get(Patent, snapshot["id"])
        facts = (
            patent_facts(patent, on=closed_on, listing_type=listing_type, ask_price=share) if patent else {}
        )
        row = ClosedDeal(
            reference=f"deal-{deal.id}-{snapshot['id']}",
            patent_id=snapshot["id"] if patent else None,
            price=share,
            currency=deal.currency,
            closed_on=closed_on,
            deal_type=listing_type,
            exclusive=deal.right_type in ("assignment", "exclusive_licence"),
            field=facts.get("ipc_main"),
            snapshot=facts,
            is_generated=deal.is_demo,
            note=(f"IPEX demo deal {deal.reference}" if deal.is_demo else f"IPEX deal {deal.reference}"),
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def _apportion(total: Decimal, parts: int) -> list[Decimal]:
    """Even shares to the fen, the remainder on the first, so they sum exactly to the total."""
    share = (total / parts).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return [total - share * (parts - 1), *([share] * (parts - 1))]


# ---- cancellation and disputes -----------------------------------------------------------------


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not 3 <= len(text) <= 1000:
        raise DealInvalid("reason", _("Say why, in a sentence."))
    return text


def cancel_deal(deal: Deal, actor: User, reason: str) -> Deal:
    """Either party (or an administrator) stops the deal before the filing; the listing reopens."""
    _require_party(actor, deal)
    text = _reason(reason)
    if deal.status == states.DISPUTED and not is_admin(actor):
        raise PermissionDenied(_("A deal in dispute is cancelled by an administrator."))
    apply_transition(states.DEAL_LIFECYCLE, deal, "cancel", actor=actor, reason=text)
    deal.cancel_reason = text
    listing = deal.listing
    if deal.origin != "open_licence" and listing.status == UNDER_OFFER:
        from app.market.listing_services import reopen

        reopen(listing, actor)
    for user in _other_parties(deal, actor):
        notify_deal(user, "deal_cancelled", deal, who=party_name(actor), reason=text)
    return deal


def raise_dispute(deal: Deal, actor: User, reason: str) -> Deal:
    side = party_side(actor, deal)
    if side is None:
        raise PermissionDenied(_("Only the parties to this deal may raise a dispute."))
    text = _reason(reason)
    previous = deal.status
    apply_transition(states.DEAL_LIFECYCLE, deal, "dispute", actor=actor, reason=text)
    deal.status_before_dispute = previous
    for user in _other_parties(deal, actor):
        notify_deal(user, "deal_disputed", deal, who=party_name(actor), reason=text)
    return deal


def resolve_dispute(deal: Deal, actor: User, note: str) -> Deal:
    """An administrator ends the dispute: the deal goes back to where it stood."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only an administrator resolves disputes."))
    text = _reason(note)
    if deal.status != states.DISPUTED:
        states.DEAL_LIFECYCLE.next_status(deal.status, "resolve")
    back = Lifecycle(
        name="deal",
        transitions={(states.DISPUTED, "resolve"): deal.status_before_dispute},
        status_labels=states.STATUS_LABELS,
        action_labels=states.ACTION_LABELS,
    )
    apply_transition(back, deal, "resolve", actor=actor, reason=text)
    deal.status_before_dispute = None
    return deal


def allowed_deal_actions(user: User | None, deal: Deal) -> list[str]:
    """The actions this user may take now, for buttons and the API's 409 answers."""
    side, admin = party_side(user, deal), is_admin(user)
    if side is None and not admin:
        return []
    actions = []
    status = deal.status
    if status in (states.AGREED, states.CONTRACT_DRAFTED) and (side or admin):
        contract = deal.contract
        if contract is None or not contract.signatures:
            actions.append("draft_contract")
    if status == states.CONTRACT_DRAFTED and side and deal.contract.signature_of(side) is None:
        actions.append("sign")
    if (side == "seller" or admin) and states.DEAL_LIFECYCLE.can(status, "file_registration"):
        actions.append("file_registration")
    if (side == "seller" or admin) and status == states.REGISTRATION_FILED:
        actions.append("register")
    if status in states.CANCELLABLE or (status == states.DISPUTED and admin):
        actions.append("cancel")
    if side and status in states.DISPUTABLE:
        actions.append("dispute")
    if admin and status == states.DISPUTED:
        actions.append("resolve")
    if (
        admin
        and deal.money_status == states.UNPAID
        and status != states.CANCELLED
        and not _has_platform_payment(deal)
    ):
        actions.append("mark_paid")
    return actions


# ---- reminders ---------------------------------------------------------------------------------


@periodic("deals.deadlines", every=dt.timedelta(days=1))
def remind_deadlines() -> int:
    """Once a day: tell both parties of a recordal deadline within two weeks that is not yet met."""
    day = today()
    sent = 0
    waiting = (states.SIGNED, states.AWAITING_PAYMENT)
    for deal in db.session.scalars(select(Deal).where(Deal.status.in_(waiting))):
        for deadline in registration.deadlines(deal):
            if not deadline.is_near(day):
                continue
            for user in (deal.seller, deal.buyer):
                notify_deal(user, "deadline_near", deal, dedupe_key=f"deadline:{deal.id}:{deadline.kind}:{day}",
                            rule_msg=deadline.rule_id, date=deadline.due_on.isoformat(), days=deadline.days_left(day))  # fmt: skip
                sent += 1
    return sent
