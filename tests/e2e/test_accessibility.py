"""axe-core audit of the main pages (no serious or critical violations), on desktop and phone widths."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from app.accounts.models import Role
from app.core.mail import send_mail
from tests.conftest import DEFAULT_PASSWORD
from tests.e2e.conftest import log_in, screenshot

PUBLIC_PAGES = [
    "/",
    "/login",
    "/register",
    "/register/sent",
    "/password/forgot",
    "/password/reset/not-a-token",
]
ADMIN_PAGES = [
    "/admin/users",
    "/admin/organisations",
    "/admin/audit",
    "/admin/mailbox",
    "/account",
    "/account/organisation",
]


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_pass_axe(page, path):
    page.goto(path)
    assert serious_violations(page) == []


def test_admin_pages_pass_axe(page, make_user):
    admin = make_user(email="root@example.com", roles=(Role.ADMIN,), organisation="IPEX 服务中心")
    make_user(roles=(Role.BUYER,), organisation="西湖创投")
    # A message in the development mailbox, written before the page is read (a reset requested through
    # the form is delivered after its response, so the mailbox page could be read before it lands).
    send_mail(admin.email, "重置密码 Reset your password", "https://ipex.example/password/reset/x")
    log_in(page, admin.email, DEFAULT_PASSWORD)
    page.goto("/admin/mailbox")
    page.click("table a")
    problems = {}
    for path in [*ADMIN_PAGES, page.url]:
        page.goto(path)
        if found := serious_violations(page):
            problems[path] = found
    assert problems == {}


def test_phone_layout_collapses_navigation_and_tables(browser, live_server, make_user):
    admin = make_user(email="root@example.com", roles=(Role.ADMIN,), organisation=None)
    make_user(roles=(Role.BUYER,), organisation="西湖创投")
    context = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.goto("/")
    assert page.locator(".nav-toggle").is_visible()
    assert not page.locator("#site-nav").is_visible()
    page.click(".nav-toggle")
    assert page.locator("#site-nav").is_visible()
    screenshot(page, "phone_home_menu_zh")
    log_in(page, admin.email, DEFAULT_PASSWORD)
    page.goto("/admin/users")
    assert not page.locator(".table thead").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the page scrolls sideways on a phone"
    screenshot(page, "phone_admin_users_zh")
    context.close()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize("width", [1280, 1024, 800])
def test_no_menu_label_breaks_inside_on_a_desktop(browser, live_server, make_user, locale, width):
    """Signed in with many menu entries, English "My records" and the switch "中文" broke over two
    lines at 1280 px; whole entries may wrap to a second row, a label never splits."""
    admin = make_user(email="root@example.com", roles=(Role.ADMIN, Role.BUYER), organisation="IPEX 服务中心")
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": width, "height": 600}
    )
    page = context.new_page()
    log_in(page, admin.email, DEFAULT_PASSWORD)
    page.goto("/")
    labels = page.locator("#site-nav a, #site-nav summary, #site-nav .link-button")
    heights = labels.evaluate_all(
        "els => els.filter(e => e.offsetParent).map(e => [e.textContent.trim(), e.getClientRects().length,"
        " e.getBoundingClientRect().height, parseFloat(getComputedStyle(e).lineHeight)"
        " + parseFloat(getComputedStyle(e).paddingTop) + parseFloat(getComputedStyle(e).paddingBottom)])"
    )
    assert len(heights) >= 6
    broken = [label for label, rects, height, one_line in heights if rects > 1 or height > one_line + 2]
    assert broken == []
    context.close()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize("width", [1366, 1280])
def test_an_administrators_menu_fits_one_row_on_a_laptop(browser, live_server, make_user, locale, width):
    """An administrator's or assessor's menu (ten entries) wrapped to a second row at 1366 px,
    doubling the bar's height on every page; the tagline gives way instead."""
    admin = make_user(
        email="root@example.com", roles=(Role.ADMIN, Role.ASSESSOR, Role.BUYER), organisation="IPEX 服务中心"
    )
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": width, "height": 600}
    )
    page = context.new_page()
    log_in(page, admin.email, DEFAULT_PASSWORD)
    page.goto("/")
    screenshot(page, f"menu_one_row_{locale}_{width}", full_page=False)
    tops = page.locator("#site-nav > ul > li").evaluate_all(
        "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect().top)"
    )
    assert len(tops) >= 10
    assert max(tops) - min(tops) < 8, "the menu wrapped to a second row"
    context.close()
