"""Request helpers shared by HTML and JSON handlers."""

import json
import re
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import Response, g, request
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


def safe_redirect_target(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`: one rule for every `next` field.

    Browsers read a backslash as a slash and drop tabs and newlines, so "/\\evil.example" and
    "/\t/evil.example" lead off-site although they start with a single slash: both are refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


def no_store(view: Callable) -> Callable:
    """Mark a view whose page must never be cached (e.g. one that shows a secret once)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.no_store = True
        return view(*args, **kwargs)

    return wrapped


def add_cache_control(response: Response) -> Response:
    """Pages for a signed-in person (or marked no_store) stay out of every cache and the back button.

    A marketplace page carries someone's bids, tokens and valuations; static files stay cacheable.
    """
    if "Cache-Control" in response.headers or request.endpoint == "static":
        return response
    from flask_login import current_user

    if g.get("no_store") or current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response
