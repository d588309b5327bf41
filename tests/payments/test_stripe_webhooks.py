"""Webhooks signed by localstripe: verified on the raw body, applied once each, in any order."""

import hashlib
import hmac
import json
import time
import urllib.error

import pytest
from sqlalchemy import func, select

from app.core.audit_chain import verify_chain
from app.core.lifecycle import status_history
from app.extensions import db
from app.market import deal_states
from app.payments import ledger, reconcile
from app.payments import services as payments
from app.payments import states as st
from app.payments.models import LedgerEntry, ProviderEvent
from tests.market.deal_support import build_market
from tests.payments.conftest import WEBHOOK_SECRET, localstripe_post
from tests.payments.support import signed_deal

URL = "/payments/stripe/webhook"


@pytest.fixture
def market(stripe_app, make_user, frozen_clock):
    with stripe_app.test_request_context(headers={"Accept-Language": "en"}):
        return build_market(make_user)


def _deliver(client, body: bytes, signature: str):
    return client.post(
        URL, data=body, headers={"Stripe-Signature": signature, "Content-Type": "application/json"}
    )


def _sign(body: bytes, timestamp: int, secret: str = WEBHOOK_SECRET) -> str:
    digest = hmac.new(secret.encode(), b"%d.%s" % (timestamp, body), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _pay_in_the_browser(stripe_app, deal, buyer, localstripe, method: str):
    """Confirmed client-side (as Stripe.js would), so only webhooks tell our server."""
    with stripe_app.test_request_context():
        payment, _ = payments.start_payment(deal, buyer)
        db.session.commit()
    intent = f"/v1/payment_intents/{payment.provider_ref}"
    localstripe_post(localstripe, intent, {"payment_method": method})
    try:
        localstripe_post(localstripe, f"{intent}/confirm", {})
    except urllib.error.HTTPError as declined:
        declined.close()
    return payment


def test_each_event_three_times_out_of_order_has_each_effect_once(
    stripe_app, client, market, localstripe, webhook_catcher
):
    with stripe_app.test_request_context():
        deal = signed_deal(market)
    first = _pay_in_the_browser(stripe_app, deal, market.buyer, localstripe, "pm_card_chargeCustomerFail")
    failed = webhook_catcher.wait_for("payment_intent.payment_failed", first.provider_ref)
    assert _deliver(client, *failed).status_code == 200
    db.session.refresh(first)
    assert first.status == st.FAILED
    second = _pay_in_the_browser(stripe_app, deal, market.buyer, localstripe, "pm_card_visa")
    succeeded = webhook_catcher.wait_for("payment_intent.succeeded", second.provider_ref)
    assert second.status == st.REQUIRES_PAYMENT
    for body, signature in [succeeded, failed, succeeded, failed, failed, succeeded]:
        assert _deliver(client, body, signature).status_code == 200
    for row in (first, second, deal):
        db.session.refresh(row)
    assert (second.status, deal.money_status) == (st.SUCCEEDED, deal_states.PAID)
    assert [e.action for e in status_history(first)] == ["fail"]
    assert [e.action for e in status_history(second)] == ["succeed"]
    assert db.session.scalar(select(func.count(ProviderEvent.id))) == 2
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 2
    assert ledger.deal_total(deal.id) == 0
    with stripe_app.test_request_context():
        assert reconcile.reconcile() == []
    assert verify_chain() is None


def test_bad_or_stale_signatures_get_400_and_change_nothing(
    stripe_app, client, market, localstripe, webhook_catcher
):
    with stripe_app.test_request_context():
        deal = signed_deal(market)
    payment = _pay_in_the_browser(stripe_app, deal, market.buyer, localstripe, "pm_card_visa")
    body, signature = webhook_catcher.wait_for("payment_intent.succeeded", payment.provider_ref)
    now = int(time.time())
    attempts = [
        (body.replace(b"succeeded", b"succeedet", 1), signature),  # body changed after signing
        (body, _sign(body, now, "whsec_someone_else")),
        (body, _sign(body, now - 3600)),  # stale: outside the 300 s tolerance
        (body, ""),
    ]
    for attempt_body, attempt_signature in attempts:
        assert _deliver(client, attempt_body, attempt_signature).status_code == 400
    db.session.refresh(payment)
    assert payment.status == st.REQUIRES_PAYMENT
    assert db.session.scalar(select(func.count(ProviderEvent.id))) == 0


def test_unknown_event_types_answer_200(client, market):
    body = json.dumps({"id": "evt_unknown_1", "object": "event", "type": "customer.created",
                       "data": {"object": {"id": "cus_1", "object": "customer"}}}).encode()  # fmt: skip
    response = _deliver(client, body, _sign(body, int(time.time())))
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "ignored"
    assert _deliver(client, body, _sign(body, int(time.time()))).get_json()["outcome"] == "duplicate"
