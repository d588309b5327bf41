"""/api/v1 payments: a deal's payments, starting (and confirming) one, and fee quotes.

The same services and permissions as the pages: only the deal's parties and administrators see
its payments, only the buyer starts one; money travels as decimal strings with a currency.
"""

from __future__ import annotations

import marshmallow as ma
from flask import abort
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import login_required
from app.api.schemas import ErrorSchema, money_field
from app.extensions import db
from app.market import deal_services
from app.market.deal_models import Deal
from app.market.listing_models import Listing
from app.market.listing_services import can_view_listing
from app.payments import fee_schedule, services
from app.payments.models import Payment

blp = Blueprint("api_payments", __name__, description="Deal payments and fee quotes")
F = ma.fields
TOKEN = [{"bearerAuth": []}]


class PaymentSchema(ma.Schema):
    id = F.Integer()
    deal_id = F.Integer()
    provider = F.String()
    status = F.String()
    reference = F.String()
    amount = money_field("amount")
    fee = money_field("fee_amount")
    refunded = money_field("refunded_amount")
    fee_schedule_version = F.Integer(attribute="fee_version")
    created_at = F.DateTime()


class StartSchema(ma.Schema):
    payment_method = F.String(load_default=None, metadata={"description": "a card payment method id"})


class StartedSchema(ma.Schema):
    payment = F.Nested(PaymentSchema)
    client = F.Dict(metadata={"description": "bank-transfer instructions or the card's next step"})


class QuoteArgs(ma.Schema):
    listing = F.Integer(required=True)
    price = F.String(load_default=None, metadata={"description": "a price to quote instead of the ask"})


def _deal(deal_id: int) -> Deal:
    deal = db.session.get(Deal, deal_id)
    if deal is None or not deal_services.can_view_deal(current_user, deal):
        abort(404)
    return deal


@blp.route("/deals/<int:deal_id>/payments")
@blp.response(200, PaymentSchema(many=True))
@blp.doc(security=TOKEN)
@login_required
def list_payments(deal_id: int) -> list[Payment]:
    """The deal's payments of its price, oldest first (royalty invoices are paid separately)."""
    return services.payments_of(_deal(deal_id))


@blp.route("/deals/<int:deal_id>/payments", methods=["POST"])
@blp.arguments(StartSchema)
@blp.response(201, StartedSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def start_payment(args: dict, deal_id: int) -> dict:
    """Start (or resume) the buyer's payment; with a payment method, confirm it server-side."""
    payment, step = services.start_payment(_deal(deal_id), current_user)
    if args["payment_method"] and payment.provider == "stripe":
        step = services.confirm_payment(payment, current_user, args["payment_method"])
    db.session.commit()
    return {"payment": payment, "client": step.client}


@blp.route("/fees/quote")
@blp.arguments(QuoteArgs, location="query")
@blp.response(200)
@blp.doc(security=TOKEN)
def fee_quote(args: dict) -> dict:
    """The platform fee and the seller's share at the listing's asking price (or a given price)."""
    listing = db.session.get(Listing, args["listing"])
    if listing is None or not can_view_listing(current_user, listing):
        abort(404)
    return fee_schedule.quote_listing(listing, args["price"]).to_json()
