"""/api/v1/listings: money as decimal strings, 409 with state and allowed actions, 422 naming fields."""

import pytest

from app.accounts.services import create_api_token
from app.extensions import db
from tests.market.listing_support import listing_data, make_buyer, make_listing, make_patent, make_seller


@pytest.fixture
def bearer():
    def headers(user) -> dict:
        _token, plaintext = create_api_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {plaintext}", "Accept": "application/json", "Accept-Language": "en"}

    return headers


@pytest.fixture
def seller(make_user):
    return make_seller(make_user)


def test_create_patch_submit_and_read(client, bearer, seller):
    patent = make_patent(seller)
    db.session.commit()
    headers = bearer(seller)
    data = listing_data([patent], term_months=60, ask_amount="500000.00")
    created = client.post("/api/v1/listings", json=data, headers=headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["ask"] == {"amount": "500000.00", "currency": "CNY"}
    assert body["status"] == "draft"
    assert body["allowed_actions"] == ["submit", "withdraw"]
    assert {f["code"] for f in body["diligence"]} >= {"in_force", "no_pledge"}
    patched = client.patch(f"/api/v1/listings/{body['id']}", json={"ask_amount": "12.5万"}, headers=headers)
    assert patched.get_json()["ask"]["amount"] == "125000.00"
    submitted = client.post(f"/api/v1/listings/{body['id']}/submit", headers=headers)
    assert submitted.get_json()["status"] == "submitted"
    again = client.post(f"/api/v1/listings/{body['id']}/submit", headers=headers)
    assert again.status_code == 409
    error = again.get_json()["error"]
    assert (error["status"], error["allowed"]) == ("submitted", ["approve", "reject", "withdraw"])


def test_bad_fields_are_named_with_422(client, bearer, seller):
    patent = make_patent(seller)
    db.session.commit()
    response = client.post(
        "/api/v1/listings",
        json=listing_data([patent], ask_amount="-1", royalty_rate="300"),
        headers=bearer(seller),
    )
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"ask_amount", "royalty_rate"}
    wrong_type = client.post("/api/v1/listings", json={"ask_amount": 5}, headers=bearer(seller))
    assert wrong_type.status_code == 422
    assert "ask_amount" in wrong_type.get_json()["error"]["fields"]


def test_listing_someone_elses_patent_is_refused(client, bearer, make_user, seller):
    patent = make_patent(seller)
    db.session.commit()
    other = make_seller(make_user, name="Other Co")
    response = client.post("/api/v1/listings", json=listing_data([patent]), headers=bearer(other))
    assert response.status_code == 422
    assert "patent_ids" in response.get_json()["error"]["fields"]


def test_list_shows_published_only(client, seller):
    make_listing(seller, [make_patent(seller)], "published")
    make_listing(seller, [make_patent(seller)], "draft")
    body = client.get("/api/v1/listings").get_json()
    assert body["total"] == 1
    assert body["items"][0]["status"] == "published"


def test_nda_by_api_opens_the_confidential_documents(client, bearer, make_user, seller, tmp_path, app):
    import io

    from app.market import dataroom

    app.instance_path = str(tmp_path)
    listing = make_listing(seller, [make_patent(seller)], "published")
    dataroom.upload_document(listing, seller, io.BytesIO(b"%PDF-1.4\n%%EOF"), "s.pdf", "Secret", True)
    db.session.commit()
    buyer = make_buyer(make_user)
    headers = bearer(buyer)
    assert client.get(f"/api/v1/listings/{listing.id}", headers=headers).get_json()["documents"] == []
    body = client.post(f"/api/v1/listings/{listing.id}/nda", headers=headers).get_json()
    assert [d["title"] for d in body["documents"]] == ["Secret"]


def test_buy_now_on_a_negotiable_listing_is_a_conflict(client, bearer, make_user, seller):
    listing = make_listing(seller, [make_patent(seller)], "published")
    response = client.post(f"/api/v1/listings/{listing.id}/buy", headers=bearer(make_buyer(make_user)))
    assert response.status_code == 409
