"""The administrators' audit log in words: what happened, to which record, with which details.

Events keep stable action names ("user.login") for queries and exports; pages show these labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.accounts.forms import ROLE_LABELS
from app.accounts.models import AuditEvent, Role
from app.core.actors import is_system
from app.core.i18n import enumeration
from app.valuation.fx_models import DEMO_SOURCE

ACTION_LABELS = {
    "user.register": _l("Registered"),
    "user.register_taken": _l("Registration attempted with an address already in use"),
    "user.login": _l("Logged in"),
    "user.password_change": _l("Changed the password"),
    "user.password_reset": _l("Reset the password"),
    "user.password_reset_request": _l("Asked for a password reset"),
    "user.email_verify": _l("Confirmed the e-mail address"),
    "user.email_verify_resend": _l("Asked for a new confirmation e-mail"),
    "user.activate": _l("Account reactivated"),
    "user.deactivate": _l("Account deactivated"),
    "user.create_admin": _l("Administrator created from the command line"),
    "role.grant": _l("Role granted"),
    "role.revoke": _l("Role removed"),
    "token.create": _l("API token created"),
    "token.revoke": _l("API token revoked"),
    "organisation.submit": _l("Organisation submitted for verification"),
    "organisation.verify": _l("Organisation verified"),
    "organisation.reject": _l("Organisation verification rejected"),
    "organisation.unverify": _l("Organisation verification withdrawn"),
    "fx_rate.added": _l("Exchange rate added"),
}
SUBJECT_LABELS = {
    "user": _l("User"),
    "organisation": _l("Organisation"),
    "api_token": _l("API token"),
    "fx_rate": _l("Exchange rate"),
}
DETAIL_LABELS = {
    "role": _l("Role"),
    "roles": _l("Roles"),
    "reason": _l("Reason"),
    "name": _l("Name"),
    "credit_code": _l("Unified social credit code"),
    "currency": _l("Currency"),
    "rate_to_cny": _l("CNY for one unit"),
    "effective_on": _l("Effective from"),
    "source": _l("Source"),
}


@dataclass(frozen=True)
class EventView:
    actor: str
    action: str
    subject: str
    subject_url: str | None
    details: list[tuple[str, str]]


def _role_text(value: object) -> str:
    values = value if isinstance(value, list | tuple) else [value]
    return enumeration(ROLE_LABELS[Role(v)] if v in Role._value2member_map_ else v for v in values)


def _detail_text(key: str, value: object) -> str:
    if key in ("role", "roles"):
        return _role_text(value)
    if key == "source" and value == DEMO_SOURCE:
        return _("Demo rate (not a published fixing)")
    return str(value)


def action_choices() -> list[tuple[str, str]]:
    """The filter's choices: every action in words, alphabetically in the reader's language."""
    return sorted(((action, str(label)) for action, label in ACTION_LABELS.items()), key=lambda c: c[1])


def describe(event: AuditEvent) -> EventView:
    subject = str(SUBJECT_LABELS.get(event.subject_type, _("Record")))
    url = None
    if event.subject_type == "user" and event.subject_id is not None:
        url = url_for("admin.user_detail", user_id=event.subject_id)
    if event.subject_id is not None:
        subject = _("%(kind)s no. %(id)s", kind=subject, id=event.subject_id)
    details = []
    for key, value in (event.details or {}).items():
        if value in (None, "", []):
            continue
        details.append((str(DETAIL_LABELS.get(key, _("Detail"))), _detail_text(key, value)))
    action = str(ACTION_LABELS.get(event.action, _("Other event")))
    actor = _("System") if event.actor is None or is_system(event.actor) else event.actor.display_name
    return EventView(actor, action, subject, url, details)
