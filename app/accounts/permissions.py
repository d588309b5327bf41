"""Authorization as named predicates plus one decorator that answers HTML or JSON."""

from collections.abc import Callable
from functools import wraps

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import Role, User
from app.core.errors import error_response
from app.core.http import wants_json

Predicate = Callable[[User], bool]


def is_authenticated(user: User) -> bool:
    # `user is not None`, not `bool(user)`: on the current_user proxy that costs a second look-up.
    return user is not None and bool(user.is_authenticated)


def has_role(role: Role) -> Predicate:
    def predicate(user: User) -> bool:
        return is_authenticated(user) and user.has_role(role)

    predicate.__name__ = f"has_role_{role.value}"
    return predicate


def any_of(*predicates: Predicate) -> Predicate:
    def predicate(user: User) -> bool:
        return any(p(user) for p in predicates)

    return predicate


is_admin = has_role(Role.ADMIN)
is_assessor = has_role(Role.ASSESSOR)
is_rights_holder = has_role(Role.RIGHTS_HOLDER)
is_buyer = has_role(Role.BUYER)
is_assessor_or_admin = any_of(is_assessor, is_admin)


def is_verified(user: User) -> bool:
    return is_authenticated(user) and user.is_verified


def is_email_verified(user: User) -> bool:
    """Logged in with a confirmed e-mail address."""
    return is_authenticated(user) and user.is_email_verified


def can_trade(user: User) -> bool:
    """May list, bid and make offers: an active account whose e-mail address is confirmed.

    Unconfirmed accounts browse only. Organisation verification (is_verified) is a separate,
    stronger badge that the market may ask for in addition.
    """
    return is_email_verified(user) and user.active


def permission_required(predicate: Predicate, message: Callable[[], str] | None = None) -> Callable:
    """Refuse the view unless predicate(current_user): login redirect, 403 page or 403 JSON.

    message, when given, says why a logged-in user is refused (called at refusal, translated then).
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if predicate(current_user):
                return view(*args, **kwargs)
            if not is_authenticated(current_user):
                if wants_json():
                    return error_response(401)
                flash(_("Please log in to continue."), "info")
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            return error_response(403, message() if message else None)

        return wrapped

    return decorator


login_required = permission_required(is_authenticated)
admin_required = permission_required(is_admin)
trade_required = permission_required(
    can_trade, lambda: _("Confirm your e-mail address first: then you can list, bid and make offers.")
)
