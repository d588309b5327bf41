"""send_mail(): SMTP to a real server when MAIL_SERVER is set, the development mailbox otherwise."""

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.accounts.models import Role
from app.core.mail import DevMailboxMessage, send_mail, send_mail_after_response, uses_dev_mailbox
from app.extensions import db


class Collector:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()  # returns once the server answers
    yield controller, collector
    controller.stop()


def test_smtp_delivers_text_and_html_to_a_real_server(app_factory, smtp_server):
    controller, collector = smtp_server
    smtp_app = app_factory(MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
    with smtp_app.app_context():
        assert not uses_dev_mailbox()
        send_mail("li.wei@example.com", "重置密码", "正文 text", "<p>正文 html</p>")
    (envelope,) = collector.messages
    assert envelope.rcpt_tos == ["li.wei@example.com"]
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"] == "重置密码"
    assert message["To"] == "li.wei@example.com"
    assert message.get_body(("plain",)).get_content().strip() == "正文 text"
    assert message.get_body(("html",)).get_content().strip() == "<p>正文 html</p>"


def test_without_mail_server_messages_go_to_the_dev_mailbox(app):
    send_mail("a@example.com", "Subject", "Body https://ipex.example/reset/abc", "<p>Body</p>")
    stored = db.session.scalars(select(DevMailboxMessage)).one()
    assert (stored.recipient, stored.subject, stored.html_body) == ("a@example.com", "Subject", "<p>Body</p>")
    assert stored.text_body == "Body https://ipex.example/reset/abc"
    assert stored.sender == app.config["MAIL_DEFAULT_SENDER"]


def test_dev_mailbox_does_not_commit_the_callers_work(app, make_user):
    """The mailbox writes in its own transaction; pending work of the caller stays uncommitted."""
    user = make_user()
    user.display_name = "Not committed"
    send_mail("a@example.com", "Subject", "Body")
    db.session.rollback()
    assert db.session.get(type(user), user.id).display_name != "Not committed"


def test_header_injection_is_refused(app):
    with pytest.raises(ValueError, match="newline"):
        send_mail("a@example.com", "Subject\nBcc: victim@example.com", "Body")
    assert db.session.scalar(select(DevMailboxMessage.id)) is None


def test_admin_reads_the_mailbox_and_a_message(client, auth, make_user):
    auth.login(make_user(roles=(Role.ADMIN,)))
    send_mail("b@example.com", "Verify your address", "Open https://ipex.example/verify/x to verify.")
    listing = client.get("/admin/mailbox", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Verify your address" in listing
    message_id = db.session.scalar(select(DevMailboxMessage.id))
    page = client.get(f"/admin/mailbox/{message_id}").get_data(as_text=True)
    assert '<a href="https://ipex.example/verify/x"' in page


@pytest.mark.parametrize(("roles", "expected"), [(None, 302), ((Role.BUYER,), 403), ((Role.ASSESSOR,), 403)])
def test_mailbox_is_for_administrators_only(client, auth, make_user, roles, expected):
    send_mail("b@example.com", "Secret link", "https://ipex.example/reset/x")
    if roles:
        auth.login(make_user(roles=roles))
    message_id = db.session.scalar(select(DevMailboxMessage.id))
    assert client.get("/admin/mailbox").status_code == expected
    assert client.get(f"/admin/mailbox/{message_id}").status_code == expected


def _app_with_deferred_mail_view(app_factory, port: int):
    mail_app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)

    @mail_app.route("/_test/mail-later")
    def mail_later():
        send_mail_after_response("wu@example.com", "Later", "Body")
        return "answered"

    return mail_app


def test_mail_after_response_goes_out_once_the_response_is_closed(app_factory, smtp_server):
    controller, collector = smtp_server
    response = (
        _app_with_deferred_mail_view(app_factory, controller.port).test_client().get("/_test/mail-later")
    )
    assert response.get_data(as_text=True) == "answered"
    assert collector.messages == []
    response.close()  # what the WSGI server does after sending the body
    assert [envelope.rcpt_tos for envelope in collector.messages] == [["wu@example.com"]]


def test_mail_after_response_logs_a_delivery_failure_instead_of_raising(app_factory, caplog):
    response = _app_with_deferred_mail_view(app_factory, _free_port()).test_client().get("/_test/mail-later")
    assert response.status_code == 200
    with caplog.at_level("ERROR"):
        response.close()
    assert "mail to wu@example.com could not be sent" in caplog.text
