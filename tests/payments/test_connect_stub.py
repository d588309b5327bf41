"""The Connect stub behaves as Stripe documents for the calls we make (so the payout tests mean something)."""

import json
import urllib.error
import urllib.parse
import urllib.request


def _call(stub, path: str, fields: dict | None = None, key: str | None = None) -> tuple[int, dict]:
    data = urllib.parse.urlencode(fields).encode() if fields is not None else None
    headers = {"Authorization": "Bearer sk_test_ipex"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(f"{stub.base}{path}", data=data, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def _ready_account(stub) -> str:
    status, account = _call(
        stub, "/v1/accounts", {"type": "express", "capabilities[transfers][requested]": "true"}
    )
    assert status == 200
    assert account["object"] == "account"
    assert (account["charges_enabled"], account["payouts_enabled"], account["details_submitted"]) == (
        False, False, False)  # fmt: skip
    stub.complete_onboarding(account["id"])
    return account["id"]


def test_unknown_and_missing_parameters_get_stripes_error_shape(connect_stub):
    status, body = _call(connect_stub, "/v1/transfers", {"amount": "100", "currency": "cny", "destination": "acct_x",
                                                         "bogus": "1"})  # fmt: skip
    assert status == 400
    assert body["error"]["type"] == "invalid_request_error"
    assert body["error"]["param"] == "bogus"
    status, body = _call(connect_stub, "/v1/account_links", {"type": "account_onboarding"})
    assert (status, body["error"]["param"]) == (400, "account")


def test_account_link_and_onboarding_page(connect_stub):
    account = _call(connect_stub, "/v1/accounts", {"type": "express"})[1]
    status, link = _call(connect_stub, "/v1/account_links", {"account": account["id"], "type": "account_onboarding",
                         "refresh_url": "http://x/r", "return_url": "http://x/back"})  # fmt: skip
    assert status == 200
    assert link["object"] == "account_link"
    assert link["url"].startswith(connect_stub.base)
    assert link["expires_at"] > link["created"]
    assert _call(connect_stub, f"/v1/accounts/{account['id']}")[1]["details_submitted"] is False


def test_transfers_need_an_onboarded_destination_and_repeat_for_the_same_key(connect_stub):
    waiting = _call(connect_stub, "/v1/accounts", {"type": "express"})[1]["id"]
    fields = {"amount": "1000", "currency": "cny", "destination": waiting, "transfer_group": "g1"}
    status, body = _call(connect_stub, "/v1/transfers", fields, key="k-refused")
    assert (status, body["error"]["code"]) == (400, "insufficient_capabilities_for_transfer")
    fields["destination"] = _ready_account(connect_stub)
    first = _call(connect_stub, "/v1/transfers", fields, key="k-1")
    again = _call(connect_stub, "/v1/transfers", fields, key="k-1")
    assert first == again
    assert first[1]["object"] == "transfer"
    assert first[1]["transfer_group"] == "g1"
    assert len(connect_stub.transfers_to(fields["destination"])) == 1
    status, body = _call(connect_stub, "/v1/transfers", {**fields, "amount": "999"}, key="k-1")
    assert (status, body["error"]["code"]) == (400, "idempotency_key_in_use")
    assert _call(connect_stub, f"/v1/transfers/{first[1]['id']}")[1]["amount"] == 1000


def test_reversals_never_exceed_the_transfer(connect_stub):
    destination = _ready_account(connect_stub)
    transfer = _call(connect_stub, "/v1/transfers", {"amount": "1000", "currency": "cny",
                                                     "destination": destination})[1]  # fmt: skip
    path = f"/v1/transfers/{transfer['id']}/reversals"
    status, reversal = _call(connect_stub, path, {"amount": "600"}, key="r-1")
    assert (status, reversal["object"], reversal["amount"]) == (200, "transfer_reversal", 600)
    assert _call(connect_stub, path, {"amount": "600"}, key="r-1")[1]["id"] == reversal["id"]
    assert _call(connect_stub, path, {"amount": "401"}, key="r-2")[0] == 400
    after = _call(connect_stub, f"/v1/transfers/{transfer['id']}")[1]
    assert (after["amount_reversed"], after["reversed"], after["reversals"]["total_count"]) == (600, False, 1)


def test_an_injected_500_is_not_saved_under_the_key(connect_stub):
    destination = _ready_account(connect_stub)
    fields = {"amount": "500", "currency": "cny", "destination": destination}
    connect_stub.fail_next("500")
    status, body = _call(connect_stub, "/v1/transfers", fields, key="k-500")
    assert (status, body["error"]["type"]) == (500, "api_error")
    assert connect_stub.transfers_to(destination) == []
    assert _call(connect_stub, "/v1/transfers", fields, key="k-500")[0] == 200
    assert len(connect_stub.transfers_to(destination)) == 1
