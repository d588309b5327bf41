"""Expert recommendations: patent -> experts for an assessment, need -> experts for the buyer.

Experts with a recorded conflict (or one named in their profile) with the owner or the buyer are
left out, and the page and the API say why and who recorded it."""

import pytest

from app.accounts.models import Role
from app.accounts.services import create_api_token
from app.catalogue import people_services
from app.catalogue.validation import ValidationFailed
from app.core.errors import PermissionDenied
from app.extensions import db
from app.matching import experts, services
from app.matching.engine.experts import ExpertCandidate, Subject, rank_experts
from tests.market.listing_support import make_buyer, make_patent, make_seller

EN = {"Accept-Language": "en"}
BATTERY = {
    "name": "王平",
    "name_en": "Wang Ping",
    "specialties_ipc": ["H01M"],
    "industries": ["Energy storage"],
    "qualifications": ["certified_asset_appraiser", "patent_attorney"],
    "biography_en": "Values lithium battery cathode patents.",
    "availability": "available",
}
CONFLICTED = {**BATTERY, "name": "赵强", "name_en": "Zhao Qiang", "availability": "limited"}
NEED = {"title_en": "Lithium battery cathode", "description_en": "A cathode for batteries.", "codes": "H01M"}
SOFTWARE = {**BATTERY, "name": "李雪", "name_en": "Li Xue", "specialties_ipc": ["G06F"],
            "biography_en": "Software patents.", "qualifications": []}  # fmt: skip


def test_engine_contributions_sum_and_conflicts_are_excluded_not_scored():
    subject = Subject("lithium battery cathode", ("H01M 4/00",))
    pool = [
        ExpertCandidate(1, "lithium battery valuation", ("H01M",), ("patent_attorney",), "available"),
        ExpertCandidate(
            2, "lithium battery", ("H01M",), (), "available", ("conflict_owner_recorded", {"by": "A"})
        ),
        ExpertCandidate(3, "neural networks", ("G06N",), ("lawyer",), "available"),
        ExpertCandidate(4, "neural networks", ("G06N",), (), "available", ("conflict_owner_recorded", {})),
    ]
    matches, excluded = rank_experts(subject, pool)
    assert [m.candidate_id for m in matches] == [1]  # 3 shares neither field nor terms
    assert matches[0].score == pytest.approx(sum(c.points for c in matches[0].contributions))
    reasons = {c.factor: c.reason for c in matches[0].contributions}
    assert reasons == {
        "specialty": "specialty_subclass",
        "expertise_text": "expertise_text",
        "qualifications": "qualified",
        "availability": "availability_available",
    }
    # 4 is conflicted too, but would not fit the patent anyway: its conflict is not shown.
    assert [(x.expert_id, x.reason) for x in excluded] == [(2, "conflict_owner_recorded")]


@pytest.fixture
def world(make_user):
    owner = make_seller(make_user, name="Acme Battery Co")
    admin = make_user(roles=(Role.ADMIN,), display_name="Admin Liu")
    assessor = make_user(roles=(Role.ASSESSOR,))
    buyer = make_buyer(make_user)
    patent = make_patent(owner)
    good = people_services.create_expert(None, BATTERY, owner=admin)
    conflicted = people_services.create_expert(None, CONFLICTED, owner=admin)
    software = people_services.create_expert(None, SOFTWARE, owner=admin)
    db.session.flush()
    experts.record_conflict(conflicted, admin, "Employed by the owner until 2024", user=owner)
    db.session.commit()
    return {"owner": owner, "admin": admin, "assessor": assessor, "buyer": buyer, "patent": patent,
            "good": good, "conflicted": conflicted, "software": software}  # fmt: skip


def test_patent_experts_exclude_a_recorded_conflict_with_the_owner(app, world):
    with app.test_request_context(headers=EN):
        found = experts.experts_for_patent(world["patent"], world["assessor"])
        assert [e for e, _m in found.matches] == [world["good"]]
        ((expert, exclusion),) = found.excluded
        assert expert == world["conflicted"]
        from app.matching.expert_reasons import exclusion_reason

        assert exclusion_reason(exclusion) == (
            "Excluded: conflict with the owner (Employed by the owner until 2024), recorded by Admin Liu"
        )


def test_a_conflict_named_in_the_profile_also_excludes(app, world):
    named = people_services.create_expert(
        None,
        {**BATTERY, "name": "钱明", "conflicts": ["Acme Battery Co: advised 2023"]},
        owner=world["admin"],
    )
    db.session.commit()
    found = experts.experts_for_patent(world["patent"], world["owner"])
    assert named in [e for e, _x in found.excluded]
    assert named not in [e for e, _m in found.matches]


def test_need_experts_exclude_a_conflict_with_the_buyer(world):
    need = services.create_need(world["buyer"], NEED)
    experts.record_conflict(
        world["good"], world["admin"], "Advises the buyer", organisation=world["buyer"].organisation
    )
    db.session.commit()
    found = experts.experts_for_need(need, world["buyer"])
    assert world["good"] in [e for e, _x in found.excluded]
    assert found.excluded[0][1].reason == "conflict_buyer_recorded"
    with pytest.raises(PermissionDenied):
        experts.experts_for_need(need, world["assessor"])


def test_recording_a_conflict_is_checked(world):
    with pytest.raises(PermissionDenied):
        experts.record_conflict(world["good"], world["buyer"], "x", user=world["owner"])
    with pytest.raises(ValidationFailed) as caught:
        experts.record_conflict(world["good"], world["admin"], " ")
    assert set(caught.value.fields) == {"reason", "party"}


@pytest.mark.parametrize(
    ("who", "shown"), [("assessor", True), ("owner", True), ("admin", True), ("buyer", False)]
)
def test_patent_page_shows_experts_to_assessors_and_owners(client, auth, world, who, shown):
    auth.login(world[who])
    page = client.get(f"/patents/{world['patent'].id}", headers=EN).get_data(as_text=True)
    assert ("Recommended experts for an assessment" in page) is shown
    if shown:
        assert "Wang Ping" in page
        assert "Specialises in the same IPC/CPC subclass H01M" in page
        assert (
            "Excluded: conflict with the owner (Employed by the owner until 2024), recorded by Admin Liu"
            in page
        )


def test_patent_page_in_chinese_states_the_exclusion(client, auth, world):
    auth.login(world["assessor"])
    page = client.get(f"/patents/{world['patent'].id}", headers={"Accept-Language": "zh"}).get_data(
        as_text=True
    )
    assert "推荐评估专家" in page
    assert "已排除：与权利人存在利益冲突（Employed by the owner until 2024），登记人 Admin Liu" in page


def test_need_page_shows_advisers_to_its_buyer_only(client, auth, world):
    need = services.create_need(world["buyer"], NEED)
    services.transition(need, "publish", world["buyer"])
    db.session.commit()
    auth.login(world["buyer"])
    assert "Experts who could advise you" in client.get(f"/needs/{need.id}", headers=EN).get_data(
        as_text=True
    )
    auth.logout()
    auth.login(world["assessor"])
    assert "Experts who could advise you" not in client.get(f"/needs/{need.id}", headers=EN).get_data(
        as_text=True
    )


@pytest.mark.parametrize(("who", "status"), [("assessor", 200), ("owner", 200), ("buyer", 403), (None, 401)])
def test_api_patent_experts(client, world, who, status):
    headers = {"Accept": "application/json", **EN}
    if who:
        _token, plaintext = create_api_token(world[who], "t")
        db.session.commit()
        headers["Authorization"] = f"Bearer {plaintext}"
    response = client.get(f"/api/v1/patents/{world['patent'].id}/experts", headers=headers)
    assert response.status_code == status
    if status == 200:
        body = response.get_json()
        assert [e["name"] for e in body["experts"]] == ["王平 (Wang Ping)"]
        first = body["experts"][0]
        assert first["score"] == pytest.approx(sum(r["points"] for r in first["reasons"]), abs=1e-3)
        assert body["excluded"][0]["reason"].startswith("Excluded: conflict with the owner")
    assert client.get("/api/v1/patents/999999/experts", headers=headers).status_code in (401, 404)


def test_expert_page_records_a_conflict(client, auth, world):
    url = f"/admin/matching/experts/{world['good'].id}/conflicts"
    auth.login(world["assessor"])
    assert client.post(url, data={"party": "Acme Battery Co", "reason": "x"}, headers=EN).status_code == 403
    page = client.get(f"/experts/{world['good'].id}", headers=EN).get_data(as_text=True)
    assert "Recorded conflicts" in page
    assert "Record a conflict" not in page
    auth.logout()
    auth.login(world["admin"])
    unknown = client.post(url, data={"party": "Nobody Ltd", "reason": "x"}, headers=EN, follow_redirects=True)
    assert "No user or organisation of this name on IPEX." in unknown.get_data(as_text=True)
    client.post(url, data={"party": "Acme Battery Co", "reason": "Advised in 2023"}, headers=EN)
    page = client.get(f"/experts/{world['good'].id}", headers=EN).get_data(as_text=True)
    assert "Advised in 2023" in page
    assert "recorded by Admin Liu" in page
    found = experts.experts_for_patent(world["patent"], world["assessor"])
    assert world["good"] in [e for e, _x in found.excluded]


def test_seed_records_demo_conflicts_visible_on_a_battery_patent(runner):
    from app.accounts.services import find_user_by_email
    from app.catalogue.models import Patent, PatentClassification

    output = runner.invoke(args=["seed-demo"]).output
    assert "2 expert conflicts of interest recorded" in output, output
    assert "0 expert conflicts of interest recorded" in runner.invoke(args=["seed-demo"]).output
    company = find_user_by_email("company@ipex.demo")
    patent = db.session.scalar(
        db.select(Patent)
        .join(PatentClassification)
        .where(Patent.owner_id == company.id, PatentClassification.subclass == "H01M")
        .limit(1)
    )
    found = experts.experts_for_patent(patent, find_user_by_email("assessor@ipex.demo"))
    assert "EXP-ZHANG-WEI" in [
        e.reference for e, x in found.excluded if x.reason == "conflict_owner_recorded"
    ]


def test_api_need_experts_for_its_buyer(client, world):
    need = services.create_need(world["buyer"], NEED)
    services.transition(need, "publish", world["buyer"])
    experts.record_conflict(world["good"], world["admin"], "Advises the buyer", user=world["buyer"])
    db.session.commit()
    answers = {}
    for who in ("buyer", "assessor"):
        _token, plaintext = create_api_token(world[who], "t")
        db.session.commit()
        headers = {"Authorization": f"Bearer {plaintext}", "Accept": "application/json", **EN}
        answers[who] = client.get(f"/api/v1/needs/{need.id}/experts", headers=headers)
    assert answers["assessor"].status_code == 403
    body = answers["buyer"].get_json()
    assert [x["reason"] for x in body["excluded"]] == [
        "Excluded: conflict with the buyer (Advises the buyer), recorded by Admin Liu"
    ]
    assert "王平 (Wang Ping)" not in [e["name"] for e in body["experts"]]


def test_the_ranking_is_kept_between_views_and_follows_a_new_conflict(app, world):
    """Every view of a need's or patent's page ranked every expert again (tokenising all their texts:
    the need page's largest cost); the ranking is now kept per data version, so a recorded conflict
    shows on the next view."""
    from sqlalchemy import event

    need = services.create_need(world["buyer"], NEED)
    db.session.commit()
    first = experts.experts_for_need(need, world["buyer"])
    assert world["good"] in [e for e, _m in first.matches]
    db.session.expire_all()  # as a new request would
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        again = experts.experts_for_need(need, world["buyer"])
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert [e.id for e, _m in again.matches] == [e.id for e, _m in first.matches]
    assert not [s for s in statements if "expert_conflict_records" in s], statements
    experts.record_conflict(
        world["good"], world["admin"], "Advises the buyer", organisation=world["buyer"].organisation
    )
    db.session.commit()
    after = experts.experts_for_need(need, world["buyer"])
    assert world["good"] in [e for e, _x in after.excluded]
    assert world["good"] not in [e for e, _m in after.matches]
