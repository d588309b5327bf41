"""Notifications to payout recipients: why a payout waits and what to do, and when it was paid."""

from __future__ import annotations

from flask_babel import force_locale

from app.core.notifications import notify, register_kind
from app.market.deal_notices import money_text, recipient_locale, site_path


def N_(message: str) -> str:  # noqa: N802  (marks a message id for extraction; translated when shown)
    return message


KINDS = {
    "payout_waiting": (
        N_("Your payout for deal %(reference)s is waiting"),
        N_(
            "The registration of deal %(reference)s is recorded and %(amount)s is ready for you, but your "
            "payout account is not set up yet. Open your payout settings and finish the setup: the payout "
            "is then sent."
        ),
    ),
    "payout_paid": (
        N_("Payout sent for deal %(reference)s"),
        N_("%(amount)s was paid out to your payout account for deal %(reference)s."),
    ),
    # The seller's share of a deposit forfeited by an auction winner who did not pay.
    "forfeit_payout_waiting": (
        N_("Your share of a forfeited deposit is waiting"),
        N_(
            "The winner of “%(title)s” did not pay in time, so %(amount)s of the deposit is yours, but your "
            "payout account is not set up yet. Open your payout settings and finish the setup: the payout "
            "is then sent."
        ),
    ),
    "forfeit_payout_paid": (
        N_("Forfeited deposit paid out"),
        N_("%(amount)s of the forfeited deposit for “%(title)s” was paid out to your payout account."),
    ),
}
for _name, (_title, _body) in KINDS.items():
    register_kind(_name, _title, _body)


def notify_payout(payout, kind: str) -> None:
    """Once per payout and kind (deduplicated), written in the recipient's language."""
    user = payout.recipient
    with force_locale(recipient_locale(user)):
        params = {"reference": payout.source_reference, "amount": money_text(payout.amount, payout.currency)}
    if payout.deposit_id is not None:
        kind, params["title"] = f"forfeit_{kind}", payout.deposit.auction.listing.title
    notify(user, kind, params, site_path("payments.payout_settings"), f"payout-{payout.id}-{kind}")
