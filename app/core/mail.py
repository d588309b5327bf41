"""Outgoing e-mail: one function, send_mail(), over Flask-Mailman.

With MAIL_SERVER configured, messages go out by SMTP. Without it (the embedded, key-free setup) they
are kept in the development mailbox, a database table that administrators read at /admin/mailbox, so
password resets and address checks work on a laptop with no mail account.
"""

from __future__ import annotations

import os
from datetime import datetime

from flask import Flask, after_this_request, current_app, has_request_context
from flask_mailman import EmailMultiAlternatives, Mail
from flask_mailman.backends.base import BaseEmailBackend
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.models import UTCDateTime, utcnow
from app.extensions import db

mail = Mail()

DEFAULT_SENDER = "IPEX <no-reply@ipex.local>"

# Mail settings come from the environment like the rest of the configuration; a config class may set
# them too (tests do), and then it wins.
_ENVIRONMENT_SETTINGS = {
    "MAIL_SERVER": ("", str),
    "MAIL_PORT": ("25", int),
    "MAIL_USERNAME": ("", str),
    "MAIL_PASSWORD": ("", str),
    "MAIL_USE_TLS": ("false", lambda v: v.lower() in ("1", "true", "yes")),
    "MAIL_USE_SSL": ("false", lambda v: v.lower() in ("1", "true", "yes")),
    "MAIL_DEFAULT_SENDER": (DEFAULT_SENDER, str),
    "MAIL_TIMEOUT": ("10", int),
}


class DevMailboxMessage(db.Model):
    """A message that would have been sent, kept for administrators when no SMTP server is set."""

    __tablename__ = "dev_mailbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender: Mapped[str] = mapped_column(String(254))
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class DevMailboxBackend(BaseEmailBackend):
    """Flask-Mailman backend that stores each message in dev_mailbox_messages.

    It writes through its own session and commits, because send_mail() runs after the request's
    commit (or from the outbox) and must not commit or roll back the caller's unit of work.
    """

    def send_messages(self, email_messages) -> int:
        with Session(db.engine) as session:
            for message in email_messages:
                message.message()  # validates headers exactly as SMTP sending would
                session.add(_mailbox_row(message))
            session.commit()
        return len(email_messages)


def _mailbox_row(message) -> DevMailboxMessage:
    html = next((content for content, mime in message.alternatives if mime == "text/html"), None)
    return DevMailboxMessage(
        sender=message.from_email,
        recipient=", ".join(message.to),
        subject=message.subject,
        text_body=message.body,
        html_body=html,
    )


def init_mail(app: Flask) -> None:
    """SMTP when MAIL_SERVER is set, the development mailbox otherwise."""
    for name, (default, convert) in _ENVIRONMENT_SETTINGS.items():
        if name not in app.config:
            app.config[name] = convert(os.environ.get(name, default))
    if not app.config.get("MAIL_BACKEND"):
        app.config["MAIL_BACKEND"] = "smtp" if app.config["MAIL_SERVER"] else DevMailboxBackend
    mail.init_app(app)


def uses_dev_mailbox() -> bool:
    return current_app.extensions["mailman"].backend is DevMailboxBackend


def send_mail(to: str, subject: str, text_body: str, html_body: str | None = None) -> None:
    """Send one message to one address; call it after the commit that made the message true."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text_body,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[to],
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()


def send_mail_after_response(to: str, subject: str, text_body: str, html_body: str | None = None) -> None:
    """send_mail() once the response has gone out, so how long delivery takes tells the client nothing.

    For answers that must not reveal whether a message was sent at all (a password reset for an
    unknown address). Outside a request it sends at once.
    """
    if not has_request_context():
        send_mail(to, subject, text_body, html_body)
        return
    app = current_app._get_current_object()

    def deliver() -> None:
        with app.app_context():
            try:
                send_mail(to, subject, text_body, html_body)
            except Exception:  # the response is gone: log, as a worker would
                app.logger.exception("mail to %s could not be sent", to)

    @after_this_request
    def defer(response):
        response.call_on_close(deliver)
        return response
