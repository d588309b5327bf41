"""/api/v1 auction deposits: what an auction requires and the caller's deposit; starting one.

The same services and permissions as the pages: any signed-in user who may see the auction reads
the requirement; only a bidder's own deposit is shown to them; money as decimal strings.
"""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import login_required
from app.api.schemas import ErrorSchema, money_field
from app.core.errors import NotFound
from app.extensions import db
from app.market.auction_models import Auction
from app.market.listing_services import can_view_listing
from app.payments import deposit_states as ds
from app.payments import deposits

blp = Blueprint("api_deposits", __name__, description="Auction deposits")
F = ma.fields
TOKEN = [{"bearerAuth": []}]


class DepositSchema(ma.Schema):
    id = F.Integer()
    auction_id = F.Integer()
    provider = F.String()
    status = F.String(metadata={"enum": list(ds.STATUSES)})
    reference = F.String()
    amount = money_field("amount")
    capture_method = F.String(allow_none=True, metadata={"description": "manual: a card hold"})


class DepositRequirementSchema(ma.Schema):
    required = F.Dict(allow_none=True, metadata={"description": "The deposit required, or null"})
    payment_days = F.Integer(allow_none=True)
    deposit = F.Nested(DepositSchema, allow_none=True)
    client = F.Dict(allow_none=True, metadata={"description": "Bank-transfer instructions, while open"})


class DepositStartSchema(ma.Schema):
    payment_method = F.String(load_default=None, metadata={"description": "a card payment method id"})


def _auction(auction_id: int) -> Auction:
    auction = db.session.get(Auction, auction_id)
    if auction is None or not can_view_listing(current_user, auction.listing):
        raise NotFound(_("There is no such auction."))
    return auction


def _view(auction: Auction) -> dict:
    terms = deposits.terms_for(auction)
    deposit = deposits.deposit_of(auction, current_user)
    is_open = deposit is not None and deposit.status in ds.OPEN and deposit.provider == "offline"
    return {
        "required": terms.money.to_json() if terms else None,
        "payment_days": terms.payment_days if terms else None,
        "deposit": deposit,
        "client": deposits.instructions(deposit) if is_open else None,
    }


@blp.route("/auctions/<int:auction_id>/deposit")
@login_required
@blp.response(200, DepositRequirementSchema)
@blp.doc(security=TOKEN)
def get_deposit(auction_id: int) -> dict:
    """The deposit an auction requires of the caller, and the caller's deposit if one was started."""
    return _view(_auction(auction_id))


@blp.route("/auctions/<int:auction_id>/deposit", methods=["POST"])
@login_required
@blp.arguments(DepositStartSchema)
@blp.response(201, DepositRequirementSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(409, schema=ErrorSchema)
@blp.doc(security=TOKEN)
def start_deposit(args: dict, auction_id: int) -> dict:
    """Start (or resume) the caller's deposit; with a card payment method, confirm it server-side."""
    auction = _auction(auction_id)
    deposit = deposits.start_deposit(auction, current_user)
    if args["payment_method"] and deposit.provider == "stripe":
        deposits.confirm_deposit(deposit, current_user, args["payment_method"])
    db.session.commit()
    return _view(auction)
