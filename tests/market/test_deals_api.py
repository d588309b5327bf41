"""/api/v1 offers and deals: same rules as the services, 409 with allowed actions, 422 naming fields."""

import pytest
from sqlalchemy import select

from app.core.audit_chain import verify_chain
from app.extensions import db
from app.market.deal_models import Deal
from app.market.offer_models import Offer
from tests.market.deal_support import build_market

EN = {"Accept-Language": "en"}


class TokenClient:
    """The test client speaking as one user at a time through personal API tokens."""

    def __init__(self, client) -> None:
        self.client, self.headers, self.tokens = client, {}, {}

    def use(self, user) -> None:
        if user is None:
            self.headers = {"Accept": "application/json"}
            return
        if user.id not in self.tokens:
            from app.accounts.services import create_api_token

            _token, plaintext = create_api_token(user, "test")
            db.session.commit()
            self.tokens[user.id] = plaintext
        self.headers = {"Authorization": f"Bearer {self.tokens[user.id]}", "Accept": "application/json"}

    def get(self, url, headers=None):
        return self.client.get(url, headers={**self.headers, **(headers or {})})

    def post(self, url, json=None, headers=None):
        return self.client.post(url, json=json or {}, headers={**self.headers, **(headers or {})})


@pytest.fixture
def api(client):
    return TokenClient(client)


@pytest.fixture
def market(make_user, frozen_clock):
    return build_market(make_user)


def test_negotiation_to_registration_through_the_api(api, market):
    api.use(market.buyer)
    made = api.post(f"/api/v1/listings/{market.listing.id}/offers", json={"price": "40万"}, headers=EN)
    assert made.status_code == 201, made.get_json()
    offer = made.get_json()
    assert offer["price"] == {"amount": "400000.00", "currency": "CNY"}
    assert offer["allowed_actions"] == ["withdraw"]
    api.use(market.seller)
    countered = api.post(
        f"/api/v1/offers/{offer['id']}/counter", json={"price": "450000", "terms": {"term_months": 36}}
    )
    assert countered.status_code == 201
    counter = countered.get_json()
    assert counter["terms"]["term_months"] == 36
    assert counter["made_by_side"] == "seller"
    api.use(market.buyer)
    accepted = api.post(f"/api/v1/offers/{counter['id']}/accept")
    assert accepted.status_code == 201
    deal_id = accepted.get_json()["id"]
    drafted = api.post(f"/api/v1/deals/{deal_id}/contract", json={"language": "en"}).get_json()
    sha = drafted["contract"]["text_sha256"]
    assert (
        api.post(f"/api/v1/deals/{deal_id}/sign", json={"typed_name": "Liu", "text_sha256": sha}).status_code
        == 200
    )
    api.use(market.seller)
    signed = api.post(
        f"/api/v1/deals/{deal_id}/sign", json={"typed_name": "Chen", "text_sha256": sha}
    ).get_json()
    assert signed["status"] == "awaiting_payment"
    assert signed["deadlines"][0]["due_on"] == "2027-03-01"
    filed = api.post(
        f"/api/v1/deals/{deal_id}/registration", json={"filing_number": "LR-2026-1", "filed_on": "2026-12-01"}
    )
    assert filed.get_json()["status"] == "registration_filed"
    registered = api.post(f"/api/v1/deals/{deal_id}/registration", json={"registered_on": "2026-12-01"})
    assert registered.get_json()["status"] == "registered"
    detail = api.get(f"/api/v1/deals/{deal_id}").get_json()
    assert [e["kind"] for e in detail["audit_trail"]][:2] == ["deal.create", "deal.draft_contract"]
    assert verify_chain() is None


def test_disallowed_transition_is_409_with_current_state_and_allowed_actions(api, market):
    api.use(market.buyer)
    offer_id = api.post(f"/api/v1/listings/{market.listing.id}/offers", json={"price": "400000"}).get_json()[
        "id"
    ]
    deal_id = api.post(f"/api/v1/offers/{offer_id}/accept")
    assert deal_id.status_code == 409  # the buyer cannot accept their own offer
    api.use(market.seller)
    deal_id = api.post(f"/api/v1/offers/{offer_id}/accept").get_json()["id"]
    early = api.post(
        f"/api/v1/deals/{deal_id}/registration", json={"registered_on": "2026-12-01"}, headers=EN
    )
    assert early.status_code == 409
    error = early.get_json()["error"]
    assert error["status"] == "agreed"
    assert set(error["allowed"]) == {"draft_contract", "cancel"}
    assert "Agreed" in error["message"]
    again = api.post(f"/api/v1/offers/{offer_id}/accept")
    assert again.status_code == 409
    assert again.get_json()["error"]["status"] == "accepted"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"price": "-1"}, "price"),
        ({"price": "1e9"}, "price"),
        ({"price": "400000", "terms": {"royalty_rate": "200"}}, "terms.royalty_rate"),
        ({"price": "400000", "expires_at": "2030-01-01T00:00:00+00:00"}, "expires_at"),
        ({}, "price"),
    ],
)
def test_bad_fields_are_422_naming_the_field(api, market, body, field):
    api.use(market.buyer)
    response = api.post(f"/api/v1/listings/{market.listing.id}/offers", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalar(select(Offer.id)) is None


def test_strangers_get_404_for_offers_and_deals(api, market):
    api.use(market.buyer)
    offer_id = api.post(f"/api/v1/listings/{market.listing.id}/offers", json={"price": "400000"}).get_json()[
        "id"
    ]
    api.use(market.stranger)
    assert api.get(f"/api/v1/listings/{market.listing.id}/offers").get_json() == []
    assert api.post(f"/api/v1/offers/{offer_id}/reject", json={}).status_code == 404
    api.use(market.seller)
    deal_id = api.post(f"/api/v1/offers/{offer_id}/accept").get_json()["id"]
    api.use(market.stranger)
    assert api.get(f"/api/v1/deals/{deal_id}").status_code == 404
    assert api.get("/api/v1/deals").get_json() == []
    assert api.post(f"/api/v1/deals/{deal_id}/cancel", json={"reason": "because"}).status_code == 404
    api.use(None)
    assert api.get("/api/v1/deals").status_code == 401
    api.use(market.admin)
    assert [d["id"] for d in api.get("/api/v1/deals").get_json()] == [deal_id]
    assert db.session.get(Deal, deal_id).status == "agreed"


def test_cancel_needs_a_reason(api, market):
    api.use(market.buyer)
    offer_id = api.post(f"/api/v1/listings/{market.listing.id}/offers", json={"price": "400000"}).get_json()[
        "id"
    ]
    api.use(market.seller)
    deal_id = api.post(f"/api/v1/offers/{offer_id}/accept").get_json()["id"]
    missing = api.post(f"/api/v1/deals/{deal_id}/cancel", json={"reason": ""})
    assert missing.status_code == 422
    assert "reason" in missing.get_json()["error"]["fields"]
    done = api.post(f"/api/v1/deals/{deal_id}/cancel", json={"reason": "The buyer changed plans."})
    assert done.get_json()["status"] == "cancelled"
