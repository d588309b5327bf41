"""A small stateful stand-in for Stripe Connect, for the endpoints IPEX calls (localstripe lacks them).

It follows Stripe's documented request and response shapes for exactly: POST /v1/accounts,
GET /v1/accounts/<id>, POST /v1/account_links, POST /v1/transfers, GET /v1/transfers/<id> and
POST /v1/transfers/<id>/reversals. Like Stripe it answers 400 ``invalid_request_error`` to an unknown
parameter, repeats the first response for a repeated ``Idempotency-Key`` and refuses the same key
with different parameters.

Test controls (not Stripe): ``fail_next("500")`` answers the next API call with a 500 *before* the
request reaches the idempotency layer (a failure in front of the API, so nothing is saved under
the key); ``fail_next("timeout")`` processes the next call, saves its result under the key, then
holds the response until the client has given up (the reply that never arrived). The account
link URL is a local page whose button marks the account complete and returns to ``return_url``.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Parameters Stripe documents for each endpoint (the subset a marketplace sends); anything else is 400.
ALLOWED = {
    "accounts": {"type", "country", "email", "capabilities", "metadata", "business_type", "business_profile"},
    "account_links": {"account", "refresh_url", "return_url", "type", "collect", "collection_options"},
    "transfers": {
        "amount",
        "currency",
        "destination",
        "transfer_group",
        "description",
        "metadata",
        "source_transaction",
    },  # fmt: skip
    "reversals": {"amount", "description", "metadata", "refund_application_fee"},
}
REQUIRED = {
    "accounts": (),
    "account_links": ("account", "type"),
    "transfers": ("amount", "currency", "destination"),
    "reversals": (),
}
HOLD_LIMIT_SECONDS = 60  # a held ("timeout") reply is dropped at the latest after this


def parse_form(body: str) -> dict:
    """Stripe's form encoding (a[b][c]=v, a[]=v) into nested dicts."""
    result: dict = {}
    for key, value in urllib.parse.parse_qsl(body, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return result


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


class StripeError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code

    def body(self) -> dict:
        error = {"type": "invalid_request_error", "message": self.message}
        if self.status >= 500:
            error["type"] = "api_error"
        if self.param:
            error["param"] = self.param
        if self.code:
            error["code"] = self.code
        return {"error": error}


class ConnectStub:
    """The stub's state: accounts, transfers, saved idempotent replies, the next injected fault."""

    def __init__(self) -> None:
        self.accounts: dict[str, dict] = {}
        self.transfers: dict[str, dict] = {}
        self.links: dict[str, dict] = {}  # link token -> {account, return_url, refresh_url}
        self.saved: dict[str, tuple[str, int, dict]] = {}  # idempotency key -> (request, status, body)
        self.calls: list[tuple[str, str]] = []  # (method, path) of every API call, faults included
        self.lock = threading.Lock()
        self.fault: str | None = None
        self.release = threading.Event()
        self.server: ThreadingHTTPServer | None = None
        self.base = ""

    # ---- control --------------------------------------------------------------------------------

    def start(self) -> ConnectStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                stub.handle(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                stub.handle(self, "POST")

            def log_message(self, *args) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def reset(self) -> None:
        """Forget everything (each test's database numbers its records from 1 again)."""
        with self.lock:
            self.accounts.clear()
            self.transfers.clear()
            self.links.clear()
            self.saved.clear()
            self.calls.clear()
            self.fault = None

    def stop(self) -> None:
        self.release.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def fail_next(self, mode: str) -> None:
        """ "500": the next API call fails before it is processed; "timeout": its reply never comes."""
        assert mode in ("500", "timeout")
        if mode == "timeout":
            self.release = threading.Event()
        self.fault = mode

    def release_held(self) -> None:
        """Let a held reply go (to a client that has long stopped listening)."""
        self.release.set()

    def complete_onboarding(self, account_id: str) -> dict:
        """What the connected account's owner does on Stripe's hosted onboarding."""
        with self.lock:
            account = self.accounts[account_id]
            account.update(charges_enabled=True, payouts_enabled=True, details_submitted=True)
            account["capabilities"] = {"transfers": "active"}
            account["requirements"] = {"currently_due": [], "disabled_reason": None, "past_due": []}
            return dict(account)

    def transfers_to(self, account_id: str) -> list[dict]:
        return [t for t in self.transfers.values() if t["destination"] == account_id]

    # ---- HTTP -----------------------------------------------------------------------------------

    def handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        parsed = urllib.parse.urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length).decode() if length else ""
        if parsed.path.startswith("/onboard/"):
            self._onboarding_page(request, method, parsed.path.removeprefix("/onboard/"))
            return
        self.calls.append((method, parsed.path))
        fault, self.fault, held = self.fault, None, self.release
        if fault == "500":
            self._reply(request, 500, StripeError(500, "An unexpected error occurred.").body())
            return
        params = parse_form(raw if method == "POST" else parsed.query)
        key = request.headers.get("Idempotency-Key") if method == "POST" else None
        status, body = self._idempotent(key, f"{method} {parsed.path} {json.dumps(params, sort_keys=True)}",
                                        lambda: self._route(method, parsed.path, params))  # fmt: skip
        if fault == "timeout":
            held.wait(HOLD_LIMIT_SECONDS)  # the client gives up first; then the reply is lost
            request.close_connection = True
            return
        self._reply(request, status, body)

    def _idempotent(self, key: str | None, fingerprint: str, run) -> tuple[int, dict]:
        with self.lock:
            if key and key in self.saved:
                saved_fingerprint, status, body = self.saved[key]
                if saved_fingerprint != fingerprint:
                    return 400, StripeError(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters they "
                        "were first used with. Try using a key other than "
                        f"'{key}' if you meant to execute a different request.",
                        code="idempotency_key_in_use",
                    ).body()
                return status, body
            try:
                status, body = 200, run()
            except StripeError as error:
                status, body = error.status, error.body()
            if key:
                self.saved[key] = (fingerprint, status, body)
            return status, body

    def _reply(self, request: BaseHTTPRequestHandler, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.send_header("Request-Id", _id("req"))
        request.end_headers()
        request.wfile.write(data)

    def _route(self, method: str, path: str, params: dict) -> dict:
        parts = path.strip("/").split("/")
        if parts[:1] != ["v1"]:
            raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")
        parts = parts[1:]
        if method == "POST" and parts == ["accounts"]:
            return self._create_account(self._checked("accounts", params))
        if method == "GET" and len(parts) == 2 and parts[0] == "accounts":
            return dict(self._account(parts[1], "id"))
        if method == "POST" and parts == ["account_links"]:
            return self._create_link(self._checked("account_links", params))
        if method == "POST" and parts == ["transfers"]:
            return self._create_transfer(self._checked("transfers", params))
        if method == "GET" and len(parts) == 2 and parts[0] == "transfers":
            return self._transfer(parts[1])
        if method == "POST" and len(parts) == 3 and parts[0] == "transfers" and parts[2] == "reversals":
            return self._reverse(parts[1], self._checked("reversals", params))
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    @staticmethod
    def _checked(endpoint: str, params: dict) -> dict:
        for name in params:
            if name not in ALLOWED[endpoint]:
                raise StripeError(400, f"Received unknown parameter: {name}", param=name,
                                  code="parameter_unknown")  # fmt: skip
        for name in REQUIRED[endpoint]:
            if not params.get(name):
                raise StripeError(400, f"Missing required param: {name}.", param=name,
                                  code="parameter_missing")  # fmt: skip
        return params

    @staticmethod
    def _amount(params: dict) -> int:
        try:
            amount = int(params["amount"])
        except (KeyError, ValueError):
            raise StripeError(400, "Invalid integer: amount", param="amount") from None
        if amount <= 0:
            raise StripeError(400, "This value must be greater than or equal to 1.", param="amount")
        return amount

    def _account(self, account_id: str, param: str) -> dict:
        if account_id not in self.accounts:
            raise StripeError(404, f"No such account: '{account_id}'", param=param, code="resource_missing")
        return self.accounts[account_id]

    def _create_account(self, params: dict) -> dict:
        account = {
            "id": _id("acct"),
            "object": "account",
            "type": params.get("type", "express"),
            "country": params.get("country", "HK"),
            "email": params.get("email"),
            "business_type": params.get("business_type"),
            "charges_enabled": False,
            "payouts_enabled": False,
            "details_submitted": False,
            "capabilities": dict.fromkeys(params.get("capabilities", {}), "inactive"),
            "requirements": {
                "currently_due": ["external_account", "tos_acceptance.date"],
                "disabled_reason": "requirements.past_due",
                "past_due": [],
            },  # fmt: skip
            "metadata": params.get("metadata", {}),
            "created": int(time.time()),
        }
        self.accounts[account["id"]] = account
        return dict(account)

    def _create_link(self, params: dict) -> dict:
        self._account(params["account"], "account")
        if params["type"] not in ("account_onboarding", "account_update"):
            raise StripeError(400, f"Invalid type: {params['type']}", param="type")
        token = secrets.token_urlsafe(12)
        self.links[token] = params
        now = int(time.time())
        return {"object": "account_link", "created": now, "expires_at": now + 300,
                "url": f"{self.base}/onboard/{token}"}  # fmt: skip

    def _create_transfer(self, params: dict) -> dict:
        amount = self._amount(params)
        account = self._account(params["destination"], "destination")
        if account["capabilities"].get("transfers") != "active":
            raise StripeError(400, "Your destination account needs to have at least one of the following "
                              "capabilities enabled: transfers, crypto_transfers, legacy_payments",
                              param="destination", code="insufficient_capabilities_for_transfer")  # fmt: skip
        transfer_id = _id("tr")
        transfer = {
            "id": transfer_id,
            "object": "transfer",
            "amount": amount,
            "amount_reversed": 0,
            "currency": params["currency"].lower(),
            "description": params.get("description"),
            "destination": account["id"],
            "destination_payment": _id("py"),
            "livemode": False,
            "metadata": params.get("metadata", {}),
            "reversals": {
                "object": "list",
                "data": [],
                "has_more": False,
                "total_count": 0,
                "url": f"/v1/transfers/{transfer_id}/reversals",
            },  # fmt: skip
            "reversed": False,
            "source_transaction": params.get("source_transaction"),
            "transfer_group": params.get("transfer_group"),
            "created": int(time.time()),
        }
        self.transfers[transfer_id] = transfer
        return json.loads(json.dumps(transfer))

    def _transfer(self, transfer_id: str) -> dict:
        if transfer_id not in self.transfers:
            raise StripeError(404, f"No such transfer: '{transfer_id}'", param="id", code="resource_missing")
        return json.loads(json.dumps(self.transfers[transfer_id]))

    def _reverse(self, transfer_id: str, params: dict) -> dict:
        transfer = self.transfers.get(transfer_id)
        if transfer is None:
            raise StripeError(404, f"No such transfer: '{transfer_id}'", param="id", code="resource_missing")
        remaining = transfer["amount"] - transfer["amount_reversed"]
        amount = self._amount(params) if "amount" in params else remaining
        if amount > remaining:
            raise StripeError(400, "Transfer reversal amount is greater than the amount left on the "
                              "transfer.", param="amount")  # fmt: skip
        reversal = {
            "id": _id("trr"),
            "object": "transfer_reversal",
            "amount": amount,
            "currency": transfer["currency"],
            "destination_payment_refund": _id("pyr"),
            "metadata": params.get("metadata", {}),
            "transfer": transfer_id,
            "created": int(time.time()),
        }
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        transfer["reversals"]["data"].insert(0, reversal)
        transfer["reversals"]["total_count"] += 1
        return dict(reversal)

    def _onboarding_page(self, request: BaseHTTPRequestHandler, method: str, token: str) -> None:
        link = self.links.get(token)
        if link is None:
            self._reply(request, 404, StripeError(404, "This link has expired.").body())
            return
        if method == "POST":
            self.complete_onboarding(link["account"])
            request.send_response(303)
            request.send_header("Location", link.get("return_url") or "/")
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        page = (
            "<!doctype html><html><head><meta charset='utf-8'><title>Connect onboarding (test)</title>"
            "</head><body><h1>Connect onboarding (test server)</h1>"
            f"<p>Account {link['account']}</p><form method='post'>"
            "<button type='submit' id='complete'>Complete onboarding</button></form></body></html>"
        ).encode()
        request.send_response(200)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(page)))
        request.end_headers()
        request.wfile.write(page)
