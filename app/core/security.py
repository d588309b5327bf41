"""HTTP security headers applied to every response."""

from flask import Response, current_app

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
