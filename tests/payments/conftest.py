"""Real peers for payment tests: localstripe in its own process, and a loopback webhook catcher."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PEER = Path(__file__).with_name("localstripe_peer.py")
WEBHOOK_SECRET = "whsec_ipex_tests"
START_TIMEOUT = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    """A private localstripe on 127.0.0.1; ready once it prints its address (a condition, not a sleep)."""
    port = _free_port()
    state = tmp_path_factory.mktemp("localstripe") / "state.pickle"
    process = subprocess.Popen(  # noqa: S603  (our own wrapper script with the test venv's python)
        [sys.executable, "-u", str(PEER), str(port), str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready = threading.Event()

    def watch() -> None:
        for line in process.stdout:
            if "Running on" in line:
                ready.set()
        ready.set()  # the process ended: let the fixture fail instead of waiting

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    if not ready.wait(START_TIMEOUT) or process.poll() is not None:
        process.kill()
        pytest.fail("localstripe did not start")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)
    watcher.join(timeout=10)
    process.stdout.close()


class Deliveries:
    """Webhook deliveries localstripe made: raw bodies and their Stripe-Signature headers."""

    def __init__(self) -> None:
        self.items: list[tuple[bytes, str]] = []
        self.changed = threading.Condition()

    def add(self, body: bytes, signature: str) -> None:
        with self.changed:
            self.items.append((body, signature))
            self.changed.notify_all()

    def of_type(self, event_type: str, intent_id: str) -> list[tuple[bytes, str]]:
        found = []
        for body, signature in self.items:
            event = json.loads(body)
            if event["type"] == event_type and event["data"]["object"]["id"] == intent_id:
                found.append((body, signature))
        return found

    def wait_for(self, event_type: str, intent_id: str, timeout: float = 20) -> tuple[bytes, str]:
        with self.changed:
            assert self.changed.wait_for(lambda: self.of_type(event_type, intent_id), timeout), event_type
            return self.of_type(event_type, intent_id)[0]


@pytest.fixture(scope="session")
def webhook_catcher(localstripe):
    """A loopback endpoint registered with localstripe that keeps every signed delivery."""
    deliveries = Deliveries()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            deliveries.add(body, self.headers["Stripe-Signature"])
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    data = urllib.parse.urlencode(
        {"url": f"http://127.0.0.1:{server.server_address[1]}/hook", "secret": WEBHOOK_SECRET}
    ).encode()
    urllib.request.urlopen(f"{localstripe}/_config/webhooks/ipex", data=data, timeout=10).close()  # noqa: S310
    yield deliveries
    server.shutdown()
    server.server_close()


@pytest.fixture
def stripe_app(app, localstripe):
    """The test app pointed at localstripe (configuration only; the stripe library is untouched)."""
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_ipex",
        STRIPE_PUBLISHABLE_KEY="pk_test_ipex",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=localstripe,
        STRIPE_INTENT_TRANSFER_GROUP=False,  # localstripe refuses Connect fields; metadata carries the group
    )
    return app


def localstripe_post(base: str, path: str, fields: dict) -> dict:
    """What a buyer's browser or Stripe.js would do against the test server (outside our app)."""
    request = urllib.request.Request(  # noqa: S310
        f"{base}{path}",
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Authorization": "Bearer sk_test_ipex"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


@pytest.fixture(scope="session")
def connect_stub():
    """The Stripe Connect stand-in (tests/payments/connect_stub.py) on a free loopback port."""
    from tests.payments.connect_stub import ConnectStub

    stub = ConnectStub().start()
    yield stub
    stub.stop()


@pytest.fixture
def connect_app(stripe_app, connect_stub):
    """localstripe for payments, the Connect stub for accounts and transfers; a short client timeout
    so that a held reply ends the call (the stub's "timeout" fault)."""
    stripe_app.config.update(STRIPE_CONNECT_API_BASE=connect_stub.base, STRIPE_TIMEOUT_SECONDS=1.5)
    connect_stub.reset()
    return stripe_app
