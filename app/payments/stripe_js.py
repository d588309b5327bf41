"""Stripe.js on a page, only with a publishable key: the page asks for it, the CSP then allows it.

Without a key nothing from Stripe is loaded and the card is confirmed server-side (the flow the
tests drive against localstripe). With one, the page that shows an open card payment calls
``use_stripe_js()``; the response's policy then allows scripts and frames from Stripe's own origin
(and its API for Stripe.js's own calls), on that response only.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g

from app.core.security import CONTENT_SECURITY_POLICY, extended_policy

STRIPE_JS_URL = "https://js.stripe.com/v3/"
STRIPE_SOURCES = {
    "script-src": ("https://js.stripe.com",),
    "frame-src": ("https://js.stripe.com", "https://hooks.stripe.com"),
    "connect-src": ("https://api.stripe.com",),
}
_FLAG = "ipex_stripe_js"


def publishable_key() -> str | None:
    return current_app.config.get("STRIPE_PUBLISHABLE_KEY") or None


def use_stripe_js() -> str:
    """Called by a template that loads Stripe.js; returns the script's address ("" without a key)."""
    if not publishable_key():
        return ""
    setattr(g, _FLAG, True)
    return STRIPE_JS_URL


def allow_stripe_in_policy(response: Response) -> Response:
    if getattr(g, _FLAG, False) and publishable_key():
        policy = response.headers.get("Content-Security-Policy") or CONTENT_SECURITY_POLICY
        response.headers["Content-Security-Policy"] = extended_policy(policy, STRIPE_SOURCES)
    return response


def init_app(app: Flask) -> None:
    app.after_request(allow_stripe_in_policy)
    app.add_template_global(use_stripe_js)
    app.add_template_global(publishable_key, "stripe_publishable_key")
