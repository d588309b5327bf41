"""What the deal page's payment panel shows; a read only (a GET never writes)."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.permissions import is_admin
from app.market import deal_services
from app.market import deal_states as deal_states
from app.payments import fee_schedule, services
from app.payments import states as st
from app.payments.errors import ProviderUnavailable
from app.payments.providers import OfflineProvider, default_provider_name, get_provider

# Stripe's documented test payment methods; offered only with a test key (sk_test_...).
TEST_METHODS = (
    ("pm_card_visa", _l("Test card: Visa, succeeds")),
    ("pm_card_chargeCustomerFail", _l("Test card: declined")),
)


def payment_panel(deal) -> dict | None:
    side, admin = deal_services.party_side(current_user, deal), is_admin(current_user)
    if side is None and not admin:
        return None
    payment = services.live_payment(deal)
    if payment is None and deal.status not in services.PAYABLE_DEAL_STATUSES:
        return None
    provider = payment.provider if payment else default_provider_name()
    is_open = payment is not None and payment.status in st.OPEN
    test_key = current_app.config.get("STRIPE_SECRET_KEY", "").startswith("sk_test_")
    return {
        "payment": payment,
        "provider": provider,
        "status_label": st.PAYMENT_LIFECYCLE.status_label(payment.status) if payment else None,
        "show_fee": side in ("seller", "buyer") or admin,  # the buyer sees it before paying too
        "quote": fee_schedule.quote(deal.price, deal.right_type, deal.listing.price_mechanism),
        "can_start": side == "buyer" and payment is None and deal.money_status == deal_states.UNPAID,
        "instructions": OfflineProvider().instructions(payment)
        if is_open and provider == "offline"
        else None,
        "card_open": side == "buyer"
        and is_open
        and provider == "stripe"
        and payment.status != st.REQUIRES_ACTION,
        "needs_action": side == "buyer" and payment is not None and payment.status == st.REQUIRES_ACTION,
        "test_methods": TEST_METHODS if test_key else (),
        "client_secret": _client_secret(payment)
        if side == "buyer" and is_open and provider == "stripe"
        else None,
    }


def _client_secret(payment) -> str | None:
    """For Stripe.js, only with a publishable key (else nothing from Stripe reaches the page)."""
    if not current_app.config.get("STRIPE_PUBLISHABLE_KEY") or payment.status == st.REQUIRES_ACTION:
        return None
    try:
        step = get_provider("stripe").retrieve(payment)
    except ProviderUnavailable:
        return None  # the server-side form still works
    return step.client.get("client_secret") if step else None
