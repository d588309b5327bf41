"""Background work for payouts: start them when a deal completes, and retry what is still pending."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from app.core.actors import system_actor
from app.core.outbox import handles
from app.core.ticks import periodic
from app.extensions import db
from app.market.deal_models import Deal
from app.payments import connect, payouts
from app.payments import payout_states as ps
from app.payments.errors import ProviderRefused, ProviderUnavailable
from app.payments.payout_models import PayoutAccount

log = logging.getLogger(__name__)


@handles("deal.completed")
def start_after_registration(payload: dict) -> None:
    """The deal is registered and paid: pay the seller's share out (the dispatcher commits)."""
    deal = db.session.get(Deal, payload["deal_id"])
    if deal is not None:
        payouts.start_payouts(deal, system_actor())


@periodic("payouts", every=timedelta(minutes=5))
def retry_payouts() -> None:
    """Re-read the accounts payouts wait for, and send every pending payout again (same keys)."""
    actor = system_actor()
    waiting = {p.recipient_id for p in payouts.pending_payouts() if p.status == ps.WAITING}
    accounts = db.session.scalars(
        select(PayoutAccount).where(PayoutAccount.user_id.in_(waiting), PayoutAccount.provider == "stripe")
    )
    for account in list(accounts):
        try:
            connect.refresh_account(account, actor)
        except (ProviderUnavailable, ProviderRefused):
            log.warning("payout account %s could not be re-read", account.id)
    for payout in payouts.pending_payouts():
        payouts.send_payout(payout, actor)
