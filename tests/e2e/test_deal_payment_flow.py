"""Browser: the buyer pays a deal through the deal page's pay panel, and the seller is paid after the
registration. By card against localstripe (server-side confirmation; one declined card first, then
pm_card_visa) with the payout sent through the Connect stub; and by bank transfer with the offline
provider, an administrator recording the receipt and later the payout. In Chinese and in English;
screenshots in tests/e2e/screenshots/dealpay_<provider>_<lang>_*.png."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.market import deal_states
from app.market.deal_models import Deal
from app.payments import connect
from app.payments import payout_states as ps
from app.payments import states as st
from app.payments.models import LedgerEntry, Payment
from app.payments.payout_models import Payout
from tests.e2e.conftest import screenshot, switch_user
from tests.market.deal_support import build_market
from tests.payments.conftest import WEBHOOK_SECRET, connect_stub, localstripe  # noqa: F401  (fixtures)
from tests.payments.support import register, signed_deal

PRICE = Decimal("400000.00")


def _cents(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _context(browser, live_server, locale):
    context = browser.new_context(
        base_url=live_server, locale=locale, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def _submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _panel(page) -> str:
    return page.inner_text("section[aria-labelledby=pay-h]")


def _ledger(deal_id: int) -> dict[str, Decimal]:
    rows = db.session.execute(
        select(LedgerEntry.account, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.deal_id == deal_id)
        .group_by(LedgerEntry.account)
    )
    return {account: Decimal(total) for account, total in rows}


def _assert_paid_out(deal_id: int, payment: Payment) -> None:
    balances = _ledger(deal_id)
    assert sum(balances.values(), Decimal(0)) == 0  # double entry: the deal's legs sum to zero
    fee = payment.fee_amount
    assert balances["buyer"] == -PRICE
    assert balances["seller"] == PRICE - fee
    assert balances["fee"] == fee
    assert balances.get("hold", Decimal(0)) == 0


def _receipt_checks(page, fee: Decimal, zh: bool) -> str:
    panel = _panel(page)
    assert _cents(PRICE) in panel
    assert ("已收款，款项保留至登记完成" if zh else "Received, held until registration") in panel
    assert ("平台服务费" if zh else "Platform fee") in panel
    assert _cents(fee) in panel
    assert _cents(PRICE - fee) in panel  # what the seller will receive
    assert ("登记" if zh else "until the registration is recorded") in panel
    return panel


@pytest.fixture
def card_deal(app, make_user, localstripe, connect_stub):  # noqa: F811
    connect_stub.reset()
    app.config.update(STRIPE_SECRET_KEY="sk_test_ipex", STRIPE_PUBLISHABLE_KEY="",
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_API_BASE=localstripe,
                      STRIPE_INTENT_TRANSFER_GROUP=False, STRIPE_CONNECT_API_BASE=connect_stub.base)  # fmt: skip
    with app.test_request_context():
        market = build_market(make_user)
        deal = signed_deal(market)
        account, _ = connect.start_onboarding(market.seller, market.seller, "http://x/r", "http://x/b")
        connect_stub.complete_onboarding(account.provider_ref)
        connect.refresh_account(account, market.seller)
        db.session.commit()
    return market, deal


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_buyer_pays_by_card_on_the_deal_page_and_the_seller_is_paid_after_registration(
    browser,
    live_server,
    app,
    card_deal,
    connect_stub,  # noqa: F811
    locale,
):
    market, deal = card_deal
    zh = locale.startswith("zh")
    tag = f"dealpay_card_{'zh' if zh else 'en'}"
    context, page, errors = _context(browser, live_server, locale)

    switch_user(page, market.buyer.email)
    page.goto(f"/market/deals/{deal.id}")
    assert ("平台服务费" if zh else "Platform fee") in _panel(page)  # shown before paying
    screenshot(page, f"{tag}_01_before")
    _submit(page, "main form[action$='/start'] button")
    assert page.locator("#payment_method").is_visible()
    screenshot(page, f"{tag}_02_card_form")

    page.select_option("#payment_method", "pm_card_chargeCustomerFail")
    _submit(page, "main form[action$='/confirm'] button")
    flash = page.inner_text(".flash-error")
    assert ("拒绝" if zh else "declined") in flash
    screenshot(page, f"{tag}_03_declined")
    declined = db.session.scalar(select(Payment).where(Payment.deal_id == deal.id))
    db.session.refresh(declined)
    assert declined.status == st.FAILED
    assert _ledger(deal.id) == {}  # nothing recorded as paid
    assert db.session.get(Deal, deal.id).money_status == deal_states.UNPAID
    db.session.rollback()

    _submit(page, "main form[action$='/start'] button")  # start again after the decline
    page.select_option("#payment_method", "pm_card_visa")
    _submit(page, "main form[action$='/confirm'] button")
    assert page.locator(".flash-success").is_visible()
    payment = db.session.scalar(
        select(Payment).where(Payment.deal_id == deal.id, Payment.status.in_(st.LIVE))
    )
    assert payment.status == st.SUCCEEDED
    assert payment.id != declined.id
    assert payment.amount == PRICE
    assert payment.fee_amount > 0
    _receipt_checks(page, payment.fee_amount, zh)
    assert not page.locator("form[action$='/confirm']").count()
    screenshot(page, f"{tag}_04_receipt")
    assert _ledger(deal.id) == {"buyer": -PRICE, "hold": PRICE}
    assert db.session.get(Deal, deal.id).money_status == deal_states.PAID
    db.session.rollback()

    with app.test_request_context():
        register(db.session.get(Deal, deal.id), market)  # the registration; its outbox event pays out
    payout = db.session.scalar(select(Payout).where(Payout.deal_id == deal.id))
    assert payout.status == ps.PAID
    assert payout.amount == PRICE - payment.fee_amount
    account = connect.payout_account(market.seller, "stripe")
    transfers = connect_stub.transfers_to(account.provider_ref)
    assert [t["amount"] for t in transfers] == [int((PRICE - payment.fee_amount) * 100)]
    db.session.refresh(payment)
    assert payment.status == st.PAID_OUT
    _assert_paid_out(deal.id, payment)
    db.session.rollback()

    switch_user(page, market.seller.email)
    page.goto(f"/market/deals/{deal.id}")
    note = page.inner_text(".payout-note")
    assert _cents(PRICE - payment.fee_amount) in note
    assert ("已付款" if zh else "Paid") in note
    screenshot(page, f"{tag}_05_seller_deal")
    page.goto("/payments/payouts")
    row = page.inner_text("tr.payout-row")
    assert _cents(PRICE - payment.fee_amount) in row
    screenshot(page, f"{tag}_06_seller_payouts")
    context.close()
    assert not errors, errors


@pytest.fixture
def transfer_deal(app, make_user):
    app.config.update(STRIPE_SECRET_KEY="", STRIPE_PUBLISHABLE_KEY="")  # the embedded offline provider
    with app.test_request_context():
        market = build_market(make_user)
        deal = signed_deal(market)
    return market, deal


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_buyer_pays_by_bank_transfer_and_an_administrator_records_receipt_and_payout(
    browser, live_server, app, transfer_deal, locale
):
    market, deal = transfer_deal
    zh = locale.startswith("zh")
    tag = f"dealpay_bank_{'zh' if zh else 'en'}"
    context, page, errors = _context(browser, live_server, locale)

    switch_user(page, market.buyer.email)
    page.goto(f"/market/deals/{deal.id}")
    _submit(page, "main form[action$='/start'] button")
    payment = db.session.scalar(select(Payment).where(Payment.deal_id == deal.id))
    reference = payment.reference
    fee = payment.fee_amount
    db.session.rollback()
    facts = page.inner_text("section[aria-labelledby=pay-h] dl.facts")
    assert reference in facts
    assert ("待付款" if zh else "Awaiting payment") in _panel(page)
    screenshot(page, f"{tag}_01_instructions")

    switch_user(page, market.admin.email)
    page.goto("/payments/admin")
    row = page.locator("tr", has_text=reference)
    row.locator("input[name=bank_reference]").fill("BOC-778812")
    row.locator("input[name=amount]").fill("400,000.01")  # one cent too much: refused, nothing recorded
    _submit(page, "main td form[action$='/receipt'] button")
    assert _ledger(deal.id) == {}
    db.session.rollback()
    row = page.locator("tr", has_text=reference)
    amount_error = row.locator(".has-error .error")  # the reason beside the amount, not only a flash
    assert amount_error.is_visible()
    assert ("完全一致" if zh else "match the amount due") in amount_error.inner_text()
    assert row.locator("input[name=amount]").get_attribute("aria-invalid") == "true"
    assert row.locator("input[name=bank_reference]").input_value() == "BOC-778812"  # the input is kept
    assert row.locator("input[name=amount]").input_value() == "400,000.01"
    screenshot(page, f"{tag}_02_admin_refused")
    row.locator("input[name=amount]").fill(_cents(PRICE))
    _submit(page, "main td form[action$='/receipt'] button")
    screenshot(page, f"{tag}_03_admin_receipt")
    assert page.locator(".flash-success").is_visible()
    screenshot(page, f"{tag}_03_admin_receipt")
    assert _ledger(deal.id) == {"buyer": -PRICE, "hold": PRICE}
    db.session.rollback()

    switch_user(page, market.buyer.email)
    page.goto(f"/market/deals/{deal.id}")
    _receipt_checks(page, fee, zh)
    assert not page.locator("dl.facts").count()  # the instructions are gone once paid
    screenshot(page, f"{tag}_04_buyer_receipt")

    switch_user(page, market.seller.email)  # the seller enters bank details for the payout
    page.goto("/payments/payouts")
    page.fill("input[name=account_name]", "陈教授")
    page.fill("input[name=bank_name]", "中国银行北京分行")
    page.fill("input[name=account_number]", "6217 0000 1234 5678")
    _submit(page, "main form[action$='/payouts/bank'] button")
    assert page.locator(".flash-success").is_visible()
    with app.test_request_context():
        register(db.session.get(Deal, deal.id), market)

    switch_user(page, market.admin.email)
    page.goto("/payments/admin/payouts")
    row = page.locator("tr", has_text=f"{reference}-P1")
    assert _cents(PRICE - fee) in row.inner_text()
    row.locator("input[name=bank_reference]").fill("BOC-PAYOUT-991")
    _submit(page, "main form[action*='/admin/payouts/'] button")
    assert page.locator(".flash-success").is_visible()
    screenshot(page, f"{tag}_05_admin_payout")
    payment = db.session.get(Payment, payment.id)
    db.session.refresh(payment)
    assert payment.status == st.PAID_OUT
    _assert_paid_out(deal.id, payment)
    db.session.rollback()

    switch_user(page, market.seller.email)
    page.goto(f"/market/deals/{deal.id}")
    note = page.inner_text(".payout-note")
    assert _cents(PRICE - fee) in note
    assert ("已付款" if zh else "Paid") in note
    screenshot(page, f"{tag}_06_seller_deal")
    page.goto("/payments/payouts")
    assert _cents(PRICE - fee) in page.inner_text("tr.payout-row")
    screenshot(page, f"{tag}_07_seller_payouts")
    context.close()
    assert not errors, errors
