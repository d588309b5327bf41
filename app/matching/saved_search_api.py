"""/api/v1/saved-searches: the caller's saved catalogue searches, through the same service."""

from __future__ import annotations

import marshmallow as ma
from flask import abort
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import login_required
from app.api.schemas import ErrorSchema
from app.extensions import db
from app.matching import saved_searches as service
from app.matching.alert_models import SavedSearch

blp = Blueprint("api_saved_searches", __name__, description="Saved catalogue searches")

F = ma.fields
TOKEN = [{"bearerAuth": []}]


class SavedSearchSchema(ma.Schema):
    id = F.Integer()
    name = F.String()
    args = F.Dict(
        keys=F.String(), values=F.List(F.String()), metadata={"example": {"q": ["锂电池"], "ipc": ["H01M"]}}
    )
    notify = F.Boolean()
    created_at = F.DateTime()
    url = F.Function(service.search_path, metadata={"description": "The search page with these arguments"})


class SavedSearchInSchema(ma.Schema):
    name = F.String(required=True, metadata={"example": "Cathode patents"})
    args = F.Dict(
        keys=F.String(),
        values=F.Raw(),
        required=True,
        metadata={
            "description": "The search page's arguments: q, type, ipc, owner, listed, ...",
            "example": {"q": "锂电池"},
        },
    )


@blp.route("/saved-searches")
@blp.response(200, SavedSearchSchema(many=True))
@blp.alt_response(401, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def list_saved_searches():
    """The caller's saved searches, by name."""
    return service.searches_of(current_user)


@blp.route("/saved-searches", methods=["POST"])
@login_required  # before the body is read: an anonymous caller learns nothing about the fields
@blp.arguments(SavedSearchInSchema)
@blp.response(201, SavedSearchSchema)
@blp.alt_response(422, schema=ErrorSchema, description="Invalid fields, named in error.fields")
@blp.doc(security=TOKEN)
def create_saved_search(data: dict):
    """Save a search; the caller hears about each new record that matches it, once."""
    saved = service.save_search(current_user, data["name"], data["args"])
    db.session.commit()
    return saved


@blp.route("/saved-searches/<int:saved_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def delete_saved_search(saved_id: int):
    """Delete one of the caller's saved searches (another's answers 404)."""
    saved = db.session.get(SavedSearch, saved_id)
    if saved is None or not service.can_manage(current_user, saved):
        abort(404)
    service.delete_search(saved, current_user)
    db.session.commit()
