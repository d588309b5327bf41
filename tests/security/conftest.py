"""Security fixtures: a user in each role, and API token headers."""

import pytest

import app.models  # noqa: F401  (every table on the metadata before the PostgreSQL database is created)
from app.accounts.models import Role
from app.accounts.services import create_api_token
from app.extensions import db


@pytest.fixture
def holder(make_user):
    return make_user(email="holder@example.com", roles=(Role.RIGHTS_HOLDER,))


@pytest.fixture
def bearer():
    """bearer(user) -> headers carrying a fresh personal API token for that user."""

    def headers(user) -> dict:
        _token, plaintext = create_api_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {plaintext}", "Accept": "application/json"}

    return headers
