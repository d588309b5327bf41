"""The payout lifecycle as data: one row per recipient of a deal's seller share.

pending -> waiting_for_onboarding (the recipient has no ready payout account yet) -> pending ->
in_transit (sent to the provider) -> paid, with failed (the provider refused; an administrator
retries) and reversed (a refund took all of it back). A provider that does not answer leaves the
payout where it was; the retry uses the same idempotency key, so the money moves once.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.lifecycle import Lifecycle

PENDING = "pending"  # created at registration; about to be sent
WAITING = "waiting_for_onboarding"  # the recipient must finish setting up a payout account
IN_TRANSIT = "in_transit"  # sent; the provider has it (offline: the bank transfer is on its way)
PAID = "paid"  # in the recipient's account (a Connect transfer lands at once)
FAILED = "failed"  # the provider refused the transfer; an administrator may retry
REVERSED = "reversed"  # a refund took the whole amount back

STATUSES = (PENDING, WAITING, IN_TRANSIT, PAID, FAILED, REVERSED)
SENT = (IN_TRANSIT, PAID)  # money left the hold for the recipient
RETRYABLE = (PENDING, WAITING, FAILED)

TRANSITIONS: dict[tuple[str, str], str] = {
    (PENDING, "wait"): WAITING,
    (WAITING, "resume"): PENDING,
    (FAILED, "resume"): PENDING,
    (PENDING, "send"): IN_TRANSIT,
    (IN_TRANSIT, "land"): PAID,
    (PENDING, "fail"): FAILED,
    **{(status, "reverse"): REVERSED for status in SENT},
}

STATUS_LABELS = {
    PENDING: _l("Being prepared"),
    WAITING: _l("Waiting for your payout account"),
    IN_TRANSIT: _l("On its way"),
    PAID: _l("Paid"),
    FAILED: _l("Failed"),
    REVERSED: _l("Taken back by a refund"),
}
ACTION_LABELS = {
    "wait": _l("Wait for the payout account"),
    "resume": _l("Try the payout again"),
    "send": _l("Send the payout"),
    "land": _l("Record the payout as paid"),
    "fail": _l("Record a failure"),
    "reverse": _l("Reverse the payout"),
}

PAYOUT_LIFECYCLE = Lifecycle(
    name="payout", transitions=TRANSITIONS, status_labels=STATUS_LABELS, action_labels=ACTION_LABELS
)

ROLES = ("seller", "co_owner", "broker")
ROLE_LABELS = {"seller": _l("Seller"), "co_owner": _l("Co-owner"), "broker": _l("Broker")}
