"""A need's matches include catalogue patents nobody offers yet (marked, with "ask the owner"),
never hidden ones; the buyer saves or dismisses matches, on the page and through the API."""

import pytest

from app.accounts.services import create_api_token
from app.catalogue import services as catalogue
from app.core.notifications import Notification
from app.extensions import db
from app.matching import marks, services
from app.matching.models import NeedInvitation
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller

EN = {"Accept-Language": "en"}
NEED = {
    "title_zh": "寻求锂电池正极材料技术",
    "description_zh": "需要锂电池正极材料专利。",
    "codes": "H01M 4/00",
    "rights": ["exclusive_licence"],
    "budget_max": "80万",
}


@pytest.fixture
def world(make_user):
    buyer = make_buyer(make_user)
    seller = make_seller(make_user)
    owner = make_seller(make_user, name="Quiet Univ")
    listed = make_patent(seller)
    listing = make_listing(seller, [listed], "published")
    unoffered = make_patent(owner, title_en="Cathode coating for lithium batteries")
    hidden = make_patent(owner)
    catalogue.moderate(hidden, None, "hide", "Under review")
    own = make_patent(buyer)
    need = services.create_need(buyer, NEED)
    services.transition(need, "publish", buyer)
    db.session.commit()
    return {"buyer": buyer, "seller": seller, "owner": owner, "listing": listing, "listed": listed,
            "unoffered": unoffered, "hidden": hidden, "own": own, "need": need}  # fmt: skip


def _kinds(rows):
    return [(r.kind, r.target_id) for r in rows]


def test_unoffered_patents_are_candidates_but_never_hidden_own_or_listed_ones(world):
    rows = marks.need_matches(world["need"], world["buyer"])
    found = _kinds(rows)
    assert ("listing", world["listing"].id) in found
    assert ("patent", world["unoffered"].id) in found
    for absent in ("hidden", "own", "listed"):
        assert ("patent", world[absent].id) not in found
    patent_row = next(r for r in rows if r.kind == "patent")
    assert patent_row.match.score == pytest.approx(sum(c.points for c in patent_row.match.contributions))


def test_need_page_marks_patents_not_yet_offered_and_asks_the_owner(client, auth, world):
    auth.login(world["buyer"])
    page = client.get(f"/needs/{world['need'].id}", headers=EN).get_data(as_text=True)
    assert "Not yet offered" in page
    assert "Ask the owner" in page
    assert world["hidden"].publication_number not in page
    client.post(f"/needs/{world['need'].id}/patents/{world['unoffered'].id}/ask", headers=EN)
    client.post(f"/needs/{world['need'].id}/patents/{world['unoffered'].id}/ask", headers=EN)  # once only
    notes = db.session.scalars(db.select(Notification).where(Notification.user_id == world["owner"].id)).all()
    assert [n.kind for n in notes] == ["need_owner_asked"]
    assert db.session.scalar(db.select(NeedInvitation.seller_id)) == world["owner"].id
    assert "Owner asked" in client.get(f"/needs/{world['need'].id}", headers=EN).get_data(as_text=True)
    hidden = client.post(f"/needs/{world['need'].id}/patents/{world['hidden'].id}/ask", headers=EN)
    assert hidden.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Notification.id)).where(
        Notification.user_id == world["owner"].id)) == 1  # fmt: skip


def test_dismiss_hides_save_lists_first(client, auth, world):
    need_id, listing_id, patent_id = world["need"].id, world["listing"].id, world["unoffered"].id
    auth.login(world["buyer"])
    client.post(f"/needs/{need_id}/listings/{listing_id}/mark", data={"mark": "dismiss"}, headers=EN)
    client.post(f"/needs/{need_id}/patents/{patent_id}/mark", data={"mark": "save"}, headers=EN)
    rows = marks.need_matches(world["need"], world["buyer"])
    assert ("listing", listing_id) not in _kinds(rows)
    assert _kinds(rows)[0] == ("patent", patent_id)
    assert rows[0].mark == "saved"
    shown = marks.need_matches(world["need"], world["buyer"], show_dismissed=True)
    assert ("listing", listing_id) in _kinds(shown)
    page = client.get(f"/needs/{need_id}?dismissed=1", headers=EN).get_data(as_text=True)
    assert "Dismissed" in page
    assert "Hide dismissed matches" in page
    client.post(f"/needs/{need_id}/listings/{listing_id}/mark", data={"mark": "clear"}, headers=EN)
    assert ("listing", listing_id) in _kinds(marks.need_matches(world["need"], world["buyer"]))


def test_only_the_buyer_marks(client, auth, world):
    auth.login(world["seller"])
    url = f"/needs/{world['need'].id}/listings/{world['listing'].id}/mark"
    assert client.post(url, data={"mark": "dismiss"}, headers=EN).status_code == 403


def _headers(user):
    _token, plaintext = create_api_token(user, "t")
    db.session.commit()
    return {"Authorization": f"Bearer {plaintext}", "Accept": "application/json", **EN}


def test_api_marks_and_match_fields(client, world):
    headers, need_id = _headers(world["buyer"]), world["need"].id
    body = client.get(f"/api/v1/needs/{need_id}/matches", headers=headers).get_json()
    patent = next(m for m in body if m["kind"] == "patent")
    assert patent["offered"] is False
    assert patent["patent_id"] == world["unoffered"].id
    assert patent["mark"] is None
    listing = next(m for m in body if m["kind"] == "listing")
    assert listing["offered"] is True
    done = client.post(
        f"/api/v1/needs/{need_id}/matches", json={"listing_id": listing["listing_id"], "mark": "dismissed"},
        headers=headers,
    )  # fmt: skip
    assert done.status_code == 200
    assert done.get_json()["mark"] == "dismissed"
    body = client.get(f"/api/v1/needs/{need_id}/matches", headers=headers).get_json()
    assert all(m["kind"] == "patent" for m in body)
    body = client.get(f"/api/v1/needs/{need_id}/matches?dismissed=true", headers=headers).get_json()
    assert [m["mark"] for m in body if m["kind"] == "listing"] == ["dismissed"]
    bad = client.post(f"/api/v1/needs/{need_id}/matches", json={"mark": "saved"}, headers=headers)
    assert bad.status_code == 422
    assert "error" in bad.get_json()
    hidden = client.post(
        f"/api/v1/needs/{need_id}/matches",
        json={"patent_id": world["hidden"].id, "mark": "saved"},
        headers=headers,
    )
    assert hidden.status_code == 404
    other = client.post(
        f"/api/v1/needs/{need_id}/matches", json={"listing_id": world["listing"].id, "mark": "saved"},
        headers=_headers(world["seller"]),
    )  # fmt: skip
    assert other.status_code == 403
    # The buyer's marks are theirs: another reader of the public need sees no mark, nothing hidden.
    seen = client.get(f"/api/v1/needs/{need_id}/matches", headers=_headers(world["seller"])).get_json()
    assert [m["mark"] for m in seen if m["kind"] == "listing"] == [None]
