"""Flask-Login wiring: session users and bearer-token users."""

from flask import Request
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.accounts.services import user_for_token
from app.extensions import db, login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to continue.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user and user.active else None


@login_manager.request_loader
def load_user_from_token(request: Request) -> User | None:
    """`Authorization: Bearer ipex_...` authenticates API calls without a session."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    user = user_for_token(token.strip())
    if user is not None:
        db.session.commit()  # keep last_used_at even if the request later fails
    return user
