"""One inbox for every user: ``notify()`` writes the message in the change's transaction and an
outbox event, whose handler e-mails it in the recipient's language after commit.

A notification stores a kind and its parameters, never rendered text, so the inbox reads in the
language of whoever opens it. Each kind registers its translatable title and body here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, Index, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import clock
from app.core.i18n import format_moment, format_money_exact
from app.core.models import UTCDateTime, utcnow
from app.core.outbox import emit, handles
from app.extensions import db

log = logging.getLogger(__name__)
try:  # the mail service is written by the accounts branch; the inbox works without it
    from app.core.mail import send_mail
except ImportError:  # pragma: no cover - depends on what is merged
    send_mail = None


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_dedupe", "user_id", "dedupe_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))  # a registered NotificationKind name
    params: Mapped[dict] = mapped_column(JSON, default=dict)  # values for the kind's messages
    link: Mapped[str] = mapped_column(String(300))  # a path inside the site
    # Reminders pass a key (e.g. "deadline:deal-7:2026-12-01") so a re-run sends nothing twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def unread(self) -> bool:
        return self.read_at is None

    @property
    def title(self) -> str:
        return kind_of(self.kind).render_title(self.params)

    @property
    def body(self) -> str:
        return kind_of(self.kind).render_body(self.params)


@dataclass(frozen=True)
class NotificationKind:
    """Title and body as catalogue message ids with %(name)s placeholders filled from params."""

    name: str
    title: str
    body: str

    def render_title(self, params: dict) -> str:
        return _render(self.title, params)

    def render_body(self, params: dict) -> str:
        return _render(self.body, params)


def _param_text(key: str, value: object) -> object:
    """``*_msg`` ids are translated; money ({"amount", "currency"}) and ``*_at`` ISO times are
    formatted for the reader (their language and time zone), as the page would show them."""
    if key.endswith("_msg") and value:
        return _(value)
    if isinstance(value, dict) and {"amount", "currency"} <= value.keys():
        return format_money_exact(Decimal(str(value["amount"])), value["currency"])
    if key.endswith("_at") and isinstance(value, str):
        try:
            return format_moment(datetime.fromisoformat(value))
        except ValueError:
            return value
    return value


def _render(message_id: str, params: dict) -> str:
    """Fill a kind's message for the reader; see _param_text for the typed parameters."""
    params = {key: _param_text(key, value) for key, value in params.items()}
    try:
        return _(message_id, **params)
    except (KeyError, ValueError, TypeError):  # a kind changed its placeholders: show it unfilled
        return _(message_id)


_KINDS: dict[str, NotificationKind] = {}


def register_kind(name: str, title: str, body: str) -> None:
    """Title and body must also be marked with N_() where defined, for extraction."""
    _KINDS[name] = NotificationKind(name, title, body)


def kind_of(name: str) -> NotificationKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"unknown notification kind {name!r}") from None


def notify(user, kind: str, params: dict, link: str, dedupe_key: str | None = None) -> Notification | None:
    """Put a message in the user's inbox and e-mail it after commit; None if already sent (dedupe)."""
    kind_of(kind)
    if dedupe_key and db.session.scalar(
        select(Notification.id).where(Notification.user_id == user.id, Notification.dedupe_key == dedupe_key)
    ):
        return None
    note = Notification(user_id=user.id, kind=kind, params=params, link=link, dedupe_key=dedupe_key)
    db.session.add(note)
    db.session.flush()
    emit("notification.created", {"notification_id": note.id})
    return note


def unread_count_column(user_id_column):
    """The unread count as a correlated subquery, so loading a user can bring it along."""
    return (
        select(func.count(Notification.id))
        .where(Notification.user_id == user_id_column, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def remember_unread(user, count: int, version: str) -> None:
    """Keep a count read with the user (at data version `version`) for this request's pages."""
    user.ipex_unread = (version, count)


def unread_count(user) -> int:
    """The badge count: the one loaded with the user while nothing has been written since, else read."""
    from app.core.page_cache import data_version, session_has_written

    if not getattr(user, "is_authenticated", False):
        return 0
    known = getattr(user, "ipex_unread", None)
    if known is not None and not session_has_written() and known[0] == data_version():
        return known[1]
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def inbox_query(user, unread_only: bool = False):
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def mark_read(user, notification_id: int | None = None) -> int:
    """Mark one (or, with None, every) notification of the user read; returns how many changed."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return db.session.execute(query.values(read_at=clock.now())).rowcount


@handles("notification.created")
def email_notification(payload: dict) -> None:
    """E-mail one notification in its recipient's language (once)."""
    from app.accounts.models import User

    note = db.session.get(Notification, payload["notification_id"])
    if note is None or note.emailed_at is not None:
        return
    user = db.session.get(User, note.user_id)
    if send_mail is None or user is None or not user.active:
        return
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        subject, body = note.title, note.body
        link_text = _("Open it on IPEX: %(url)s", url=absolute_url(note.link))
    send_mail(user.email, subject, f"{body}\n\n{link_text}\n")
    note.emailed_at = clock.now()


def absolute_url(path: str) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL", "http://localhost:5000").rstrip("/")
    return f"{base}{path}"
