"""JSON API v1: thin endpoints over the same services the pages use, documented by OpenAPI."""

from flask import Flask, request
from flask_login import current_user

from app.accounts.auth import load_user_from_token
from app.extensions import api, csrf, login_manager

API_PREFIX = "/api/v1"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def authenticate_api_request() -> None:
    """On the API a valid bearer token decides who calls, and the session is then ignored.

    CSRF guards browser sessions, so only a request that a token actually authenticated skips it:
    an invalid or revoked token falls back to the session, whose writes still need the CSRF token.
    """
    if not request.path.startswith(API_PREFIX + "/"):
        return
    token_user = load_user_from_token(request)
    if token_user is not None:
        login_manager._update_request_context_with_user(token_user)  # current_user, without the session
        return
    if request.method not in SAFE_METHODS and current_user.is_authenticated:
        csrf.protect()


def api_blueprints() -> list:
    """Every API blueprint; capabilities add theirs here."""
    from app.api.me import blp as me_blp
    from app.catalogue.api import blp as catalogue_blp
    from app.core.inbox import blp as notifications_blp
    from app.market import api_blueprints as market_blueprints
    from app.matching.api import blp as needs_blp
    from app.matching.saved_search_api import blp as saved_searches_blp
    from app.payments.api import blp as payments_blp
    from app.payments.deposit_api import blp as deposits_blp
    from app.payments.payout_api import blp as payouts_blp
    from app.payments.royalty_api import blp as royalties_blp
    from app.valuation.api import blp as valuation_blp

    return [
        me_blp,
        catalogue_blp,
        valuation_blp,
        notifications_blp,
        *market_blueprints(),
        payments_blp,
        deposits_blp,
        payouts_blp,
        royalties_blp,
        needs_blp,
        saved_searches_blp,
    ]


def register(app: Flask) -> None:
    from apispec.ext.marshmallow import MarshmallowPlugin
    from flask_smorest.spec.plugins import integerconverter2paramschema

    from app.api.docs import bp as docs_bp
    from app.api.schemas import ErrorSchema, schema_name
    from app.core.converters import IdConverter

    api.ERROR_SCHEMA = ErrorSchema
    api.init_app(app, spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name)})
    api.register_converter(IdConverter, integerconverter2paramschema)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "Personal API token (ipex_...)"}
    )
    for blueprint in api_blueprints():
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=API_PREFIX + (blueprint.url_prefix or ""))
    app.before_request(authenticate_api_request)
    app.register_blueprint(docs_bp)
