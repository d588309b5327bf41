"""API base: personal tokens, /me, JSON errors, the OpenAPI document."""

import re

from sqlalchemy import select

from app.accounts.models import ApiToken, Role, User
from app.extensions import db


def create_token(client, auth, user, name="ci") -> str:
    auth.login(user)
    page = client.post("/account/tokens", data={"name": name}).get_data(as_text=True)
    start = page.index('id="new-token">') + len('id="new-token">')
    return page[start : page.index("<", start)]


def test_token_is_shown_once_and_stored_hashed(client, auth, make_user):
    user = make_user()
    token = create_token(client, auth, user)
    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.token_hash != token
    assert token not in stored.token_hash
    assert stored.prefix == token[:12]
    assert token not in client.get("/account").get_data(as_text=True)


def test_token_authenticates_api_calls(app, client, auth, make_user):
    user = make_user(roles=(Role.BUYER, Role.RIGHTS_HOLDER), organisation="钱塘科技", verified=True)
    token = create_token(client, auth, user)
    api = app.test_client()
    response = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["email"] == user.email
    assert response.json["roles"] == ["buyer", "rights_holder"]
    assert response.json["organisation"] == {"id": user.organisation_id, "name": "钱塘科技", "verified": True}
    assert db.session.scalars(select(ApiToken)).one().last_used_at is not None


def test_revoked_or_wrong_token_is_refused_with_json_401(app, client, auth, make_user):
    user = make_user()
    token = create_token(client, auth, user)
    token_id = db.session.scalars(select(ApiToken.id)).one()
    client.post(f"/account/tokens/{token_id}/revoke")
    api = app.test_client()
    for header in (f"Bearer {token}", "Bearer ipex_nonsense", "Basic abc"):
        response = api.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.json["error"]["code"] == 401


def test_token_of_deactivated_user_is_refused(app, client, auth, make_user):
    user = make_user()
    token = create_token(client, auth, user)
    db.session.get(User, user.id).active = False
    db.session.commit()
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(app, client, auth, make_user):
    owner = make_user()
    create_token(client, auth, owner)
    token_id = db.session.scalars(select(ApiToken.id)).one()
    auth.logout()
    auth.login(make_user())
    client.post(f"/account/tokens/{token_id}/revoke")
    assert db.session.get(ApiToken, token_id).revoked_at is None


def test_patch_me_validates_fields(app, client, auth, make_user):
    token = create_token(client, auth, make_user())
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    bad = api.patch("/api/v1/me", json={"locale": "fr", "display_name": ""}, headers=headers)
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"locale", "display_name"}
    unknown = api.patch("/api/v1/me", json={"is_admin": True}, headers=headers)
    assert unknown.status_code == 422
    assert "is_admin" in unknown.json["error"]["fields"]
    ok = api.patch("/api/v1/me", json={"display_name": " 新名字 ", "locale": "en"}, headers=headers)
    assert ok.status_code == 200
    assert ok.json["display_name"] == "新名字"


def test_malformed_json_is_a_clear_400(app, client, auth, make_user):
    token = create_token(client, auth, make_user())
    response = app.test_client().patch(
        "/api/v1/me",
        data="{not json",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept-Language": "en",
        },
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == 400
    assert response.json["error"]["message"]


def test_session_writes_through_the_api_need_csrf(app, make_user):
    import re

    user = make_user()
    app.config["WTF_CSRF_ENABLED"] = True
    browser = app.test_client()
    login_page = browser.get("/login").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    browser.post(
        "/login", data={"email": user.email, "password": "correct-horse-42", "csrf_token": csrf_token}
    )
    assert browser.patch("/api/v1/me", json={"display_name": "x"}).status_code == 400
    allowed = browser.patch("/api/v1/me", json={"display_name": "x"}, headers={"X-CSRFToken": csrf_token})
    assert allowed.status_code == 200


def test_openapi_document_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/me" in spec["paths"]
    assert "patch" in spec["paths"]["/api/v1/me"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    assert "MeUpdate" in spec["components"]["schemas"]


def test_api_docs_page_uses_local_assets(client):
    page = client.get("/api/v1/docs/").get_data(as_text=True)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in page
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    asset.close()
    assert asset.status_code == 200


def test_field_messages_of_the_request_parser_are_in_the_readers_language(app, client, auth, make_user):
    """webargs/marshmallow answer in English constants ("Missing data for required field."); a
    Chinese reader got them untranslated inside an otherwise Chinese error."""
    token = create_token(client, auth, make_user())
    api = app.test_client()
    for language, unknown, too_many in (
        ("zh-CN", "未知字段。", "请填写 1 至 100 之间的值。"),
        ("en", "Unknown field.", "Enter a value from 1 to 100."),
    ):
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": language}
        body = api.patch("/api/v1/me", json={"is_admin": True}, headers=headers).json["error"]
        assert body["fields"]["is_admin"] == unknown
        listed = api.get("/api/v1/patents?per_page=1000", headers=headers).json["error"]
        assert listed["fields"]["per_page"] == too_many


def test_api_docs_name_every_endpoint_group_in_the_readers_language(app, client):
    """Swagger UI headed each group with its blueprint identifier ("api_me", "api_catalogue")."""
    from app.api.docs import GROUPS

    raw = client.get("/api/v1/openapi.json").json
    assert {tag["name"] for tag in raw["tags"]} <= set(GROUPS)  # a new API blueprint needs a title here
    for language, title in (("zh-CN", "您的账户"), ("en", "Your account")):
        spec = client.get("/api/v1/docs/openapi.json", headers={"Accept-Language": language}).json
        names = {tag["name"] for tag in spec["tags"]}
        assert title in names
        assert not any(name.startswith("api_") for name in names)
        operations = [op for item in spec["paths"].values() for op in item.values() if isinstance(op, dict)]
        used = {name for op in operations for name in op.get("tags", [])}
        assert used <= names
    assert "/api/v1/docs/openapi.json" in client.get("/api/v1/docs/").get_data(as_text=True)


def test_every_endpoint_is_summarised_in_the_readers_language(client):
    """Each endpoint says what it does (its view's docstring), and a Chinese reader reads that in
    Chinese: the summaries reach the catalogue through the Babel extractor in app/api/docstrings.py."""
    han = re.compile(r"[\u4e00-\u9fff]")
    english = client.get("/api/v1/docs/openapi.json", headers={"Accept-Language": "en"}).json
    chinese = client.get("/api/v1/docs/openapi.json", headers={"Accept-Language": "zh-CN"}).json
    for path, item in english["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), f"{where} has no summary (give its view a docstring)"
            translated = chinese["paths"][path][method]
            for key in ("summary", "description"):
                if operation.get(key):
                    assert han.search(translated[key]), f"{where}: {key} not translated: {translated[key]!r}"
    assert all(han.search(tag["description"]) for tag in chinese["tags"]), chinese["tags"]
    machine = client.get("/api/v1/openapi.json", headers={"Accept-Language": "zh-CN"}).json
    assert machine["paths"] == client.get("/api/v1/openapi.json").json["paths"]  # machines keep English
