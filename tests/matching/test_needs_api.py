"""Needs through the API: validation, lifecycle with history, matches with reasons, and privacy."""

import datetime as dt

import pytest

from app.accounts.models import Role
from app.accounts.services import create_api_token
from app.core.lifecycle import status_history
from app.extensions import db
from app.matching import services
from app.matching.models import Need
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller

NEED = {
    "title_zh": "寻求锂电池正极材料技术",
    "title_en": "Seeking lithium battery cathode technology",
    "description_zh": "需要提升能量密度的锂电池正极材料专利，用于电动汽车。",
    "codes": ["H01M 4/00"],
    "rights": ["exclusive_licence", "assignment"],
    "territory": "中国大陆",
    "budget_min": "10万",
    "budget_max": "80万",
    "deadline": "2099-12-31",
}


@pytest.fixture
def bearer():
    def headers(user) -> dict:
        _token, plaintext = create_api_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {plaintext}", "Accept": "application/json", "Accept-Language": "en"}

    return headers


@pytest.fixture
def market(make_user):
    """A buyer, a seller with a published cathode listing, an unrelated seller with a GPU listing."""
    buyer = make_buyer(make_user, "Buyer Co")
    seller = make_seller(make_user, "Battery Univ")
    other = make_seller(make_user, "Chip Univ")
    battery = make_listing(seller, [make_patent(seller)], "published")
    chip = make_listing(
        other,
        [make_patent(other, subclass="G06F", title_zh="一种图形处理器调度方法", title_en="GPU scheduling")],
        "published",
        title_zh="图形处理器调度许可",
        title_en="GPU scheduling licence",
        summary_zh="提高图形处理器利用率。",
        summary_en="Better GPU utilisation.",
        ask_amount="3000000",
    )
    return {"buyer": buyer, "seller": seller, "other": other, "battery": battery, "chip": chip}


def _post(client, headers, **overrides):
    return client.post("/api/v1/needs", json={**NEED, **overrides}, headers=headers)


def test_post_publish_and_match_with_reasons(client, bearer, market):
    headers = bearer(market["buyer"])
    created = _post(client, headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["budget_max"] == {"amount": "800000.00", "currency": "CNY"}
    assert body["codes"] == ["H01M 4/00"]
    assert body["status"] == "draft"
    published = client.patch(f"/api/v1/needs/{body['id']}", json={"action": "publish"}, headers=headers)
    assert published.get_json()["status"] == "open"
    need = db.session.get(Need, body["id"])
    assert [(e.from_status, e.to_status) for e in status_history(need)] == [("draft", "open")]
    matches = client.get(f"/api/v1/needs/{body['id']}/matches", headers=headers).get_json()
    assert matches[0]["listing_id"] == market["battery"].id
    assert matches[0]["score"] == pytest.approx(sum(r["points"] for r in matches[0]["reasons"]), abs=1e-3)
    reasons = " | ".join(r["reason"] for r in matches[0]["reasons"])
    assert "H01M 4/00" in reasons
    assert "within your budget" in reasons
    ids = [m["listing_id"] for m in matches]
    assert market["chip"].id not in ids[:1]


def test_seller_sees_the_buyer_who_needs_the_listing(client, bearer, market):
    need = services.create_need(market["buyer"], NEED)
    services.transition(need, "publish", market["buyer"])
    db.session.commit()
    rows = client.get(
        f"/api/v1/listings/{market['battery'].id}/needs", headers=bearer(market["seller"])
    ).get_json()
    assert [r["need"]["id"] for r in rows] == [need.id]
    assert rows[0]["reasons"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"budget_min": "90万", "budget_max": "10万"}, "budget_min"),
        ({"budget_max": "-5"}, "budget_max"),
        ({"budget_max": "9999999999999"}, "budget_max"),
        ({"budget_max": "lots"}, "budget_max"),
        ({"codes": ["not a code"]}, "codes"),
        ({"deadline": "2001-01-01"}, "deadline"),
        ({"title_zh": "", "title_en": ""}, "title_zh"),
        ({"description_zh": ""}, "description_zh"),
        ({"rights": ["everything"]}, "rights"),
    ],
)
def test_bad_input_answers_422_naming_the_field(client, bearer, market, overrides, field):
    response = _post(client, bearer(market["buyer"]), **overrides)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_a_refused_transition_is_409(client, bearer, market):
    headers = bearer(market["buyer"])
    need_id = _post(client, headers).get_json()["id"]
    response = client.patch(f"/api/v1/needs/{need_id}", json={"action": "fulfil"}, headers=headers)
    assert response.status_code == 409


ROLES = ("anonymous", "other_buyer", "seller", "invited_seller", "assessor", "owner", "admin")
SEES = {"owner", "admin", "invited_seller"}


@pytest.mark.parametrize("role", ROLES)
def test_a_private_need_never_leaks(client, bearer, make_user, market, role):
    buyer = market["buyer"]
    need = services.create_need(buyer, {**NEED, "is_private": True})
    services.transition(need, "publish", buyer)
    invited = make_seller(make_user, "Invited Univ")
    services.invite_seller(need, invited, buyer)
    db.session.commit()
    users = {
        "other_buyer": make_buyer(make_user, "Other Co"),
        "seller": market["seller"],
        "invited_seller": invited,
        "assessor": make_user(roles=(Role.ASSESSOR,)),
        "owner": buyer,
        "admin": make_user(roles=(Role.ADMIN,)),
    }
    headers = bearer(users[role]) if role in users else {"Accept": "application/json"}
    sees = role in SEES
    assert (client.get(f"/api/v1/needs/{need.id}", headers=headers).status_code == 200) is sees
    assert (client.get(f"/api/v1/needs/{need.id}/matches", headers=headers).status_code == 200) is sees
    board = client.get("/api/v1/needs", headers=headers).get_json()
    assert (need.id in [n["id"] for n in board["items"]]) is sees
    assert (board["total"] == 1) is sees
    from_listing = client.get(f"/api/v1/listings/{market['battery'].id}/needs", headers=headers).get_json()
    assert (need.id in [r["need"]["id"] for r in from_listing]) is sees
    page = client.get("/needs/", headers={"Accept-Language": "en"}) if role == "anonymous" else None
    if page is not None:
        assert NEED["title_en"] not in page.get_data(as_text=True)


def test_deadline_uses_the_clock(client, bearer, market, frozen_clock):
    frozen_clock.freeze(dt.datetime(2100, 1, 2, tzinfo=dt.UTC))
    response = _post(client, bearer(market["buyer"]))
    assert response.status_code == 422
    assert "deadline" in response.get_json()["error"]["fields"]


def test_open_needs_expire_after_their_deadline(market, frozen_clock):
    buyer = market["buyer"]
    need = services.create_need(buyer, {**NEED, "deadline": "2100-01-01"})
    services.transition(need, "publish", buyer)
    db.session.commit()
    assert services.expire_due_needs() == 0
    frozen_clock.freeze(dt.datetime(2100, 1, 2, 16, 30, tzinfo=dt.UTC))  # 00:30 on 3 January in Shanghai
    assert services.expire_due_needs() == 1
    assert need.status == "expired"
    assert status_history(need)[-1].actor_id != buyer.id


def test_only_the_needs_buyer_may_patch_it_even_with_an_empty_body(client, bearer, market):
    need_id = _post(client, bearer(market["buyer"])).get_json()["id"]
    client.patch(f"/api/v1/needs/{need_id}", json={"action": "publish"}, headers=bearer(market["buyer"]))
    response = client.patch(f"/api/v1/needs/{need_id}", json={}, headers=bearer(market["seller"]))
    assert response.status_code == 403
