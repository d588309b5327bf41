"""Matching weights as versions: draft -> approve by another administrator (four eyes) -> active,
on the shared lifecycle helper; every version kept; the active one is what the engine uses."""

import pytest

from app.accounts.models import Role
from app.catalogue.validation import ValidationFailed
from app.core.errors import PermissionDenied
from app.core.lifecycle import InvalidTransition, status_history
from app.extensions import db
from app.matching import services, weights
from app.matching.engine import DEFAULT_WEIGHTS
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller

EN = {"Accept-Language": "en"}
TEXT_ONLY = {"text": "1", "classification": "0", "budget": "0", "rights": "0", "freshness": "0",
             "responsiveness": "0"}  # fmt: skip


@pytest.fixture
def admins(make_user):
    return make_user(roles=(Role.ADMIN,)), make_user(roles=(Role.ADMIN,))


def test_four_eyes_then_active_and_used_by_the_engine(make_user, admins):
    first, second = admins
    buyer, seller = make_buyer(make_user), make_seller(make_user)
    make_listing(seller, [make_patent(seller)], "published")
    need = services.create_need(
        buyer,
        {"title_zh": "锂电池正极材料", "description_zh": "需要锂电池正极材料专利。", "codes": "H01M 4/00"},
    )
    services.transition(need, "publish", buyer)
    assert weights.active_weights() == dict(DEFAULT_WEIGHTS)

    draft = weights.create_draft(first, TEXT_ONLY, "text only, for a test")
    weights.transition(draft, "submit", first)
    with pytest.raises(PermissionDenied):
        weights.transition(draft, "approve", first)  # the author may not approve
    weights.transition(draft, "approve", second)
    db.session.commit()
    assert draft.status == weights.ACTIVE
    assert weights.active_weights()["classification"] == 0
    ((_listing, match),) = services.matches_for_need(need, buyer)
    assert {c.factor for c in match.contributions if c.points > 0} == {"text"}
    assert [e.action for e in status_history(draft)] == ["submit", "approve"]

    newer = weights.create_draft(second, {**TEXT_ONLY, "classification": "0.5"})
    weights.transition(newer, "submit", second)
    weights.transition(newer, "approve", first)
    assert (draft.status, newer.status) == (weights.RETIRED, weights.ACTIVE)
    assert [v.version for v in weights.versions()] == [2, 1]
    with pytest.raises(InvalidTransition):
        weights.transition(draft, "approve", second)


def test_only_admins_and_bad_numbers_are_refused(make_user, admins):
    with pytest.raises(PermissionDenied):
        weights.create_draft(make_user(roles=(Role.ASSESSOR,)), TEXT_ONLY)
    with pytest.raises(ValidationFailed) as caught:
        weights.create_draft(admins[0], {**TEXT_ONLY, "text": "2", "budget": "nan", "bogus": "1"})
    assert set(caught.value.fields) == {"text", "budget", "bogus"}
    with pytest.raises(ValidationFailed) as caught:
        weights.create_draft(admins[0], dict.fromkeys(TEXT_ONLY, "0"))
    assert set(caught.value.fields) == {"weights"}


def test_weights_page(client, auth, admins):
    first, second = admins
    auth.login(first)
    bad = client.post("/admin/matching/weights", data={**TEXT_ONLY, "text": "-1"}, headers=EN)
    assert bad.status_code == 422
    assert "Enter a number between 0 and 1." in bad.get_data(as_text=True)
    assert client.post("/admin/matching/weights", data=TEXT_ONLY, headers=EN).status_code == 302
    draft = db.session.scalar(db.select(weights.WeightSet))
    client.post(f"/admin/matching/weights/{draft.id}/submit", headers=EN)
    client.post(f"/admin/matching/weights/{draft.id}/approve", headers=EN)
    db.session.refresh(draft)
    assert draft.status == weights.PENDING  # refused: four eyes
    auth.logout()
    auth.login(second)
    client.post(f"/admin/matching/weights/{draft.id}/approve", headers=EN)
    db.session.refresh(draft)
    assert draft.status == weights.ACTIVE
    page = client.get("/admin/matching/weights", headers=EN).get_data(as_text=True)
    assert "v1" in page
    assert "In use (active)" in page
