"""Profile changes through the form and PATCH /api/v1/me share one validation."""

import pytest

from app.accounts.models import User
from app.accounts.services import InvalidField, create_api_token, update_profile
from app.extensions import db


def bearer(user: User) -> dict[str, str]:
    _token, plaintext = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plaintext}", "Accept": "application/json"}


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "asia/shanghai", "", "../../etc/passwd", "UTC+8"])
def test_api_refuses_an_unknown_time_zone_with_422_naming_the_field(client, auth, make_user, zone):
    user = make_user()
    auth.login(user)
    response = client.patch("/api/v1/me", json={"timezone": zone}, headers=bearer(user))
    assert response.status_code == 422
    assert "timezone" in response.json["error"]["fields"]
    assert db.session.get(User, user.id).timezone == "Asia/Shanghai"
    assert client.get("/account").status_code == 200


def test_api_accepts_any_real_time_zone_and_the_account_page_renders(client, auth, make_user):
    user = make_user()
    auth.login(user)
    response = client.patch(
        "/api/v1/me", json={"timezone": "America/Sao_Paulo", "display_name": " 李 "}, headers=bearer(user)
    )
    assert response.status_code == 200
    assert (response.json["timezone"], response.json["display_name"]) == ("America/Sao_Paulo", "李")
    assert client.get("/account").status_code == 200


def test_api_reports_whether_the_address_is_confirmed(client, auth, make_user):
    user = make_user(email_verified=False)
    assert client.get("/api/v1/me", headers=bearer(user)).json["email_verified"] is False


def test_profile_form_uses_the_same_rule(client, auth, make_user):
    auth.login(make_user())
    response = client.post("/account", data={"display_name": "x", "locale": "", "timezone": "Mars/Base"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone": "Nowhere/City"}, "timezone"),
        ({"locale": "fr"}, "locale"),
        ({"display_name": "  "}, "display_name"),
    ],
)
def test_service_names_the_bad_field(make_user, changes, field):
    with pytest.raises(InvalidField) as refused:
        update_profile(make_user(), changes)
    assert list(refused.value.fields) == [field]
