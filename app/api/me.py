"""/api/v1/me: the account behind the token (or session), and its editable preferences."""

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint

from app.accounts.permissions import login_required
from app.accounts.services import update_profile
from app.api.schemas import ErrorSchema
from app.extensions import db

blp = Blueprint("api_me", __name__, description="The authenticated user")

LANGUAGES = ("zh", "en")


class OrganisationSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    verified = ma.fields.Boolean(attribute="is_verified")


class MeSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.Email()
    display_name = ma.fields.String()
    roles = ma.fields.Method("role_names", metadata={"type": "array", "items": {"type": "string"}})
    organisation = ma.fields.Nested(OrganisationSchema, allow_none=True)
    verified = ma.fields.Boolean(attribute="is_verified")
    email_verified = ma.fields.Boolean(attribute="is_email_verified")
    locale = ma.fields.String(allow_none=True)
    timezone = ma.fields.String()

    def role_names(self, user) -> list[str]:
        return sorted(role.value for role in user.roles)


class MeUpdateSchema(ma.Schema):
    display_name = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    locale = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(LANGUAGES))
    timezone = ma.fields.String(validate=ma.validate.Length(min=1, max=64))


@blp.route("/me")
@blp.response(200, MeSchema)
@blp.alt_response(401, schema=ErrorSchema, description="No valid token or session")
@blp.doc(security=[{"bearerAuth": []}])
@login_required
def me():
    """The authenticated user's account."""
    return current_user


@blp.route("/me", methods=["PATCH"])
@blp.arguments(MeUpdateSchema)
@blp.response(200, MeSchema)
@blp.alt_response(401, schema=ErrorSchema, description="No valid token or session")
@blp.alt_response(422, schema=ErrorSchema, description="A field is not valid, e.g. an unknown time zone")
@blp.doc(security=[{"bearerAuth": []}])
@login_required
def update_me(changes: dict):
    """Change the display name, language or time zone (an IANA name such as Asia/Shanghai)."""
    update_profile(current_user, changes)  # InvalidField answers 422 naming the field
    db.session.commit()
    return current_user
