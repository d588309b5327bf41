"""A bid asked twice is recorded once: the API's Idempotency-Key header and the bid form's one-time
token, one after the other and at the same moment (threads, each with its own app context)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.market.auction_models import Auction, AuctionBid
from tests.market.auction_support import make_auction, make_bidder, make_seller
from tests.market.test_auction_api import token_for
from tests.market.test_auction_concurrency import run_threads, stress_app  # noqa: F401  (fixture)

THREADS = 8


@pytest.fixture
def english(app, frozen_clock, make_user):
    return make_auction(make_seller(make_user))


def bid_count(auction_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(AuctionBid.id)).where(AuctionBid.auction_id == auction_id))


def test_a_retry_with_the_same_key_gets_the_first_answer(client, english, make_user):
    alice = make_bidder(make_user, english)
    headers = {**token_for(alice), "Idempotency-Key": "4b1d3f0e-retry-1"}
    url = f"/api/v1/auctions/{english.id}/bids"
    first = client.post(url, json={"amount": "50000"}, headers=headers)
    assert first.status_code == 201, first.json
    again = client.post(url, json={"amount": "50000.00"}, headers=headers)  # the same amount, rewritten
    assert again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert bid_count(english.id) == 1
    # A new key is a new bid.
    other = client.post(url, json={"amount": "80000"}, headers={**headers, "Idempotency-Key": "second"})
    assert other.status_code == 201
    assert bid_count(english.id) == 2


def test_the_same_key_with_another_amount_is_refused(client, english, make_user):
    alice = make_bidder(make_user, english)
    headers = {**token_for(alice), "Idempotency-Key": "k-1"}
    url = f"/api/v1/auctions/{english.id}/bids"
    assert client.post(url, json={"amount": "50000"}, headers=headers).status_code == 201
    reused = client.post(url, json={"amount": "60000"}, headers=headers)
    assert reused.status_code == 422
    assert reused.json["error"]["reason"] == "idempotency_key_reused"
    assert "different bid" in reused.json["error"]["message"]
    assert bid_count(english.id) == 1


def test_a_key_is_per_bidder_and_must_be_sensible(client, english, make_user):
    alice, bob = make_bidder(make_user, english), make_bidder(make_user, english)
    url = f"/api/v1/auctions/{english.id}/bids"
    assert (
        client.post(url, json={"amount": "50000"}, headers={**token_for(alice), "Idempotency-Key": "same"})
    ).status_code == 201
    bobs = client.post(url, json={"amount": "70000"}, headers={**token_for(bob), "Idempotency-Key": "same"})
    assert bobs.status_code == 201  # another bidder's key space
    for bad in ("x" * 101, " ", "ключ"):
        refused = client.post(
            url, json={"amount": "90000"}, headers={**token_for(bob), "Idempotency-Key": bad}
        )
        assert refused.status_code == 422, bad
        assert "Idempotency-Key" in refused.json["error"]["fields"]
    assert bid_count(english.id) == 2


def test_concurrent_requests_with_one_key_record_one_bid(stress_app, frozen_clock, make_user):  # noqa: F811
    auction = make_auction(make_seller(make_user))
    alice = make_bidder(make_user, auction)
    headers = {**token_for(alice), "Idempotency-Key": "double-tap"}
    url = f"/api/v1/auctions/{auction.id}/bids"
    answers: list = []
    lock = threading.Lock()

    def post(_index: int) -> None:
        client = stress_app.test_client()
        while True:
            response = client.post(url, json={"amount": "50000"}, headers=headers)
            if response.status_code != 503:  # SQLite busy: nothing written, clients retry
                break
        with lock:
            answers.append((response.status_code, response.json, response.headers.get("Idempotent-Replayed")))

    run_threads(THREADS, post)
    assert {status for status, _body, _replayed in answers} == {201}
    assert len({repr(body) for _status, body, _replayed in answers}) == 1  # one answer, replayed
    assert sorted(str(replayed) for *_rest, replayed in answers) == ["None"] + ["true"] * (THREADS - 1)
    assert bid_count(auction.id) == 1


def test_a_double_submitted_bid_form_records_one_bid(client, auth, english, make_user):
    alice = make_bidder(make_user, english, password="correct-horse-42")
    auth.login(alice, "correct-horse-42")
    page = client.get(f"/market/auctions/{english.id}")
    assert 'name="request_token"' in page.text
    token = _token_in(page.text)
    url = f"/market/auctions/{english.id}/bids"
    first = client.post(url, data={"amount": "5万", "request_token": token})
    second = client.post(url, data={"amount": "5万", "request_token": token}, follow_redirects=True)
    assert first.status_code == 302
    assert second.status_code == 200
    assert "already sent" in second.text or "已提交" in second.text
    assert bid_count(english.id) == 1
    assert db.session.get(Auction, english.id).bid_count == 1
    # The next page carries a new token: the next bid is a new one.
    fresh = _token_in(client.get(f"/market/auctions/{english.id}").text)
    assert fresh != token
    assert client.post(url, data={"amount": "8万", "request_token": fresh}).status_code == 302
    assert bid_count(english.id) == 2


def test_concurrent_submits_of_one_form_record_one_bid(stress_app, frozen_clock, make_user):  # noqa: F811
    auction = make_auction(make_seller(make_user))
    alice = make_bidder(make_user, auction, password="correct-horse-42")
    email = alice.email
    url = f"/market/auctions/{auction.id}/bids"
    statuses: list[int] = []
    lock = threading.Lock()
    clients = []
    for _ in range(THREADS):
        client = stress_app.test_client()
        client.post("/login", data={"email": email, "password": "correct-horse-42"})
        clients.append(client)

    def submit(index: int) -> None:
        while True:
            response = clients[index].post(url, data={"amount": "50000", "request_token": "one-form-token"})
            if response.status_code != 503:
                break
        with lock:
            statuses.append(response.status_code)

    run_threads(THREADS, submit)
    assert statuses == [302] * THREADS
    assert bid_count(auction.id) == 1


def _token_in(html: str) -> str:
    start = html.index('name="request_token"')
    tag = html[html.rindex("<input", 0, start) : html.index(">", start)]
    return tag.split('value="', 1)[1].split('"', 1)[0]
