"""Errors: typed domain exceptions, and one place that turns any HTTP error into a page or JSON."""

from flask import Flask, Response, jsonify, make_response, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from app.core.field_messages import translated
from app.core.http import wants_json
from app.extensions import db


class DomainError(Exception):
    """A business rule refused an action; views map it to a message or a 4xx."""

    status_code = 400

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def details(self) -> dict:
        """Extra keys for the JSON error body (e.g. a conflict's current state and allowed actions)."""
        return {}


class PermissionDenied(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please log in to continue."),
        403: _("You do not have permission to do that."),
        404: _("The page you asked for does not exist."),
        405: _("That method is not allowed here."),
        409: _("That conflicts with the current state."),
        413: _("The upload is too large."),
        415: _("Send the body as JSON."),
        422: _("Some fields are not valid."),
        429: _("Too many requests: please wait a moment and try again."),
        500: _("Something went wrong on our side. It has been logged."),
    }


def flatten_field_errors(messages: object, prefix: str = "") -> dict[str, str]:
    """Turn webargs/marshmallow's nested {location: {field: [msgs]}} into {field: "msg"}, in the
    reader's language."""
    if isinstance(messages, dict):
        flat: dict[str, str] = {}
        for key, value in messages.items():
            if key in ("json", "query", "form", "files", "headers", "view_args") and not prefix:
                flat.update(flatten_field_errors(value, ""))
            else:
                flat.update(flatten_field_errors(value, f"{prefix}{key}."))
        return flat
    if isinstance(messages, list | tuple):
        text = "; ".join(translated(str(m)) for m in messages if not isinstance(m, dict | list))
        nested = [m for m in messages if isinstance(m, dict | list)]
        flat = {prefix.rstrip(".") or "body": text} if text else {}
        for item in nested:
            flat.update(flatten_field_errors(item, prefix))
        return flat
    return {prefix.rstrip(".") or "body": translated(str(messages))}


def error_response(
    code: int, message: str | None = None, fields: dict[str, str] | None = None, details: dict | None = None
) -> Response:
    """Render the error as JSON for API clients or as a page that keeps the navigation."""
    message = message or _messages().get(code, _("Error"))
    if wants_json():
        body: dict = {"code": code, "message": message, **(details or {})}
        if fields:
            body["fields"] = fields
        response = jsonify(error=body)
        response.status_code = code
        return response
    template = "errors/page.html"
    return make_response(render_template(template, code=code, message=message, fields=fields or {}), code)


def handle_http_exception(error: HTTPException):
    data = getattr(error, "data", None) or {}
    fields = flatten_field_errors(data["messages"]) if "messages" in data else None
    message = data.get("message")
    if error.code == 400 and not message and wants_json() and error.description:
        message = _("The request body is not valid JSON.") if "JSON" in error.description else None
    response = error_response(error.code or 500, message, fields)
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response


def handle_domain_error(error: DomainError):
    return error_response(error.status_code, error.message, error.fields, error.details())


def handle_unexpected(error: Exception):
    db.session.rollback()
    return error_response(500)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
