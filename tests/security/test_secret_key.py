"""No key written in the repository can sign a session or remember-me cookie the default app accepts."""

import ast
import re
import stat
from pathlib import Path

import pytest
from flask import Flask
from flask_login.utils import _create_identifier, encode_cookie

from app import create_app
from app.accounts.models import Role, User, UserRole
from app.accounts.passwords import hash_password
from app.extensions import db
from config import ConfigurationError, DevelopmentConfig, ProductionConfig

ROOT = Path(__file__).resolve().parents[2]
AGENT = {"User-Agent": "forger/1.0"}
# Flask-Login identity of user 1 in its first session generation (User.get_id)
ADMIN_IDENTITY = "1:0"


def repository_string_constants() -> set[str]:
    """Every short one-line string literal in config and app code (and the tests): any could be a key."""
    files = [ROOT / "config.py", ROOT / "wsgi.py", *ROOT.glob("app/**/*.py"), *ROOT.glob("tests/**/*.py")]
    found: set[str] = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return {value for value in found if looks_like_a_key(value)}


def looks_like_a_key(value: str) -> bool:
    """Keys are single printable tokens: no spaces, paths, markup or format strings."""
    return 4 <= len(value) <= 200 and re.fullmatch(r"[\w!#$*+,.:;=?@^~|\[\]-]+", value, re.ASCII) is not None


@pytest.fixture
def default_app(monkeypatch, tmp_path):
    """The app exactly as `make run` or `gunicorn wsgi:app` builds it, with its own instance folder."""
    for name in ("IPEX_CONFIG", "SECRET_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IPEX_INSTANCE_PATH", str(tmp_path / "instance"))
    config = type("Default", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": ""})
    app = create_app(config)
    with app.app_context():
        db.create_all()
        admin = User(email="admin@example.com", password_hash=hash_password("x" * 12), display_name="Admin")
        admin.role_grants = [UserRole(role=Role.ADMIN.value)]
        db.session.add(admin)
        db.session.commit()
        assert admin.id == 1
    yield app
    with app.app_context():
        db.engine.dispose()


def forged_session_cookie(key: str) -> str:
    """A Flask session for user 1, signed with `key`, bound to the test client's address and agent."""
    signer = Flask("forger")
    signer.secret_key = key
    with signer.test_request_context(headers=AGENT, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        data = {"_user_id": ADMIN_IDENTITY, "_fresh": True, "_id": _create_identifier()}
        return signer.session_interface.get_signing_serializer(signer).dumps(data)


def is_admin_with(app: Flask, cookies: dict[str, str]) -> bool:
    """With a bad session cookie Flask-Login falls back to the remember cookie: one request tests both."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    users_page = client.get("/admin/users", headers=AGENT)
    me = client.get("/api/v1/me", headers=AGENT)
    return users_page.status_code == 200 or me.status_code == 200


def test_default_app_keeps_a_private_random_key_in_its_instance(default_app):
    key_file = Path(default_app.instance_path) / "secret_key"
    assert default_app.secret_key == key_file.read_text().strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(default_app.secret_key) >= 48
    second = create_app(type("Again", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"}))
    assert second.secret_key == default_app.secret_key  # every worker of the instance agrees


def test_forging_works_with_the_real_key(default_app):
    """Control: the forging below is correct, so its refusals mean the keys are wrong."""
    assert is_admin_with(default_app, {"session": forged_session_cookie(default_app.secret_key)})
    assert is_admin_with(default_app, {"remember_token": encode_cookie(ADMIN_IDENTITY, key=default_app.secret_key)})
    assert is_admin_with(
        default_app, {"session": "garbage", "remember_token": encode_cookie(ADMIN_IDENTITY, key=default_app.secret_key)}
    )


def test_no_key_in_the_repository_signs_an_admin_cookie(default_app):
    candidates = repository_string_constants()
    assert "correct-horse-42" in candidates  # the scan sees the tests' constants too
    accepted = [
        key
        for key in sorted(candidates)
        if is_admin_with(
            default_app,
            {"session": forged_session_cookie(key), "remember_token": encode_cookie(ADMIN_IDENTITY, key=key)},
        )
    ]
    assert accepted == []


def test_production_refuses_to_start_without_a_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("IPEX_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(type("Prod", (ProductionConfig,), {"SECRET_KEY": None}))
    assert not (tmp_path / "secret_key").exists()


def test_production_sends_hsts(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app(ProductionConfig)
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
