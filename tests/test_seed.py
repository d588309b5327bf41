"""`flask seed-demo` loads every role's demo login and is idempotent."""

from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.extensions import db


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_creates_a_login_per_role_and_is_idempotent(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "admin@ipex.demo" in first.output
    users = db.session.scalars(select(User)).all()
    assert set().union(*(user.roles for user in users)) == set(Role)
    tables = {table.name: count(table) for table in db.metadata.sorted_tables}
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert {table.name: count(table) for table in db.metadata.sorted_tables} == tables


def test_demo_logins_work(runner, client, auth):
    runner.invoke(args=["seed-demo"])
    assert auth.login("admin@ipex.demo", "demo-pass-2026").status_code == 302
    assert client.get("/admin/users").status_code == 200
