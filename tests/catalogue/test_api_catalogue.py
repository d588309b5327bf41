"""/api/v1/patents, /projects, /experts: filters, envelope, token writes, 422 naming fields."""

import pytest

from app.accounts.services import create_api_token
from app.catalogue import services
from app.extensions import db

from .conftest import GOOD_EXPERT, GOOD_PATENT, GOOD_PROJECT


@pytest.fixture
def bearer():
    def headers(user) -> dict:
        _token, plaintext = create_api_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {plaintext}", "Accept": "application/json"}

    return headers


def test_list_patents_with_filters_and_envelope(client, make_patent, holder):
    make_patent(holder)
    make_patent(holder, publication_number="CN118866380A", ipc_codes=["G06F 17/00"], legal_status="granted",
                grant_date="2019-01-02")  # fmt: skip
    body = client.get("/api/v1/patents?per_page=1").get_json()
    assert (body["total"], body["pages"], len(body["items"])) == (2, 2, 1)
    assert body["items"][0]["display_number"] == "CN 118866380 A"  # no words: newest first, as on the page
    assert client.get("/api/v1/patents?ipc=G06F").get_json()["total"] == 1
    assert client.get("/api/v1/patents?status=granted&granted_from=2019-01-01").get_json()["total"] == 1
    assert client.get("/api/v1/patents?q=Lithium").get_json()["total"] == 2


def test_list_rejects_bad_query_args(client):
    response = client.get("/api/v1/patents?per_page=1000&filed_from=yesterday")
    assert response.status_code == 422
    assert {"per_page", "filed_from"} <= set(response.get_json()["error"]["fields"])


def test_patent_detail_and_hidden_404(client, make_patent, holder, admin):
    patent = make_patent(holder)
    body = client.get(f"/api/v1/patents/{patent.id}").get_json()
    assert body["classifications"][0] == {"scheme": "ipc", "code": "H01M 10/0525", "is_main": True}
    assert body["inventors"] == ["张三", "李四"]
    assert body["expiry_date"] == "2037-07-20"
    services.moderate(patent, admin, "hide", "check")
    db.session.commit()
    assert client.get(f"/api/v1/patents/{patent.id}").status_code == 404


def test_create_needs_authentication(client):
    response = client.post("/api/v1/patents", json=GOOD_PATENT)
    assert response.status_code == 401


def test_create_and_update_with_token(client, bearer, holder):
    headers = bearer(holder)
    created = client.post("/api/v1/patents", json=GOOD_PATENT, headers=headers)
    assert created.status_code == 201, created.get_json()
    patent_id = created.get_json()["id"]
    updated = client.patch(f"/api/v1/patents/{patent_id}", json={"legal_status": "granted"}, headers=headers)
    assert updated.status_code == 200
    assert updated.get_json()["legal_status"] == "granted"


def test_validation_errors_are_422_naming_fields(client, bearer, holder):
    headers = bearer(holder)
    bad = {**GOOD_PATENT, "publication_number": "CN 12", "grant_date": "2010-01-01"}
    response = client.post("/api/v1/patents", json=bad, headers=headers)
    assert response.status_code == 422
    assert {"publication_number", "grant_date"} <= set(response.get_json()["error"]["fields"])
    typed = client.post("/api/v1/patents", json={**GOOD_PATENT, "claims_count": "many"}, headers=headers)
    assert typed.status_code == 422
    assert "claims_count" in typed.get_json()["error"]["fields"]
    unknown = client.post("/api/v1/patents", json={**GOOD_PATENT, "colour": "red"}, headers=headers)
    assert unknown.status_code == 422
    assert "colour" in unknown.get_json()["error"]["fields"]


@pytest.mark.parametrize(("who", "status"), [("owner", 200), ("other", 403), ("admin", 200), ("buyer", 403)])
def test_update_permissions(client, bearer, make_patent, holder, other_holder, admin, buyer, who, status):
    patent = make_patent(holder)
    user = {"owner": holder, "other": other_holder, "admin": admin, "buyer": buyer}[who]
    response = client.patch(f"/api/v1/patents/{patent.id}", json={"title_en": "X"}, headers=bearer(user))
    assert response.status_code == status


def test_buyer_cannot_create(client, bearer, buyer):
    assert client.post("/api/v1/patents", json=GOOD_PATENT, headers=bearer(buyer)).status_code == 403


def test_projects_api(client, bearer, holder, other_holder):
    headers = bearer(holder)
    created = client.post("/api/v1/projects", json=GOOD_PROJECT, headers=headers)
    assert created.status_code == 201
    body = created.get_json()
    assert body["funding_amount"] == "5000000.00"
    assert body["seeking"] == ["funding"]
    listed = client.get("/api/v1/projects?stage=pilot").get_json()
    assert listed["total"] == 1
    bad = client.post("/api/v1/projects", json={**GOOD_PROJECT, "funding_amount": -1}, headers=headers)
    assert bad.status_code == 422
    assert "funding_amount" in bad.get_json()["error"]["fields"]
    other = client.patch(f"/api/v1/projects/{body['id']}", json={"trl": 7}, headers=bearer(other_holder))
    assert other.status_code == 403


def test_experts_api(client, bearer, buyer):
    headers = bearer(buyer)
    created = client.post("/api/v1/experts", json=GOOD_EXPERT, headers=headers)
    assert created.status_code == 201
    expert_id = created.get_json()["id"]
    assert client.get("/api/v1/experts?specialty=H01M").get_json()["total"] == 1
    detail = client.get(f"/api/v1/experts/{expert_id}").get_json()
    assert detail["specialties_ipc"] == ["H01M", "G06F"]
    assert detail["conflicts"] == ["Acme Battery Co"]
    bad = client.patch(f"/api/v1/experts/{expert_id}", json={"languages": ["english"]}, headers=headers)
    assert bad.status_code == 422
    assert "languages" in bad.get_json()["error"]["fields"]


def test_openapi_documents_catalogue_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/patents", "/api/v1/patents/{patent_id}", "/api/v1/projects", "/api/v1/experts"} <= set(
        paths
    )


@pytest.mark.parametrize(
    ("language", "expected"), [("zh", "不是有效的 CN 号码"), ("en", "is not a valid CN number")]
)
def test_422_field_messages_follow_accept_language(client, bearer, holder, language, expected):
    headers = {**bearer(holder), "Accept-Language": language}
    bad = {**GOOD_PATENT, "publication_number": "CN 12", "grant_date": "2010-01-01"}
    fields = client.post("/api/v1/patents", json=bad, headers=headers).get_json()["error"]["fields"]
    assert expected in fields["publication_number"]
    assert ("早于申请日" if language == "zh" else "before filing date") in fields["grant_date"]


def test_project_and_expert_lists_match_text_as_the_search_page_does(
    client, make_project, make_expert, holder
):
    battery = make_project(holder, title_zh="固态电池中试", title_en="Solid-state battery pilot")
    make_project(holder, title_zh="智能焊接机器人", title_en="Welding robot", reference="P-2")
    make_expert(holder)
    listed = client.get("/api/v1/projects?q=电池").get_json()
    assert [item["id"] for item in listed["items"]] == [battery.id]
    assert client.get("/api/v1/projects?q=battery pilot").get_json()["total"] == 1
    assert client.get("/api/v1/projects?q=电池&stage=mass_production").get_json()["total"] == 0
    assert client.get("/api/v1/experts?q=王").get_json()["total"] == 1
    assert client.get("/api/v1/experts?q=nobody").get_json()["total"] == 0
    assert client.get("/api/v1/experts?q=" + "长" * 500).status_code == 200  # too long: cut, not a 500
