"""/api/v1/needs and /api/v1/listings/<id>/needs: the same services and visibility as the pages.

A need the caller may not see answers 404, exactly like one that does not exist, so private
needs never leak their existence. Money travels as decimal strings with a currency.
"""

from __future__ import annotations

import marshmallow as ma
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import login_required
from app.api.schemas import ErrorSchema, PageArgsSchema, envelope, money_field, page_of
from app.core.errors import PermissionDenied
from app.extensions import db
from app.market.listing_models import Listing
from app.market.listing_services import can_view_listing
from app.matching import services, states
from app.matching.models import Need
from app.matching.reasons import explained

blp = Blueprint("api_needs", __name__, description="Technology needs and their matches")

F = ma.fields
TOKEN = [{"bearerAuth": []}]


class NeedSchema(ma.Schema):
    id = F.Integer()
    status = F.String()
    buyer_id = F.Integer()
    title_zh = F.String(allow_none=True)
    title_en = F.String(allow_none=True)
    description_zh = F.String(allow_none=True)
    description_en = F.String(allow_none=True)
    codes = F.List(F.String())
    rights = F.List(F.String())
    territory = F.String(allow_none=True)
    region = F.String(allow_none=True)
    budget_min = money_field("budget_min")
    budget_max = money_field("budget_max")
    deadline = F.Date(allow_none=True)
    is_private = F.Boolean()
    alert_min_score = F.Integer(metadata={"description": "Alert from this match score (percent)"})
    alert_frequency = F.String(metadata={"description": "immediate, weekly (one digest) or off"})
    created_at = F.DateTime()
    allowed_actions = F.Function(lambda need: states.NEED_LIFECYCLE.allowed_actions(need.status))


class NeedInSchema(ma.Schema):
    title_zh = F.String(allow_none=True)
    title_en = F.String(allow_none=True)
    description_zh = F.String(allow_none=True)
    description_en = F.String(allow_none=True)
    codes = F.List(F.String(), metadata={"example": ["H01M 10/0525"]})
    rights = F.List(F.String(), metadata={"example": ["exclusive_licence"]})
    territory = F.String(allow_none=True)
    region = F.String(allow_none=True)
    currency = F.String(metadata={"example": "CNY"})
    budget_min = F.String(allow_none=True, metadata={"description": "Decimal string or 50万"})
    budget_max = F.String(allow_none=True)
    deadline = F.String(allow_none=True, metadata={"example": "2027-06-30"})
    is_private = F.Boolean()
    alert_min_score = F.Raw(allow_none=True, metadata={"description": "1-100 (percent); default 50"})
    alert_frequency = F.String(metadata={"description": "immediate (default), weekly or off"})
    action = F.String(
        validate=ma.validate.OneOf(states.BUYER_ACTIONS),
        metadata={"description": "PATCH only: a lifecycle action (publish, close, ...)"},
    )


class NeedArgsSchema(PageArgsSchema):
    mine = F.Boolean(metadata={"description": "The caller's own needs in every status"})
    q = F.String(metadata={"description": "Words in the title or description"})


class MatchSchema(ma.Schema):
    score = F.Float()
    reasons = F.List(F.Dict())


class ListingMatchSchema(MatchSchema):
    kind = F.String(metadata={"description": "listing, or patent (a catalogue patent not yet offered)"})
    listing_id = F.Integer(allow_none=True)
    patent_id = F.Integer(allow_none=True)
    offered = F.Boolean(metadata={"description": "False for a patent nobody lists yet: ask its owner"})
    mark = F.String(allow_none=True, metadata={"description": "The buyer's mark: saved, dismissed or null"})


class MatchArgsSchema(ma.Schema):
    dismissed = F.Boolean(load_default=False, metadata={"description": "Include dismissed matches"})


class NeedMatchSchema(MatchSchema):
    need = F.Nested(NeedSchema)


def _need(need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None or not services.can_view(current_user, need):
        abort(404)
    return need


@blp.route("/needs")
@blp.arguments(NeedArgsSchema, location="query")
@blp.response(200, envelope(NeedSchema))
def list_needs(args: dict):
    """Needs the caller may see, newest first (open ones unless ``mine=true``)."""
    query = services.board_query(current_user, args.get("q"), mine=bool(args.get("mine")))
    return page_of(query, args["page"], args["per_page"])


@blp.route("/needs", methods=["POST"])
@blp.arguments(NeedInSchema)
@blp.response(201, NeedSchema)
@blp.alt_response(422, schema=ErrorSchema, description="Invalid fields, named in error.fields")
@blp.doc(security=TOKEN)
@login_required
def create_need(data: dict):
    """A draft need of the caller; PATCH with ``action=publish`` puts it on the board."""
    data.pop("action", None)
    need = services.create_need(current_user, data)
    db.session.commit()
    return need


@blp.route("/needs/<int:need_id>")
@blp.response(200, NeedSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_need(need_id: int):
    """One need."""
    return _need(need_id)


@blp.route("/needs/<int:need_id>", methods=["PATCH"])
@blp.arguments(NeedInSchema(partial=True))
@blp.response(200, NeedSchema)
@blp.alt_response(409, schema=ErrorSchema, description="Current status and allowed actions")
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def update_need(data: dict, need_id: int):
    """Change fields and/or move the need through its lifecycle."""
    need = _need(need_id)
    if not services.can_manage(current_user, need):  # also when the body changes nothing
        raise PermissionDenied(_("Only the buyer who posted this need can change it."))
    action = data.pop("action", None)
    if data:
        services.update_need(need, current_user, data)
    if action:
        services.transition(need, action, current_user)
    db.session.commit()
    return need


@blp.route("/needs/<int:need_id>/matches")
@blp.arguments(MatchArgsSchema, location="query")
@blp.response(200, ListingMatchSchema(many=True))
@blp.alt_response(404, schema=ErrorSchema)
def need_matches(args: dict, need_id: int):
    """Listings and not-yet-offered patents best first (saved first, dismissed hidden unless asked
    for), with per-factor reasons that add up to the score."""
    from app.matching.marks import need_matches as rows_for

    need = _need(need_id)
    return [
        {
            "kind": row.kind,
            "listing_id": row.listing.id if row.listing else None,
            "patent_id": row.patent.id if row.patent else None,
            "offered": row.kind == "listing",
            "mark": row.mark,
            "score": round(row.match.score, 4),
            "reasons": explained(row.match.contributions, need.currency),
        }
        for row in rows_for(need, current_user, show_dismissed=args["dismissed"])
    ]


@blp.route("/listings/<int:listing_id>/needs")
@blp.response(200, NeedMatchSchema(many=True))
@blp.alt_response(404, schema=ErrorSchema)
def listing_needs(listing_id: int):
    """Open needs this listing answers (only the needs the caller may see)."""
    listing = db.session.get(Listing, listing_id)
    if listing is None or not can_view_listing(current_user, listing):
        abort(404)
    return [
        {"need": need, "score": round(m.score, 4), "reasons": explained(m.contributions, need.currency)}
        for need, m in services.needs_for_listing(listing, current_user)
    ]


from app.matching import expert_api  # noqa: E402,F401  (more routes on this blueprint)
