"""A standing no-500 crawl: every route, anonymous and as each role, with absurd ids, pages, dates and numbers.

Routes are read from app.url_map, so a new route is crawled without anyone adding it here.
"""

import os

import pytest

from tests.conftest import DEFAULT_PASSWORD
from tests.security.conftest import ROLES
from tests.security.routes import ABSURD_FORM, calls

# The handlers are the same on both databases: one pass (SQLite) keeps the suite fast.
pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
    and not os.environ.get("IPEX_SLOW_CHECKS_ON_POSTGRES"),
    reason="runs on the SQLite pass (set IPEX_SLOW_CHECKS_ON_POSTGRES=1 to run it here too)",
)


def send(client, call):
    if call.method == "GET":
        return client.get(call.url)
    if call.endpoint.startswith("api_"):
        body = {key: value for key, value in ABSURD_FORM.items() if key != "next"}
        return client.open(call.url, method=call.method, json=body)
    return client.open(call.url, method=call.method, data=ABSURD_FORM)


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_500(app, client, world, role):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a bug must show as the 500 a visitor would get
    user = world["users"].get(role)

    def login():
        if user is not None:
            client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})

    login()
    failures = []
    for call in calls(app, world["ids"]):
        if call.endpoint in ("accounts.logout", "accounts.set_language"):
            continue  # would end or change the session being crawled; covered by their own tests
        response = send(client, call)
        response.close()
        if response.status_code >= 500:
            failures.append(f"{call.method} {call.url[:150]} -> {response.status_code}")
        if call.method != "GET":
            login()  # a write may have changed the session (password, deactivation)
    assert failures == [], "\n".join(failures)
