"""/api/v1/listings: the same services and permissions as the pages.

Money travels as decimal strings with a currency. A refused transition answers 409 with the
current status and the allowed actions; a bad field answers 422 naming it.
"""

from __future__ import annotations

import marshmallow as ma
from flask import abort, request
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from app.accounts.permissions import login_required
from app.api.schemas import ErrorSchema, PageArgsSchema, envelope, money_field, page_of
from app.extensions import db
from app.market import dataroom, listing_services, listing_valuation
from app.market import listing_states as states
from app.market.listing_models import PRICE_MECHANISMS, RIGHT_TYPES, Listing
from app.market.open_licence import accept_open_licence

# @login_required sits right under @blp.route: who may call is decided before the body is read
# (an anonymous caller gets 401, never a 422 about fields).
blp = Blueprint("api_listings", __name__, description="Market listings: rights packages for sale or licence")

F = ma.fields
TOKEN = [{"bearerAuth": []}]


class ValuationSchema(ma.Schema):
    p10 = F.Decimal(as_string=True, attribute="low")
    p50 = F.Decimal(as_string=True, attribute="mid")
    p90 = F.Decimal(as_string=True, attribute="high")
    currency = F.String()
    placement = F.String(
        allow_none=True, metadata={"description": "The ask against the range: below, within, above"}
    )
    model_versions = F.String()
    valued_at = F.DateTime()


class ListingSchema(ma.Schema):
    id = F.Integer()
    status = F.String()
    right_type = F.String()
    price_mechanism = F.String()
    ask = money_field("ask_amount")
    minimum_annual_royalty = money_field("minimum_annual_royalty")
    royalty_rate = F.Decimal(as_string=True, allow_none=True)
    milestones = F.List(F.Dict())
    field_of_use = F.String(allow_none=True)
    territory = F.String(allow_none=True)
    term_months = F.Integer(allow_none=True)
    sublicensing = F.Boolean()
    title_zh = F.String(allow_none=True)
    title_en = F.String(allow_none=True)
    summary_zh = F.String(allow_none=True)
    summary_en = F.String(allow_none=True)
    buyer_gets_zh = F.String(allow_none=True)
    buyer_gets_en = F.String(allow_none=True)
    contact_rule = F.String()
    patent_ids = F.Function(lambda listing: [link.patent_id for link in listing.patent_links])
    project_id = F.Integer(allow_none=True)
    seller_id = F.Integer()
    organisation_id = F.Integer(allow_none=True)
    seller_verified = F.Function(
        lambda listing: bool(listing.organisation and listing.organisation.is_verified)
    )
    ends_at = F.DateTime(allow_none=True)
    published_at = F.DateTime(allow_none=True)
    allowed_actions = F.Function(lambda listing: states.LISTING_LIFECYCLE.allowed_actions(listing.status))


class ListingDetailSchema(ListingSchema):
    diligence = F.Function(
        lambda listing: [
            {"code": f.code, "level": f.level, "message": f.message, "patent_id": f.patent_id}
            for f in listing_services.diligence_for(listing)
        ]
    )
    valuation = F.Function(
        lambda listing: (
            ValuationSchema().dump(value) if (value := listing_valuation.listing_value(listing)) else None
        )
    )
    documents = F.Function(
        lambda listing: [
            {"id": d.id, "title": d.title, "confidential": d.confidential, "media_type": d.media_type}
            for d in dataroom.visible_documents(listing, current_user)
        ]
    )
    floor = F.Function(
        lambda listing: (
            {"amount": f"{listing.floor_amount:.2f}", "currency": listing.currency}
            if listing.floor_amount is not None and listing_services.can_manage(current_user, listing)
            else None
        ),
        metadata={"description": "Only for the seller's side and administrators"},
    )


class ListingInSchema(ma.Schema):
    patent_ids = F.List(F.Integer(), metadata={"description": "One patent, or several for a bundle"})
    project_id = F.Integer(allow_none=True)
    right_type = F.String(validate=ma.validate.OneOf(RIGHT_TYPES))
    price_mechanism = F.String(validate=ma.validate.OneOf(PRICE_MECHANISMS))
    currency = F.String(metadata={"example": "CNY"})
    ask_amount = F.String(allow_none=True, metadata={"description": "Decimal string, e.g. 500000.00 or 50万"})
    floor_amount = F.String(allow_none=True)
    royalty_rate = F.String(allow_none=True, metadata={"description": "Percent of net sales, e.g. 3.5"})
    minimum_annual_royalty = F.String(allow_none=True)
    milestones = F.List(
        F.Dict(), metadata={"description": '[{"label": "first sale", "amount": "200000.00"}]'}
    )
    field_of_use = F.String(allow_none=True)
    territory = F.String(allow_none=True)
    term_months = F.Integer(allow_none=True)
    sublicensing = F.Boolean()
    title_zh = F.String(allow_none=True)
    title_en = F.String(allow_none=True)
    summary_zh = F.String(allow_none=True)
    summary_en = F.String(allow_none=True)
    buyer_gets_zh = F.String(allow_none=True)
    buyer_gets_en = F.String(allow_none=True)
    contact_rule = F.String()
    contact_details = F.String(allow_none=True)
    nda_text = F.String(allow_none=True)
    pledgee_consent = F.Boolean()
    co_owner_consent = F.Boolean()
    ends_at = F.Date(allow_none=True)


class ListingArgsSchema(PageArgsSchema):
    right_type = F.String(validate=ma.validate.OneOf(RIGHT_TYPES))
    price_mechanism = F.String(validate=ma.validate.OneOf(PRICE_MECHANISMS))
    mine = F.Boolean(metadata={"description": "The caller's own listings in every status"})


class AcceptanceSchema(ma.Schema):
    id = F.Integer()
    certificate_number = F.String()
    listing_id = F.Integer()
    licensee_name = F.String()
    licence_ids = F.List(F.Integer())
    deal_id = F.Integer(allow_none=True)
    accepted_at = F.DateTime()


def _listing(listing_id: int) -> Listing:
    listing = db.session.get(Listing, listing_id)
    if listing is None or not listing_services.can_view_listing(current_user, listing):
        abort(404)
    return listing


@blp.route("/listings")
@blp.arguments(ListingArgsSchema, location="query")
@blp.response(200, envelope(ListingSchema))
def list_listings(args: dict):
    """Published listings, newest first; ``mine=true`` for the caller's own in any status."""
    query = select(Listing)
    if args.get("mine") and current_user.is_authenticated:
        query = query.where(Listing.seller_id == current_user.id)
    else:
        query = query.where(Listing.status == states.PUBLISHED)
    for name in ("right_type", "price_mechanism"):
        if args.get(name):
            query = query.where(getattr(Listing, name) == args[name])
    return page_of(query.order_by(Listing.id.desc()), args["page"], args["per_page"])


@blp.route("/listings", methods=["POST"])
@login_required
@blp.arguments(ListingInSchema)
@blp.response(201, ListingDetailSchema)
@blp.alt_response(422, schema=ErrorSchema, description="Invalid fields, named in error.fields")
@blp.doc(security=TOKEN)
def create_listing(data: dict):
    """A draft listing of the caller's patents (or project)."""
    listing = listing_services.create_listing(current_user, data)
    db.session.commit()
    return listing


@blp.route("/listings/<int:listing_id>")
@blp.response(200, ListingDetailSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_listing(listing_id: int):
    """One listing with its due-diligence findings and valuation range."""
    return _listing(listing_id)


@blp.route("/listings/<int:listing_id>", methods=["PATCH"])
@login_required
@blp.arguments(ListingInSchema(partial=True))
@blp.response(200, ListingDetailSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(security=TOKEN)
def update_listing(data: dict, listing_id: int):
    """Change text and terms while the listing is a draft, returned or published."""
    listing = _listing(listing_id)
    listing_services.update_listing(listing, current_user, data)
    db.session.commit()
    return listing


def _verb(listing_id: int, service):
    listing = _listing(listing_id)
    service(listing, current_user)
    db.session.commit()
    return listing


@blp.route("/listings/<int:listing_id>/submit", methods=["POST"])
@blp.response(200, ListingDetailSchema)
@blp.alt_response(409, schema=ErrorSchema, description="Current status and allowed actions, or what to fix")
@blp.doc(security=TOKEN)
@login_required
def submit_listing(listing_id: int):
    """Send the listing to moderation (published at once under the verified-seller policy)."""
    return _verb(listing_id, listing_services.submit_listing)


@blp.route("/listings/<int:listing_id>/withdraw", methods=["POST"])
@blp.response(200, ListingDetailSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def withdraw_listing(listing_id: int):
    """Take the listing off the market."""
    return _verb(listing_id, listing_services.withdraw_listing)


@blp.route("/listings/<int:listing_id>/nda", methods=["POST"])
@blp.response(200, ListingDetailSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def accept_nda(listing_id: int):
    """Accept the listing's NDA; the confidential documents are listed in the answer."""
    listing = _listing(listing_id)
    dataroom.accept_nda(listing, current_user, request.remote_addr, request.headers.get("User-Agent"))
    db.session.commit()
    return listing


@blp.route("/listings/<int:listing_id>/buy", methods=["POST"])
@blp.response(
    201, ma.Schema.from_dict({"deal_id": F.Integer(), "listing_id": F.Integer()}, name="BuyResultSchema")
)
@blp.alt_response(409, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def buy_listing(listing_id: int):
    """Buy a fixed-price listing at its asking terms: a deal is created."""
    listing = _listing(listing_id)
    deal = listing_services.buy_now(listing, current_user)
    db.session.commit()
    return {"deal_id": deal.id, "listing_id": listing.id}


@blp.route("/listings/<int:listing_id>/open-licence/accept", methods=["POST"])
@blp.response(201, AcceptanceSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def accept_licence(listing_id: int):
    """Take the open licence on its published terms, in one step."""
    listing = _listing(listing_id)
    acceptance = accept_open_licence(listing, current_user)
    db.session.commit()
    return acceptance
