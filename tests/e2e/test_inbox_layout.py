"""The inbox as a reader sees it at a desktop width: its two header buttons side by side, and each
message's buttons beside its text however long the text is (they dropped below long messages, and
the header buttons stacked at different widths)."""

import pytest

from app.accounts.models import Role
from app.core.notifications import notify
from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD
from tests.e2e.conftest import log_in, screenshot


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_inbox_buttons_sit_in_a_row_beside_the_text(browser, live_server, app, make_user, locale):
    buyer = make_user(roles=(Role.BUYER,), organisation="西湖创投")
    with app.app_context():
        reasons = "；".join(
            ["共同关键词：cathode、材料、正极", "报价 ¥120万，在您的预算之内", "提供转让（所有权转移）"] * 3
        )
        for listing in ("电池正极材料专利整体转让", "Sodium-ion cell"):
            params = {
                "need": "寻求高能量密度锂电池正极材料技术",
                "listing": listing,
                "score": 53,
                "reasons": reasons,
            }
            notify(db.session.merge(buyer), "need_match", params, link="/needs/")
        db.session.commit()
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": 1280, "height": 860}
    )
    page = context.new_page()
    log_in(page, buyer.email, DEFAULT_PASSWORD)
    page.goto("/notifications")
    screenshot(page, f"inbox_{locale}")
    header = page.locator(".page-head .button-row > *").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().top)"
    )
    assert len(header) == 2
    assert abs(header[0] - header[1]) < 4, header
    for item in page.locator(".inbox-item").all():
        text = item.locator(".inbox-text").bounding_box()
        buttons = item.locator(".inbox-actions").bounding_box()
        assert buttons["y"] < text["y"] + 40, "the buttons fell below the message"
        assert buttons["x"] >= text["x"] + text["width"] - 1, "the buttons overlap the message"
    context.close()
