"""In the browser, in Chinese and in English: register, confirm the address through the link an
administrator reads in the development mailbox, then forget the password and reset it by e-mail."""

import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import event, select

from app.accounts.models import Role, User
from app.core.mail import DevMailboxMessage
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD
from tests.e2e.conftest import log_in

TEXTS = {
    "zh": {
        "browser_locale": "zh-CN",
        "check_mail": "请查收电子邮件",
        "verify_subject": "确认您在 IPEX 的电子邮件地址",
        "confirm": "确认",
        "confirmed": "您的电子邮件地址已确认",
        "forgot": "忘记密码？",
        "send_link": "发送链接",
        "reset_subject": "重置您的 IPEX 密码",
        "save_password": "保存新密码",
        "changed": "您的密码已更改",
        "dead_link": "此链接无法使用",
        "logged_in": "已登录",
    },
    "en": {
        "browser_locale": "en-US",
        "check_mail": "Check your e-mail",
        "verify_subject": "Confirm your e-mail address for IPEX",
        "confirm": "Confirm",
        "confirmed": "your e-mail address is confirmed",
        "forgot": "Forgot your password?",
        "send_link": "Send the link",
        "reset_subject": "Reset your IPEX password",
        "save_password": "Save the new password",
        "changed": "Your password has been changed",
        "dead_link": "This link does not work",
        "logged_in": "Logged in",
    },
}
NEW_PASSWORD = "qiantang-tide-2027"


def new_page(browser, live_server: str, locale: str):
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": 1280, "height": 860}
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


def shot(page, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def register(page, email: str, texts: dict) -> None:
    page.goto("/register")
    page.fill("input[name=email]", email)
    page.fill("input[name=display_name]", "周明 Zhou")
    page.fill("input[name=organisation]", "")
    page.check("input[value=buyer]")
    page.fill("input[name=password]", "west-lake-2026")
    page.fill("input[name=confirm]", "west-lake-2026")
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_have_text(texts["check_mail"])


def link_from_admin_mailbox(admin_page, email: str, subject: str) -> str:
    """As an administrator: open the development mailbox, the message, and read its link."""
    admin_page.goto(f"/admin/mailbox?to={email}")
    admin_page.click(f"a:has-text('{subject}')")
    expect(admin_page.locator("h1")).to_have_text(subject)
    return admin_page.locator("pre.mail-body a").first.get_attribute("href")


class MailWatch:
    """The link of the first mail written to ``email`` with ``subject``, as the mailbox inserts it.

    The reset mail is written after its response has gone out, in the live server's thread: the test
    waits on that insert (a condition), neither polling nor sleeping.
    """

    def __init__(self, email: str, subject: str) -> None:
        self.email, self.subject = email, subject
        self.arrived = threading.Event()
        self.link = ""
        event.listen(DevMailboxMessage, "after_insert", self._seen)

    def _seen(self, _mapper, _connection, message: DevMailboxMessage) -> None:
        if message.recipient == self.email and message.subject == self.subject and not self.arrived.is_set():
            self.link = re.search(r"https?://\S+", message.text_body).group(0)
            self.arrived.set()

    def wait(self) -> str:
        self.arrived.wait()
        event.remove(DevMailboxMessage, "after_insert", self._seen)
        return self.link


@pytest.mark.parametrize("language", ["zh", "en"])
def test_verify_address_and_reset_password_by_email(browser, live_server, make_user, tmp_path, language):
    texts = TEXTS[language]
    email = f"zhou.ming.{language}@example.com"
    admin = make_user(email="root@example.com", roles=(Role.ADMIN,), organisation=None)
    admin_context, admin_page = new_page(browser, live_server, texts["browser_locale"])
    context, page = new_page(browser, live_server, texts["browser_locale"])
    try:
        register(page, email, texts)
        shot(page, tmp_path, f"registered_{language}")

        log_in(admin_page, admin.email, DEFAULT_PASSWORD)
        link = link_from_admin_mailbox(admin_page, email, texts["verify_subject"])
        shot(admin_page, tmp_path, f"mailbox_message_{language}")
        page.goto(link)
        page.click(f"main form button:has-text('{texts['confirm']}')")
        expect(page.locator(".flash-success")).to_contain_text(texts["confirmed"])
        db.session.expire_all()
        assert db.session.scalar(select(User).where(User.email == email)).is_email_verified

        page.goto("/login")
        page.click(f"a:has-text('{texts['forgot']}')")
        page.fill("input[name=email]", email)
        reset_mail = MailWatch(email, texts["reset_subject"])  # listening before the request is sent
        page.click(f"main form button:has-text('{texts['send_link']}')")
        expect(page.locator("h1")).to_have_text(texts["check_mail"])
        reset_link = reset_mail.wait()
        page.goto(reset_link)
        page.fill("input[name=password]", NEW_PASSWORD)
        page.fill("input[name=confirm]", NEW_PASSWORD)
        shot(page, tmp_path, f"reset_form_{language}")
        page.click(f"main form button:has-text('{texts['save_password']}')")
        expect(page.locator(".flash-success")).to_contain_text(texts["changed"])
        log_in(page, email, NEW_PASSWORD)
        expect(page.locator(".flash-success")).to_contain_text(texts["logged_in"])
        shot(page, tmp_path, f"logged_in_{language}")

        page.goto(reset_link)  # single use
        expect(page.locator("h1")).to_have_text(texts["dead_link"])
    finally:
        context.close()
        admin_context.close()
    print(f"screenshots in {tmp_path}")  # noqa: T201
