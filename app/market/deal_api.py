"""/api/v1 offers and deals: the same services and permissions as the pages.

Money travels as decimal strings with a currency. A transition that is not allowed answers 409
with the current status and the allowed actions; a bad field answers 422 naming it; offers and
deals the caller may not see answer 404.
"""

from __future__ import annotations

import marshmallow as ma
from flask import abort, request
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import login_required
from app.api.schemas import ErrorSchema, money_field
from app.core.audit_chain import entries_for
from app.extensions import db
from app.market import deal_services, offer_services, registration
from app.market.deal_models import Deal
from app.market.listing_models import Listing
from app.market.listing_services import can_view_listing
from app.market.offer_models import Offer

# @login_required sits right under @blp.route: who may call is decided before the body is read
# (an anonymous caller gets 401, never a 422 about fields).
blp = Blueprint("api_deals", __name__, description="Offers, counter-offers and deals to registration")

F = ma.fields
TOKEN = [{"bearerAuth": []}]


class MoneySchema(ma.Schema):
    amount = F.String(metadata={"example": "125000.00"})
    currency = F.String(metadata={"example": "CNY"})


class OfferSchema(ma.Schema):
    id = F.Integer()
    listing_id = F.Integer()
    thread_id = F.Integer()
    parent_id = F.Integer(allow_none=True)
    buyer_id = F.Integer()
    made_by_side = F.String()
    status = F.String()
    price = money_field("price_amount")
    terms = F.Dict()
    message = F.String(allow_none=True)
    expires_at = F.DateTime()
    answer_note = F.String(allow_none=True)
    created_at = F.DateTime()
    allowed_actions = F.Method("actions", metadata={"type": "array", "items": {"type": "string"}})

    def actions(self, offer: Offer) -> list[str]:
        return offer_services.allowed_actions(current_user, offer)


class OfferCreateSchema(ma.Schema):
    price = F.Raw(required=True, metadata={"example": "125000.00", "description": "also 12.5万, 125,000.00"})
    terms = F.Dict(load_default=dict, metadata={"description": "changes to negotiable terms"})
    expires_at = F.AwareDateTime(load_default=None, default_timezone=None)
    message = F.String(load_default=None, allow_none=True)


class RejectSchema(ma.Schema):
    reason = F.String(load_default=None, allow_none=True)


class SignatureSchema(ma.Schema):
    side = F.String()
    typed_name = F.String()
    text_sha256 = F.String()
    signed_at = F.DateTime()


class ContractSchema(ma.Schema):
    id = F.Integer()
    language = F.String()
    template = F.String()
    text = F.String()
    text_sha256 = F.String()
    locked_at = F.DateTime(allow_none=True)
    signatures = F.List(F.Nested(SignatureSchema))


class DeadlineSchema(ma.Schema):
    kind = F.String()
    due_on = F.Date()
    rule = F.Function(lambda d: str(d.rule))


class DealSchema(ma.Schema):
    id = F.Integer()
    reference = F.String()
    listing_id = F.Integer()
    origin = F.String()
    status = F.String()
    money_status = F.String()
    price = money_field("price_amount")
    right_type = F.String()
    parties = F.Dict()
    patents = F.List(F.Dict())
    terms = F.Dict()
    agreed_at = F.DateTime()
    contract_effective_on = F.Date(allow_none=True)
    filing_number = F.String(allow_none=True)
    filed_on = F.Date(allow_none=True)
    registered_on = F.Date(allow_none=True)
    registration_notice = F.String(allow_none=True)
    cancel_reason = F.String(allow_none=True)
    is_demo = F.Boolean()


class DealDetailSchema(DealSchema):
    contract = F.Nested(ContractSchema, allow_none=True)
    deadlines = F.Function(lambda deal: DeadlineSchema(many=True).dump(registration.deadlines(deal)))
    allowed_actions = F.Method("actions", metadata={"type": "array", "items": {"type": "string"}})
    audit_trail = F.Function(
        lambda deal: [{"seq": e.seq, "kind": e.kind, "hash": e.hash, "created_at": e.created_at.isoformat()}
                      for e in entries_for("deals", deal.id)]
    )  # fmt: skip

    def actions(self, deal: Deal) -> list[str]:
        return deal_services.allowed_deal_actions(current_user, deal)


class SignArgs(ma.Schema):
    typed_name = F.String(required=True)
    text_sha256 = F.String(required=True)


class RegistrationArgs(ma.Schema):
    """Record the filing (filing_number + filed_on) or the registration (registered_on [+ notice])."""

    filing_number = F.String(load_default=None)
    filed_on = F.String(load_default=None)
    registered_on = F.String(load_default=None)
    notice = F.String(load_default=None, allow_none=True)


class ReasonArgs(ma.Schema):
    reason = F.String(required=True)


class DraftArgs(ma.Schema):
    language = F.String(load_default="zh", validate=ma.validate.OneOf(("zh", "en")))


def _listing(listing_id: int) -> Listing:
    listing = db.session.get(Listing, listing_id)
    if listing is None or not can_view_listing(current_user, listing):
        abort(404)
    return listing


def _offer(offer_id: int) -> Offer:
    offer = db.session.get(Offer, offer_id)
    if offer is None or not offer_services.can_see_offer(current_user, offer):
        abort(404)
    return offer


def _deal(deal_id: int) -> Deal:
    deal = db.session.get(Deal, deal_id)
    if deal is None or not deal_services.can_view_deal(current_user, deal):
        abort(404)
    return deal


@blp.route("/listings/<int:listing_id>/offers")
@blp.response(200, OfferSchema(many=True))
@blp.doc(security=TOKEN)
@login_required
def list_offers(listing_id: int):
    """The seller's side and administrators see every offer; a buyer only their own negotiation."""
    return offer_services.offers_visible_to(current_user, _listing(listing_id))


@blp.route("/listings/<int:listing_id>/offers", methods=["POST"])
@login_required
@blp.arguments(OfferCreateSchema)
@blp.response(201, OfferSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(security=TOKEN)
def create_offer(args: dict, listing_id: int):
    """Make an offer (price and any negotiable term); below the seller's floor it is declined at once."""
    offer = offer_services.make_offer(
        listing=_listing(listing_id),
        buyer=current_user,
        price=str(args["price"]),
        actor=current_user,
        terms=args["terms"],
        expires_at=args["expires_at"],
        message=args["message"],
    )
    db.session.commit()
    return offer


@blp.route("/offers/<int:offer_id>/counter", methods=["POST"])
@login_required
@blp.arguments(OfferCreateSchema)
@blp.response(201, OfferSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.doc(security=TOKEN)
def counter(args: dict, offer_id: int):
    """Answer with a counter-offer; it may change the price and any negotiable term."""
    offer = offer_services.counter_offer(
        _offer(offer_id), current_user, price=str(args["price"]), terms=args["terms"],
        expires_at=args["expires_at"], message=args["message"],
    )  # fmt: skip
    db.session.commit()
    return offer


@blp.route("/offers/<int:offer_id>/accept", methods=["POST"])
@blp.response(201, DealSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def accept(offer_id: int):
    """Accept: the deal is created and competing offers close."""
    deal = offer_services.accept_offer(_offer(offer_id), current_user)
    db.session.commit()
    return deal


@blp.route("/offers/<int:offer_id>/reject", methods=["POST"])
@login_required
@blp.arguments(RejectSchema)
@blp.response(200, OfferSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.doc(security=TOKEN)
def reject(args: dict, offer_id: int):
    """The side an offer was made to rejects it, optionally with a reason."""
    offer = offer_services.reject_offer(_offer(offer_id), current_user, args["reason"])
    db.session.commit()
    return offer


@blp.route("/offers/<int:offer_id>/withdraw", methods=["POST"])
@blp.response(200, OfferSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def withdraw(offer_id: int):
    """The party who made an offer withdraws it while it awaits an answer."""
    offer = offer_services.withdraw_offer(_offer(offer_id), current_user)
    db.session.commit()
    return offer


@blp.route("/deals")
@blp.response(200, DealSchema(many=True))
@blp.doc(security=TOKEN)
@login_required
def list_deals():
    """The deals the caller acts in (every deal for administrators), newest first (at most 100)."""
    return db.session.scalars(deal_services.deals_of(current_user).limit(100)).all()


@blp.route("/deals/<int:deal_id>")
@blp.response(200, DealDetailSchema)
@blp.alt_response(404, schema=ErrorSchema, description="Not a party to this deal")
@blp.doc(security=TOKEN)
@login_required
def get_deal(deal_id: int):
    """One deal with its contract, deadlines, allowed actions and audit trail (parties only)."""
    return _deal(deal_id)


@blp.route("/deals/<int:deal_id>/contract", methods=["POST"])
@login_required
@blp.arguments(DraftArgs)
@blp.response(201, DealDetailSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.doc(security=TOKEN)
def draft(args: dict, deal_id: int):
    """Generate the contract from its template (again, in another language, until someone signs)."""
    deal = _deal(deal_id)
    deal_services.draft_contract(deal, current_user, args["language"])
    db.session.commit()
    return deal


@blp.route("/deals/<int:deal_id>/sign", methods=["POST"])
@login_required
@blp.arguments(SignArgs)
@blp.response(200, DealDetailSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(security=TOKEN)
def sign(args: dict, deal_id: int):
    """Sign by typed full name; text_sha256 must be the hash of the text the signer read."""
    deal = _deal(deal_id)
    deal_services.sign_contract(
        deal, current_user, args["typed_name"], args["text_sha256"], request.remote_addr
    )
    db.session.commit()
    return deal


@blp.route("/deals/<int:deal_id>/registration", methods=["POST"])
@login_required
@blp.arguments(RegistrationArgs)
@blp.response(200, DealDetailSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(security=TOKEN)
def record(args: dict, deal_id: int):
    """Record the transfer's filing with the patent office, then its registration.

    With filing_number and filed_on: the filing. With registered_on: the registration."""
    deal = _deal(deal_id)
    if args["registered_on"]:
        deal_services.record_registration(deal, current_user, args["registered_on"], args["notice"])
    else:
        deal_services.record_filing(deal, current_user, args["filing_number"], args["filed_on"])
    db.session.commit()
    return deal


@blp.route("/deals/<int:deal_id>/cancel", methods=["POST"])
@login_required
@blp.arguments(ReasonArgs)
@blp.response(200, DealDetailSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.doc(security=TOKEN)
def cancel(args: dict, deal_id: int):
    """Cancel with a reason (before the filing; a deal in dispute only by an administrator)."""
    deal = _deal(deal_id)
    deal_services.cancel_deal(deal, current_user, args["reason"])
    db.session.commit()
    return deal
