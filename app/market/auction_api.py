"""/api/v1/auctions: list, detail, bid, bid history; a thin layer over the auction services.

Visibility is decided in auction_display, so the API shows exactly what the pages show. Money is
a decimal string with its currency. A bid answers 201, 409 (not open), 422 (amount; with
``next_minimum``), 403 (not qualified; with the reason and what to do) or 401.
"""

from __future__ import annotations

import marshmallow as ma
from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from app.accounts.permissions import is_admin, login_required
from app.api.schemas import ErrorSchema, PageArgsSchema, envelope, page_of
from app.catalogue.validation import ValidationFailed
from app.core.errors import NotFound
from app.core.money import MoneyError, parse_money
from app.extensions import db
from app.market import auction_display as display
from app.market import auction_engine as engine
from app.market import auction_states as states
from app.market.auction_jobs import enqueue_close_if_due
from app.market.auction_models import Auction, AuctionBidRequest
from app.market.auction_routes import bid_or_close, viewable_auction
from app.market.auction_services import (
    MAX_SOFT_CLOSE_MINUTES,
    AuctionSettings,
    BidRequestKey,
    BidResult,
    configure_auction,
)
from app.market.listing_models import Listing
from app.market.listing_services import can_manage
from app.market.listing_states import PUBLIC_STATUSES
from app.market.qualification import QUALIFIED

# What a bid and its answer read of the listing: who may see it, whether it is published, the title.
ANSWER_LISTING_COLUMNS = (
    Listing.status,
    Listing.seller_id,
    Listing.organisation_id,
    Listing.title_zh,
    Listing.title_en,
)

# @login_required sits right under @blp.route: who may call is decided before the body is read
# (an anonymous caller gets 401, never a 422 about fields).
blp = Blueprint("api_auctions", __name__, description="Auctions: English (proxy bids) and sealed-bid")

F = ma.fields
TOKEN = [{"bearerAuth": []}]
MAX_KEY_LENGTH = 100
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "description": "A retry with the same key and amount returns the first answer and records no second bid",
}


class MoneySchema(ma.Schema):
    amount = F.String(metadata={"example": "125000.00"})
    currency = F.String(metadata={"example": "CNY"})


def _money(attribute: str):
    return F.Function(lambda s: display.money_json(getattr(s, attribute)), metadata={"type": "object"})


class AuctionSchema(ma.Schema):
    id = F.Function(lambda s: s.auction.id)
    listing_id = F.Function(lambda s: s.auction.listing_id)
    title = F.Function(lambda s: s.auction.listing.title)
    kind = F.Function(lambda s: s.auction.kind, metadata={"enum": ["english", "sealed"]})
    status = F.Function(lambda s: s.auction.status, metadata={"enum": list(states.STATUSES)})
    status_label = F.String()
    currency = F.Function(lambda s: s.auction.currency)
    start_price = F.Function(lambda s: display.money_json(s.auction.money(s.auction.start_price)))
    current_price = _money("price")
    increment = _money("increment")
    next_minimum = _money("next_minimum")
    bid_count = F.Integer(
        allow_none=True, metadata={"description": "Hidden (null) for sealed bids until the close"}
    )
    bidder_count = F.Integer(allow_none=True)
    position = F.String(allow_none=True, metadata={"enum": ["leading", "outbid", None]})
    my_amount = _money("my_amount")
    reserve_met = F.Boolean(
        allow_none=True, metadata={"description": "Null unless disclosed, ended, or you sell"}
    )
    has_reserve = F.Boolean()
    starts_at = F.Function(lambda s: s.auction.starts_at.isoformat())
    ends_at = F.Function(lambda s: s.auction.ends_at.isoformat())
    hard_end_at = F.Function(lambda s: s.auction.hard_end_at.isoformat())
    accepting_bids = F.Boolean()
    can_bid = F.Boolean()
    refusal = F.String(metadata={"description": "Why you may not bid, and what to do"})
    refusal_link = F.String(metadata={"description": "Where to do it (e.g. pay the deposit), or empty"})
    winner = F.String(attribute="winner_label", allow_none=True)


class AuctionArgsSchema(PageArgsSchema):
    status = F.String(validate=ma.validate.OneOf(states.STATUSES))
    ending_before = F.AwareDateTime(default_timezone=None, metadata={"example": "2026-12-01T12:00:00+00:00"})


class BidInSchema(ma.Schema):
    amount = F.String(
        required=True, metadata={"example": "125000.00", "description": "English: your maximum"}
    )


class BidSchema(ma.Schema):
    seq = F.Integer()
    bidder = F.String(metadata={"description": "An alias (Bidder A, ...) or “you”"})
    placed_at = F.DateTime()
    price_after = F.Function(lambda row: display.money_json(row.price_after))
    leader_after = F.String(allow_none=True)
    amount = F.Function(lambda row: display.money_json(row.amount))
    retracted = F.Boolean()


class AuctionInSchema(ma.Schema):
    start_price = F.String(required=True, metadata={"example": "100000.00"})
    reserve = F.String(load_default=None, allow_none=True, metadata={"example": "150000.00"})
    reserve_disclosed = F.Boolean(load_default=False)
    starts_at = F.AwareDateTime(required=True, default_timezone=None)
    ends_at = F.AwareDateTime(required=True, default_timezone=None)
    hard_end_at = F.AwareDateTime(load_default=None, allow_none=True, default_timezone=None)
    soft_close_minutes = F.Integer(
        load_default=5, validate=ma.validate.Range(min=0, max=MAX_SOFT_CLOSE_MINUTES)
    )
    deposit = F.String(load_default=None, allow_none=True, metadata={"example": "5000.00",
                       "description": "Required of bidders before bidding, below the start price"})  # fmt: skip
    payment_days = F.Integer(load_default=None, allow_none=True,
                             metadata={"description": "Days the winner has to pay, or forfeits the deposit"})  # fmt: skip
    increments = F.List(
        F.List(F.String(), validate=ma.validate.Length(equal=2)),
        load_default=None,
        metadata={"description": "[[band lower, step], ...] from 0 upwards; the default table when omitted"},
    )


class BidResultSchema(ma.Schema):
    bid = F.Nested(BidSchema)
    auction = F.Nested(AuctionSchema)
    extended = F.Boolean()


@blp.route("/auctions")
@blp.arguments(AuctionArgsSchema, location="query")
@blp.response(200, envelope(AuctionSchema))
def list_auctions(args: dict):
    """Auctions of public listings, ending soonest first (filter by status or end time)."""
    query = (
        select(Auction).join(Listing, Listing.id == Auction.listing_id).order_by(Auction.ends_at, Auction.id)
    )
    if not is_admin(current_user):
        query = query.where(Listing.status.in_(PUBLIC_STATUSES))
    if args.get("status"):
        query = query.where(Auction.status == args["status"])
    if args.get("ending_before"):
        query = query.where(Auction.ends_at < args["ending_before"])
    page = page_of(query, args["page"], args["per_page"])
    page["items"] = [display.summary(auction, current_user) for auction in page["items"]]
    return page


@blp.route("/auctions/<int:auction_id>")
@blp.response(200, AuctionSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_auction(auction_id: int):
    """One auction: price, next minimum bid, bids and bidders, and the caller's position."""
    auction = viewable_auction(auction_id)
    enqueue_close_if_due(auction)
    return display.summary(auction, current_user)


@blp.route("/auctions/<int:auction_id>/bids")
@blp.response(200, BidSchema(many=True))
@blp.alt_response(404, schema=ErrorSchema)
def list_bids(auction_id: int):
    """The bid history as the caller may see it (aliases; sealed bids hidden until the close)."""
    return display.history(viewable_auction(auction_id), current_user)


@blp.route("/auctions/<int:auction_id>/bids", methods=["POST"])
@login_required
@blp.arguments(BidInSchema)
@blp.response(201, BidResultSchema)
@blp.alt_response(
    403, schema=ErrorSchema, description="You may not bid: error.reason and error.remedy say why"
)
@blp.alt_response(409, schema=ErrorSchema, description="The auction is not open for bids")
@blp.alt_response(422, schema=ErrorSchema, description="Amount refused; error.next_minimum is the lowest bid")
@blp.doc(security=TOKEN, parameters=[IDEMPOTENCY_KEY])
def post_bid(data: dict, auction_id: int):
    """Place a bid: for an English auction the amount is the bidder's maximum (proxy bid).

    With an ``Idempotency-Key`` header a retry returns the first answer and records nothing new;
    the same key with another amount is refused (422, reason ``idempotency_key_reused``)."""
    auction = viewable_auction(auction_id, *ANSWER_LISTING_COLUMNS)
    try:
        amount = parse_money(data["amount"], auction.currency)
    except MoneyError as error:
        raise ValidationFailed({"amount": error.message}) from None
    if amount.amount <= 0:
        raise ValidationFailed({"amount": _("Enter a positive amount.")})
    key = _idempotency_key(auction, amount)
    answer: dict = {}

    def keep_answer(result: BidResult) -> None:  # in the bid's transaction, stored with the key
        answer.update(BidResultSchema().dump(_bid_answer(result)))
        stored = db.session.scalar(
            select(AuctionBidRequest).where(
                AuctionBidRequest.user_id == current_user.id, AuctionBidRequest.key == key.key
            )
        )
        stored.response = answer

    # Without a key the answer is rendered after the commit, outside the auction's lock.
    result = bid_or_close(auction, amount, key, keep_answer if key is not None else None)
    if result.replayed is not None:
        response = jsonify(result.replayed.response)
        response.headers["Idempotent-Replayed"] = "true"
    else:
        response = jsonify(answer or BidResultSchema().dump(_bid_answer(result)))
    response.status_code = 201
    return response


def _bid_answer(result: BidResult) -> dict:
    row = display.history_row(result.auction, result.bid, current_user, display.aliases(result.auction))
    summary = display.summary(result.auction, current_user, verdict=QUALIFIED)
    return {"bid": row, "auction": summary, "extended": result.extended}


def _idempotency_key(auction: Auction, amount) -> BidRequestKey | None:
    header = request.headers.get("Idempotency-Key")
    if header is None:
        return None
    header = header.strip()
    if not 1 <= len(header) <= MAX_KEY_LENGTH or not header.isascii() or not header.isprintable():
        raise ValidationFailed(
            {"Idempotency-Key": _("Send a key of 1 to 100 printable ASCII characters, e.g. a UUID.")}
        )
    return BidRequestKey.of("api", header, auction.id, f"{amount.amount:.2f} {amount.currency}")


def _settings(listing: Listing, data: dict) -> AuctionSettings:
    errors: dict[str, str] = {}
    amounts = {}
    for name in ("start_price", "reserve"):
        if data.get(name) is None:
            continue
        try:
            amounts[name] = parse_money(data[name], listing.currency)
        except MoneyError as error:
            errors[name] = error.message
    try:
        table = (
            engine.IncrementTable.from_json(data["increments"])
            if data["increments"]
            else engine.DEFAULT_INCREMENTS
        )
    except (ValueError, ArithmeticError):
        errors["increments"] = _("Bands go from 0 upwards, each with a positive step in whole cents.")
    if errors:
        raise ValidationFailed(errors)
    return AuctionSettings(
        kind=listing.price_mechanism.removesuffix("_auction"),
        start_price=amounts["start_price"],
        reserve=amounts.get("reserve"),
        reserve_disclosed=data["reserve_disclosed"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        hard_end_at=data["hard_end_at"],
        soft_close_minutes=data["soft_close_minutes"],
        increments=table,
    )


@blp.route("/listings/<int:listing_id>/auction", methods=["PUT"])
@login_required
@blp.arguments(AuctionInSchema)
@blp.response(200, AuctionSchema)
@blp.alt_response(409, schema=ErrorSchema, description="The auction has started: settings are fixed")
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(security=TOKEN)
def put_auction(data: dict, listing_id: int):
    """Set up (or, before the first bid, change) the auction of an auction-priced listing."""
    listing = db.session.get(Listing, listing_id)
    if listing is None or not can_manage(current_user, listing):
        raise NotFound(_("There is no such listing."))
    if not listing.is_auction:
        raise ValidationFailed(
            {"price_mechanism": _("Choose an auction as the listing's price mechanism first.")}
        )
    auction = configure_auction(listing, current_user, _settings(listing, data))
    from app.payments import deposits  # the deposit belongs to payments, set in the same transaction

    amount = deposits.read_amount(data["deposit"], auction.currency)
    deposits.set_terms(auction, current_user, amount, data["payment_days"])
    db.session.commit()
    return display.summary(auction, current_user)
