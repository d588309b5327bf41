"""Administrator pages: who may see them, and every change is recorded."""

import pytest
from sqlalchemy import select

from app.accounts.models import AuditEvent, Organisation, Role, User
from app.extensions import db

ADMIN_PAGES = ["/admin/users", "/admin/organisations", "/admin/audit"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (None, 302),
        ((Role.BUYER,), 403),
        ((Role.RIGHTS_HOLDER,), 403),
        ((Role.ASSESSOR,), 403),
        ((Role.ADMIN,), 200),
    ],
)
def test_admin_pages_permissions(client, auth, make_user, path, roles, expected):
    if roles:
        auth.login(make_user(roles=roles))
    assert client.get(path).status_code == expected


def test_forbidden_json_request_gets_a_json_403(client, auth, make_user):
    auth.login(make_user(roles=(Role.BUYER,)))
    response = client.get("/admin/users", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.json["error"]["code"] == 403


def test_forbidden_page_keeps_navigation(client, auth, make_user):
    auth.login(make_user(roles=(Role.BUYER,)))
    page = client.get("/admin/users", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="site-nav"' in page
    assert "You do not have permission to do that." in page


@pytest.fixture
def admin(client, auth, make_user):
    user = make_user(email="admin@example.com", roles=(Role.ADMIN,))
    auth.login(user)
    return user


def audit_actions() -> list[str]:
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_admin_grants_and_revokes_assessor_role(client, admin, make_user):
    target = make_user(roles=(Role.BUYER,))
    client.post(f"/admin/users/{target.id}/roles", data={"role": "assessor", "action": "grant"})
    assert db.session.get(User, target.id).roles == {Role.BUYER, Role.ASSESSOR}
    client.post(f"/admin/users/{target.id}/roles", data={"role": "assessor", "action": "revoke"})
    assert db.session.get(User, target.id).roles == {Role.BUYER}
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "role.grant")).one()
    assert (event.actor_id, event.subject_id, event.details) == (admin.id, target.id, {"role": "assessor"})
    assert "role.revoke" in audit_actions()


def test_last_admin_cannot_lose_admin_role_or_be_deactivated(client, admin):
    client.post(f"/admin/users/{admin.id}/roles", data={"role": "admin", "action": "revoke"})
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0", "reason": "oops"})
    user = db.session.get(User, admin.id)
    assert user.has_role(Role.ADMIN)
    assert user.active


def test_admin_verifies_organisation_and_it_is_recorded(client, admin, make_user):
    seller = make_user(roles=(Role.RIGHTS_HOLDER,), organisation="钱塘电池研究院")
    org_id = seller.organisation_id
    client.post(
        f"/admin/organisations/{org_id}/verification", data={"verified": "1", "reason": "licence checked"}
    )
    assert db.session.get(Organisation, org_id).is_verified
    assert db.session.get(User, seller.id).is_verified
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "organisation.verify")).one()
    assert event.details["note"] == "licence checked"
    client.post(f"/admin/organisations/{org_id}/verification", data={"verified": "0"})
    assert db.session.get(Organisation, org_id).is_verified  # withdrawing needs a reason
    client.post(f"/admin/organisations/{org_id}/verification", data={"verified": "0", "reason": "expired"})
    assert not db.session.get(Organisation, org_id).is_verified


def test_deactivated_user_is_logged_out_and_cannot_log_in(app, client, admin, make_user):
    target = make_user(roles=(Role.BUYER,))
    target_browser = app.test_client()
    target_browser.post("/login", data={"email": target.email, "password": "correct-horse-42"})
    assert target_browser.get("/account").status_code == 200
    client.post(f"/admin/users/{target.id}/active", data={"active": "0", "reason": "fraud"})
    assert not db.session.get(User, target.id).active
    assert target_browser.get("/account").status_code == 302
    assert "user.deactivate" in audit_actions()


def test_user_list_search(client, admin, make_user):
    make_user(email="wang@zju.example", display_name="王教授", organisation="浙江大学")
    make_user(email="li@corp.example", display_name="李经理", organisation="某某公司")
    page = client.get("/admin/users?q=浙江").get_data(as_text=True)
    assert "王教授" in page
    assert "李经理" not in page


def test_admin_pages_survive_odd_page_numbers(client, admin):
    for page in ("0", "-1", "abc", "999"):
        assert client.get(f"/admin/users?page={page}").status_code == 200


def test_create_admin_command(runner):
    result = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "Root@Example.com",
            "--name",
            "Root",
            "--password",
            "first-admin-2026",
        ],
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "root@example.com"))
    assert user.has_role(Role.ADMIN)
    again = runner.invoke(
        args=[
            "users",
            "create-admin",
            "--email",
            "root@example.com",
            "--name",
            "Root",
            "--password",
            "first-admin-2026",
        ],
    )
    assert again.exit_code != 0
    assert "该邮箱已注册账户" in again.output  # the CLI speaks the default language, zh


def test_create_admin_refuses_weak_password(runner):
    result = runner.invoke(args=["users", "create-admin", "--email", "a@b.example", "--password", "weak"])
    assert result.exit_code != 0
