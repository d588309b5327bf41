"""The app factory and configuration classes."""

import pytest

from app import create_app
from config import ConfigurationError, DevelopmentConfig, ProductionConfig, TestingConfig


def test_testing_config_is_used():
    assert create_app(TestingConfig).testing


def test_development_config_defaults_to_sqlite_in_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("IPEX_INSTANCE_PATH", raising=False)  # the tests' own instance folder
    config = type("Dev", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": ""})
    app = create_app(config)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///")
    assert uri.endswith("instance/ipex.db")


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_production_refuses_to_start_without_secrets(monkeypatch, missing):
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@localhost/x")
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigurationError, match=missing):
        create_app(ProductionConfig)


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"]


def test_database_url_short_form_uses_psycopg(monkeypatch):
    from config import _normalise_database_url

    assert _normalise_database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert _normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
