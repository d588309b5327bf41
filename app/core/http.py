"""Request helpers shared by HTML and JSON handlers."""

import json
import re

from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

# ASCII digits only: str.isdigit() also accepts superscripts and other scripts' digits that int() refuses.
_DIGITS = re.compile(r"[0-9]{1,18}")


def parse_bounded_int(text: str | None, low: int, high: int) -> int | None:
    """The whole number in `text` if it lies in [low, high], else None (never raises)."""
    if text is None or not _DIGITS.fullmatch(text.strip()):
        return None
    value = int(text.strip())
    return value if low <= value <= high else None


def wants_json() -> bool:
    """True for API calls and clients that prefer JSON: they get JSON errors, not pages."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _has_lone_surrogate(document: object) -> bool:
    """Walk the parsed JSON without recursion (it may be deep) looking for unpaired surrogates."""
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if any("\ud800" <= char <= "\udfff" for char in item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def reject_unreadable_json() -> None:
    """A JSON body too deep to parse, malformed, or holding lone surrogates is a 400, never a 500.

    Checked once before any view, because webargs and Flask each parse the body their own way.
    """
    if not request.is_json:
        return
    body = request.get_data(cache=True)
    if not body:
        return
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise _bad_request(_("The request body is not valid JSON.")) from None
    if _has_lone_surrogate(document):
        raise _bad_request(_("The request body holds text that is not valid Unicode."))


def _bad_request(message: str) -> BadRequest:
    error = BadRequest(description=message)
    error.data = {"message": message}  # what app.core.errors shows to the client
    return error
