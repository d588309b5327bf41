"""GET /api/v1/me: who the token (or session) belongs to."""

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import login_required
from app.api.schemas import ErrorSchema

blp = Blueprint("api_me", __name__, description="The authenticated user")


class OrganisationSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    verified = ma.fields.Boolean(attribute="is_verified")


class MeSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.Email()
    display_name = ma.fields.String()
    roles = ma.fields.Method("role_names")
    organisation = ma.fields.Nested(OrganisationSchema, allow_none=True)
    verified = ma.fields.Boolean(attribute="is_verified")
    locale = ma.fields.String(allow_none=True)
    timezone = ma.fields.String()

    def role_names(self, user) -> list[str]:
        return sorted(role.value for role in user.roles)


@blp.route("/me")
@blp.response(200, MeSchema)
@blp.alt_response(401, schema=ErrorSchema, description="No valid token or session")
@blp.doc(security=[{"bearerAuth": []}])
@login_required
def me():
    """The authenticated user's account."""
    return current_user
