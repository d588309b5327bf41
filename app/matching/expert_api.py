"""API additions on /api/v1: mark a need's match (save, dismiss, clear) and a patent's experts."""

from __future__ import annotations

import marshmallow as ma
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import login_required
from app.api.schemas import ErrorSchema
from app.catalogue.models import Patent
from app.core.errors import PermissionDenied
from app.extensions import db
from app.matching import experts, marks, services
from app.matching.api import TOKEN, _need, blp
from app.matching.expert_reasons import exclusion_reason, expert_reasons

F = ma.fields


class MarkInSchema(ma.Schema):
    listing_id = F.Integer(metadata={"description": "The matched listing (or give patent_id)"})
    patent_id = F.Integer(metadata={"description": "The matched patent not yet offered"})
    mark = F.String(
        required=True,
        allow_none=True,
        validate=ma.validate.OneOf([*marks.MARKS, None]),
        metadata={"description": "saved, dismissed, or null to clear"},
    )

    @ma.validates_schema
    def one_subject(self, data: dict, **_kwargs) -> None:
        if ("listing_id" in data) == ("patent_id" in data):
            raise ma.ValidationError(_("Give either listing_id or patent_id."), "listing_id")


class MarkSchema(ma.Schema):
    need_id = F.Integer()
    listing_id = F.Integer(allow_none=True)
    patent_id = F.Integer(allow_none=True)
    mark = F.String(allow_none=True)


class ExpertMatchSchema(ma.Schema):
    expert_id = F.Integer()
    name = F.String()
    score = F.Float()
    reasons = F.List(F.Dict())


class ExcludedExpertSchema(ma.Schema):
    expert_id = F.Integer()
    name = F.String()
    reason = F.String()


class PatentExpertsSchema(ma.Schema):
    experts = F.List(F.Nested(ExpertMatchSchema))
    excluded = F.List(F.Nested(ExcludedExpertSchema))


@blp.route("/needs/<int:need_id>/matches", methods=["POST"])
@login_required  # before the body is read: an anonymous caller is sent to log in (401)
@blp.arguments(MarkInSchema)
@blp.response(200, MarkSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(security=TOKEN)
def mark_match(data: dict, need_id: int):
    """Save, dismiss or clear (mark null) one match of the caller's need."""
    need = _need(need_id)
    if not services.can_manage(current_user, need):
        raise PermissionDenied(_("Only the buyer who posted this need can change it."))
    kind = "listing" if "listing_id" in data else "patent"
    row = marks.set_mark(need, kind, data[f"{kind}_id"], data["mark"], current_user)
    db.session.commit()
    return row


def _experts_body(found: experts.Recommendations) -> dict:
    return {
        "experts": [
            {
                "expert_id": e.id,
                "name": e.display_name,
                "score": round(m.score, 4),
                "reasons": expert_reasons(m.contributions),
            }
            for e, m in found.matches
        ],
        "excluded": [
            {"expert_id": e.id, "name": e.display_name, "reason": exclusion_reason(x)}
            for e, x in found.excluded
        ],
    }


@blp.route("/needs/<int:need_id>/experts")
@blp.response(200, PatentExpertsSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def need_experts(need_id: int):
    """Experts who could advise the buyer (the need's buyer and administrators), and those excluded."""
    return _experts_body(experts.experts_for_need(_need(need_id), current_user))


@blp.route("/patents/<int:patent_id>/experts")
@blp.response(200, PatentExpertsSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def patent_experts(patent_id: int):
    """Experts to assess the patent (assessors and its owner), and those excluded for a conflict."""
    patent = db.session.get(Patent, patent_id)
    if patent is None or not patent.can_view(current_user):
        abort(404)
    return _experts_body(experts.experts_for_patent(patent, current_user))
