"""A token's last use is recorded coarsely: busy API clients must not write on every call."""

from datetime import timedelta

from app.accounts.models import ApiToken
from app.accounts.services import create_api_token
from app.core.models import utcnow
from app.extensions import db


def test_last_use_is_written_at_most_once_a_minute(app, client, make_user):
    user = make_user()
    token, plaintext = create_api_token(user, "ci")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plaintext}"}

    assert client.get("/api/v1/me", headers=headers).status_code == 200
    first_use = db.session.get(ApiToken, token.id).last_used_at
    assert first_use is not None

    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at == first_use

    an_hour_ago = utcnow() - timedelta(hours=1)
    db.session.get(ApiToken, token.id).last_used_at = an_hour_ago
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at > an_hour_ago
