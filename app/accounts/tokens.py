"""Signed links for e-mail: password reset and address verification.

Each purpose has its own salt, so a token minted for one can never be used for the other. A reset
token also carries a fingerprint of the password hash: once the password changes (by this reset or
any other way) every earlier reset link stops working, which makes the link single-use. A
verification token carries the address it was sent to, so changing the address voids it.
"""

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.accounts.models import User
from app.core.models import utcnow
from app.extensions import db

RESET_SALT = "ipex.accounts.password-reset"
VERIFY_SALT = "ipex.accounts.email-verification"


class InvalidLink(Exception):
    """The link is forged, expired, already used or for another purpose."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _timestamp() -> int:
    """The signing clock: the app's UTC clock, so tests can move it."""
    return int(utcnow().timestamp())


class _Serializer(URLSafeTimedSerializer):
    def __init__(self, salt: str) -> None:
        super().__init__(
            current_app.config["SECRET_KEY"],
            salt=salt,
            signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256},
        )

    def make_signer(self, salt=None):
        signer = super().make_signer(salt)
        signer.get_timestamp = _timestamp
        return signer


def _password_fingerprint(user: User) -> str:
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), user.password_hash.encode(), "sha256")
    return digest.hexdigest()[:20]


def _load(salt: str, token: str, max_age: int) -> dict:
    try:
        payload = _Serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise InvalidLink(expired=True) from error
    except BadSignature as error:
        raise InvalidLink() from error
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise InvalidLink()
    return payload


def _user(payload: dict) -> User:
    user = db.session.get(User, payload["u"])
    if user is None or not user.active:
        raise InvalidLink()
    return user


def password_reset_token(user: User) -> str:
    return _Serializer(RESET_SALT).dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User:
    """The user a reset link is for; raises InvalidLink once the password has changed since."""
    payload = _load(RESET_SALT, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = _user(payload)
    if not hmac.compare_digest(str(payload.get("p", "")), _password_fingerprint(user)):
        raise InvalidLink()
    return user


def email_verification_token(user: User) -> str:
    return _Serializer(VERIFY_SALT).dumps({"u": user.id, "e": user.email})


def user_for_verification_token(token: str) -> User:
    """The user whose address this link confirms; raises InvalidLink if the address has changed."""
    payload = _load(VERIFY_SALT, token, current_app.config["EMAIL_VERIFY_MAX_AGE"])
    user = _user(payload)
    if payload.get("e") != user.email:
        raise InvalidLink()
    return user
