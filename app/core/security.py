"""HTTP security headers applied to every response, and the reuse of a session's signed CSRF token."""

import threading
import time
from collections import OrderedDict

from flask import Response, current_app, g, session

# Everything is served by the app itself: no CDN, no inline script.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def extended_policy(policy: str, extra: dict[str, tuple[str, ...]]) -> str:
    """The policy with sources added to some directives (a directive missing is created)."""
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    for name, sources in extra.items():
        current = directives.get(name, "")
        directives[name] = " ".join([current, *sources]).strip() if current else " ".join(sources)
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def add_security_headers(response: Response) -> Response:
    """Set CSP, MIME sniffing, framing and referrer headers unless a view set its own."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    hsts = current_app.config.get("STRICT_TRANSPORT_SECURITY")
    if hsts:
        headers.setdefault("Strict-Transport-Security", hsts)
    return response


# ---- the signed CSRF token, reused for a minute per session -------------------------------------
# Flask-WTF signs the session's CSRF secret afresh on every request that renders a form (an
# itsdangerous timed signature: ~25 us, on every signed-in page for the frame's two forms). The
# signed value only proves that secret, so the same session may be given the same signed token for a
# while: kept per (signing key, session secret), never shown to a session with another secret.
CSRF_REUSE_SECONDS = 60.0
CSRF_REUSE_ENTRIES = 4096
_SIGNED_TOKENS: OrderedDict[tuple, tuple[str, float]] = OrderedDict()
_SIGNED_LOCK = threading.Lock()


def reuse_csrf_token() -> None:
    """before_request: give generate_csrf() this session's recently signed token, if there is one."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    secret = session.get(field)
    if secret is None or field in g:
        return
    key = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, secret)
    now = time.monotonic()
    with _SIGNED_LOCK:
        found = _SIGNED_TOKENS.get(key)
    if found is not None and now - found[1] < _reuse_seconds(config):
        setattr(g, field, found[0])  # what generate_csrf() returns for the rest of the request
        g.ipex_csrf_reused = True


def keep_csrf_token(response: Response) -> Response:
    """after_request: remember the token this request signed, for the session's next pages."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token, secret = g.get(field), session.get(field)
    if token is None or secret is None or g.get("ipex_csrf_reused"):
        return response
    key = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, secret)
    with _SIGNED_LOCK:
        _SIGNED_TOKENS[key] = (token, time.monotonic())
        _SIGNED_TOKENS.move_to_end(key)
        while len(_SIGNED_TOKENS) > CSRF_REUSE_ENTRIES:
            _SIGNED_TOKENS.popitem(last=False)
    return response


def _reuse_seconds(config) -> float:
    limit = config.get("WTF_CSRF_TIME_LIMIT", 3600)
    return CSRF_REUSE_SECONDS if limit is None else min(CSRF_REUSE_SECONDS, limit / 10)
