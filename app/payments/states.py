"""The payment lifecycle as data, separate from the deal's two status dimensions.

A payment is driven by provider events and server-side confirmation, never by a browser redirect:
requires_payment -> processing -> requires_action -> succeeded (held until registration) ->
paid_out, with failed, cancelled, refunded and partially_refunded on the side.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.lifecycle import Lifecycle

REQUIRES_PAYMENT = "requires_payment"  # created; waiting for the buyer's card or bank transfer
PROCESSING = "processing"  # the provider is working on it
REQUIRES_ACTION = "requires_action"  # the buyer must authenticate (3-D Secure)
SUCCEEDED = "succeeded"  # received and held until registration
PAID_OUT = "paid_out"  # the seller's share was paid out and the fee taken
FAILED = "failed"  # declined; the buyer may start again
CANCELLED = "cancelled"  # abandoned before any money arrived
REFUNDED = "refunded"  # everything went back to the buyer
PARTIALLY_REFUNDED = "partially_refunded"  # part went back to the buyer

OPEN = (REQUIRES_PAYMENT, PROCESSING, REQUIRES_ACTION)
HELD = (SUCCEEDED, PARTIALLY_REFUNDED)  # money we hold for the deal
# A deal has at most one payment in these statuses (a partial unique index enforces it).
LIVE = (*OPEN, SUCCEEDED, PAID_OUT, REFUNDED, PARTIALLY_REFUNDED)
STATUSES = (*LIVE, FAILED, CANCELLED)

TRANSITIONS: dict[tuple[str, str], str] = {
    (REQUIRES_PAYMENT, "process"): PROCESSING,
    (REQUIRES_ACTION, "process"): PROCESSING,
    **{(status, "require_action"): REQUIRES_ACTION for status in (REQUIRES_PAYMENT, PROCESSING)},
    **{(status, "succeed"): SUCCEEDED for status in OPEN},
    **{(status, "fail"): FAILED for status in OPEN},
    **{(status, "cancel"): CANCELLED for status in OPEN},
    (SUCCEEDED, "pay_out"): PAID_OUT,
    **{(status, "refund"): REFUNDED for status in (*HELD, PAID_OUT)},  # after payout: transfers reversed
    **{(status, "refund_part"): PARTIALLY_REFUNDED for status in (*HELD, PAID_OUT)},
}

STATUS_LABELS = {
    REQUIRES_PAYMENT: _l("Awaiting payment"),
    PROCESSING: _l("Processing"),
    REQUIRES_ACTION: _l("Authentication needed"),
    SUCCEEDED: _l("Received, held until registration"),
    PAID_OUT: _l("Paid out to the seller"),
    FAILED: _l("Failed"),
    CANCELLED: _l("Cancelled"),
    REFUNDED: _l("Refunded"),
    PARTIALLY_REFUNDED: _l("Partly refunded"),
}
ACTION_LABELS = {
    "process": _l("Process"),
    "require_action": _l("Ask for authentication"),
    "succeed": _l("Record the receipt"),
    "fail": _l("Record a failure"),
    "cancel": _l("Cancel the payment"),
    "pay_out": _l("Record the payout"),
    "refund": _l("Refund in full"),
    "refund_part": _l("Refund in part"),
}

PAYMENT_LIFECYCLE = Lifecycle(
    name="payment", transitions=TRANSITIONS, status_labels=STATUS_LABELS, action_labels=ACTION_LABELS
)
