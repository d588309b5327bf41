"""Requests for the authorization matrix: each (endpoint, method) once, with the world's real ids."""

from flask import Flask

from tests.security.routes import build, methods_of

# Outcomes, from the caller's point of view.
OK = "ok"  # allowed: 2xx, 3xx elsewhere than the login page, or a 4xx about the input (400, 409, 422)
LOGIN = "login"  # sent to log in: a redirect to /login, or 401 from the API
FORBIDDEN = "forbidden"  # 403
MISSING = "missing"  # 404: the record does not exist or is not visible to the caller
LAST = ("accounts.logout", "accounts.set_language")  # they change the session: run them last


def outcome(response) -> str:
    code = response.status_code
    if code == 401 or (code in (301, 302, 303) and "/login" in response.headers.get("Location", "")):
        return LOGIN
    if code == 403:
        return FORBIDDEN
    if code == 404:
        return MISSING
    if code < 500:
        return OK
    return f"error {code}"


def requests(app: Flask, ids: dict[str, int]) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route, in an order where session changes come last."""
    found = {}
    for rule in app.url_map.iter_rules():
        for method in methods_of(rule):
            found.setdefault((rule.endpoint, method), build(app, rule, ids))
    return sorted(((e, m, u) for (e, m), u in found.items()), key=lambda r: (r[0] in LAST, r[0], r[1]))
