"""Browser: a seller sets up Connect payouts (the Connect stub's account link page stands in for
Stripe's hosted onboarding), the buyer's card payment is held, and after the registration the seller
sees the payout on the payout page and on the deal page. In Chinese and in English; screenshots in
tests/e2e/screenshots/payout_<lang>_*.png."""

import pytest

from app.extensions import db
from app.payments import payout_states as ps
from app.payments import services as payments
from app.payments.payout_models import Payout
from tests.conftest import DEFAULT_PASSWORD
from tests.e2e.conftest import screenshot
from tests.e2e.test_accessibility import serious_violations
from tests.market.deal_support import build_market
from tests.payments.conftest import WEBHOOK_SECRET, connect_stub, localstripe  # noqa: F401  (fixtures)
from tests.payments.support import register, signed_deal


@pytest.fixture
def paid_deal(app, make_user, localstripe, connect_stub):  # noqa: F811
    connect_stub.reset()
    app.config.update(STRIPE_SECRET_KEY="sk_test_ipex", STRIPE_PUBLISHABLE_KEY="pk_test_ipex",
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=localstripe,
                      STRIPE_INTENT_TRANSFER_GROUP=False, STRIPE_CONNECT_API_BASE=connect_stub.base)  # fmt: skip
    with app.test_request_context():
        market = build_market(make_user)
        deal = signed_deal(market)
        payment, _ = payments.start_payment(deal, market.buyer)
        payments.confirm_payment(payment, market.buyer, "pm_card_visa")
        db.session.commit()
    return market, deal


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_seller_onboards_and_sees_the_payout_after_registration(browser, live_server, app, paid_deal, locale):
    market, deal = paid_deal
    zh = locale.startswith("zh")
    tag = "zh" if zh else "en"
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto("/login")
    page.fill("input[name=email]", market.seller.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"/market/deals/{deal.id}")
    page.click("details.payout-shares > summary")  # the seller could split the proceeds here
    page.wait_for_selector("#broker_percent")
    screenshot(page, f"payout_{tag}_00_split_form")
    page.goto("/payments/payouts")
    assert page.inner_text("#payout-account-status") == ("尚未设置" if zh else "Not set up")
    screenshot(page, f"payout_{tag}_01_not_set_up")
    assert serious_violations(page) == []
    page.click("form[action$='/payouts/onboard'] button")
    page.wait_for_selector("#continue-onboarding")
    screenshot(page, f"payout_{tag}_02_continue")
    assert serious_violations(page) == []
    page.click("#continue-onboarding")
    page.wait_for_selector("#complete")  # the stub's stand-in for Stripe's hosted onboarding
    screenshot(page, f"payout_{tag}_03_provider_onboarding")
    page.click("#complete")
    page.wait_for_selector("#payout-account-status")  # back on our payout settings (return_url)
    assert page.inner_text("#payout-account-status") == ("设置未完成" if zh else "Setup not finished")
    page.click("form[action$='/payouts/refresh'] button")
    page.wait_for_selector(".flash-success")
    assert page.inner_text("#payout-account-status") == ("可以收款" if zh else "Ready to receive payouts")
    screenshot(page, f"payout_{tag}_04_ready")

    with app.test_request_context():
        register(deal, market)  # the seller's registration; its outbox event sends the payout
    payout = db.session.query(Payout).one()
    db.session.refresh(payout)
    assert payout.status == ps.PAID

    page.goto("/payments/payouts")
    row = page.inner_text("tr.payout-row")
    assert "380,000.00" in row
    assert ("已付款" if zh else "Paid") in row
    screenshot(page, f"payout_{tag}_05_paid")
    assert serious_violations(page) == []
    page.goto(f"/market/deals/{deal.id}")
    note = page.inner_text(".payout-note")
    assert "380,000.00" in note
    screenshot(page, f"payout_{tag}_06_deal_page")
    context.close()
    assert not errors, errors
