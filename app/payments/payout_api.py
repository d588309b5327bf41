"""/api/v1/payouts: the caller's payouts as recipient (seller, co-owner or broker), a page at a time.

The same read as the payout settings page: signed-in users see only the payouts made to them;
money travels as decimal strings with a currency.
"""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import login_required
from app.api.schemas import PageArgsSchema, envelope, money_field, page_of
from app.payments import payouts

blp = Blueprint("api_payouts", __name__, description="Payouts to sellers, co-owners and brokers")
F = ma.fields


class PayoutSchema(ma.Schema):
    id = F.Integer()
    deal_id = F.Integer()
    reference = F.String()
    role = F.String(metadata={"description": "seller | co_owner | broker"})
    status = F.String(
        metadata={"description": "pending | waiting_for_onboarding | in_transit | paid | failed | reversed"}
    )
    amount = money_field("amount")
    reversed = money_field("reversed_amount")
    transfer_group = F.String()
    created_at = F.DateTime()


@blp.route("/payouts")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, envelope(PayoutSchema))
@blp.doc(security=[{"bearerAuth": []}])
@login_required
def list_payouts(args: dict):
    """The caller's payouts, newest first."""
    return page_of(payouts.payouts_for(current_user), args["page"], args["per_page"])
