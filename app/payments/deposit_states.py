"""The auction deposit lifecycle as data.

requires_payment -> (requires_action) -> held; then, after the close, released (an uncaptured card
hold cancelled), refunded, credited to the winner's deal payment, or forfeited by a winner who did
not pay in time; failed and cancelled on the side.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.lifecycle import Lifecycle

REQUIRES_PAYMENT = "requires_payment"  # created; waiting for the card or the bank transfer
REQUIRES_ACTION = "requires_action"  # the bidder must authenticate (3-D Secure)
HELD = "held"  # authorised or received: the bidder may bid
RELEASED = "released"  # the uncaptured card hold was cancelled: nothing was charged
REFUNDED = "refunded"  # the captured deposit went back to the bidder
CREDITED = "credited"  # counted towards the winner's payment of the deal
FORFEITED = "forfeited"  # the winner did not pay within the deadline
FAILED = "failed"  # declined; the bidder may start again
CANCELLED = "cancelled"  # abandoned before any money arrived

OPEN = (REQUIRES_PAYMENT, REQUIRES_ACTION)
LIVE = (*OPEN, HELD, RELEASED, REFUNDED, CREDITED, FORFEITED)  # one per bidder and auction
STATUSES = (*LIVE, FAILED, CANCELLED)

TRANSITIONS: dict[tuple[str, str], str] = {
    (REQUIRES_PAYMENT, "require_action"): REQUIRES_ACTION,
    **{(status, "hold"): HELD for status in OPEN},
    **{(status, "fail"): FAILED for status in OPEN},
    **{(status, "cancel"): CANCELLED for status in OPEN},
    (HELD, "release"): RELEASED,
    (HELD, "refund"): REFUNDED,
    (HELD, "credit"): CREDITED,
    (HELD, "forfeit"): FORFEITED,
}

STATUS_LABELS = {
    REQUIRES_PAYMENT: _l("Awaiting the deposit"),
    REQUIRES_ACTION: _l("Authentication needed"),
    HELD: _l("Deposit held"),
    RELEASED: _l("Released"),
    REFUNDED: _l("Refunded"),
    CREDITED: _l("Credited to the deal's payment"),
    FORFEITED: _l("Forfeited"),
    FAILED: _l("Failed"),
    CANCELLED: _l("Cancelled"),
}
ACTION_LABELS = {
    "require_action": _l("Ask for authentication"),
    "hold": _l("Record the deposit"),
    "fail": _l("Record a failure"),
    "cancel": _l("Cancel the deposit"),
    "release": _l("Release the hold"),
    "refund": _l("Refund the deposit"),
    "credit": _l("Credit to the deal"),
    "forfeit": _l("Forfeit the deposit"),
}

DEPOSIT_LIFECYCLE = Lifecycle(
    name="deposit", transitions=TRANSITIONS, status_labels=STATUS_LABELS, action_labels=ACTION_LABELS
)
