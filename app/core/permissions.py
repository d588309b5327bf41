"""Object-level permission predicates, beside the role predicates of app.accounts.permissions.

Role predicates answer "may this kind of user do this at all"; these answer "may this user act on
this object": a member of the owning organisation, the owner, a party to a deal. ``require``
turns a refused predicate into a PermissionDenied with a message the reader understands.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.accounts.permissions import is_admin, is_authenticated
from app.core.errors import PermissionDenied


def member_of(user, organisation_id: int | None) -> bool:
    """The user belongs to that organisation (never true for a missing organisation)."""
    return bool(is_authenticated(user) and organisation_id and user.organisation_id == organisation_id)


def acts_for(user, owner_id: int | None, organisation_id: int | None = None) -> bool:
    """The user owns the object or is a member of the organisation that owns it."""
    if not is_authenticated(user):
        return False
    return (owner_id is not None and user.id == owner_id) or member_of(user, organisation_id)


def acts_for_or_admin(user, owner_id: int | None, organisation_id: int | None = None) -> bool:
    return acts_for(user, owner_id, organisation_id) or is_admin(user)


def same_organisation(user, other) -> bool:
    """Two users of one organisation (a seller's colleague may not bid or offer against them)."""
    return bool(
        is_authenticated(user)
        and other is not None
        and (user.id == other.id or (user.organisation_id and user.organisation_id == other.organisation_id))
    )


def require(allowed: bool, message: str | None = None) -> None:
    """Raise PermissionDenied (403) unless allowed."""
    if not allowed:
        raise PermissionDenied(message or _("You do not have permission to do that."))


def require_verified(user) -> None:
    """Trading needs a verified organisation: the rule the market enforces on offers and deals."""
    require(
        is_authenticated(user) and user.is_verified,
        _("Only members of a verified organisation can trade. Ask an administrator to verify yours."),
    )
