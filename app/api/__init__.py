"""JSON API v1: thin endpoints over the same services the pages use, documented by OpenAPI."""

from flask import Flask, request
from flask_login import current_user

from app.extensions import api, csrf

API_PREFIX = "/api/v1"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def protect_session_writes() -> None:
    """Token calls need no CSRF token; a browser session writing through the API still does."""
    if not request.path.startswith(API_PREFIX + "/") or request.method in SAFE_METHODS:
        return
    uses_token = request.headers.get("Authorization", "").lower().startswith("bearer ")
    if not uses_token and current_user.is_authenticated:
        csrf.protect()


def api_blueprints() -> list:
    """Every API blueprint; capabilities add theirs here."""
    from app.api.me import blp as me_blp
    from app.catalogue.api import blp as catalogue_blp
    from app.core.inbox import blp as notifications_blp
    from app.market import api_blueprints as market_blueprints
    from app.valuation.api import blp as valuation_blp

    return [me_blp, catalogue_blp, valuation_blp, notifications_blp, *market_blueprints()]


def register(app: Flask) -> None:
    from apispec.ext.marshmallow import MarshmallowPlugin

    from app.api.docs import bp as docs_bp
    from app.api.schemas import ErrorSchema, schema_name

    api.ERROR_SCHEMA = ErrorSchema
    api.init_app(app, spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name)})
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "Personal API token (ipex_...)"}
    )
    for blueprint in api_blueprints():
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=API_PREFIX + (blueprint.url_prefix or ""))
    app.before_request(protect_session_writes)
    app.register_blueprint(docs_bp)
