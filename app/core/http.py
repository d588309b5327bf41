"""Request helpers shared by HTML and JSON handlers."""

from flask import request


def wants_json() -> bool:
    """True for API calls and clients that prefer JSON: they get JSON errors, not pages."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )
