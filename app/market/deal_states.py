"""A deal's two status dimensions as data: the workflow to registration, and the money.

``status`` walks agreed -> contract drafted -> signed -> awaiting payment -> registration filed ->
registered -> completed; it may be cancelled before filing, and disputed after signing.
``money_status`` (unpaid, paid, refunded) moves on its own: the payments capability will drive it;
until then an administrator records a payment by hand. A deal completes when it is registered
and paid, whichever comes last.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.lifecycle import Lifecycle

AGREED = "agreed"  # price and terms agreed; the contract is next
CONTRACT_DRAFTED = "contract_drafted"  # generated from the template; waiting for both signatures
SIGNED = "signed"  # both parties signed; the contract text can no longer change
AWAITING_PAYMENT = "awaiting_payment"  # signed; the buyer's payment is outstanding
REGISTRATION_FILED = "registration_filed"  # filed with the patent office (CNIPA / USPTO)
REGISTERED = "registered"  # the office recorded it; the catalogue was updated
COMPLETED = "completed"  # registered and paid: a ClosedDeal was written
CANCELLED = "cancelled"  # stopped before filing, with a reason
DISPUTED = "disputed"  # a party raised a dispute; an administrator resolves it
STATUSES = (
    AGREED,
    CONTRACT_DRAFTED,
    SIGNED,
    AWAITING_PAYMENT,
    REGISTRATION_FILED,
    REGISTERED,
    COMPLETED,
    CANCELLED,
    DISPUTED,
)
ACTIVE_STATUSES = (
    AGREED,
    CONTRACT_DRAFTED,
    SIGNED,
    AWAITING_PAYMENT,
    REGISTRATION_FILED,
    REGISTERED,
    DISPUTED,
)
CANCELLABLE = (AGREED, CONTRACT_DRAFTED, SIGNED, AWAITING_PAYMENT)
DISPUTABLE = (SIGNED, AWAITING_PAYMENT, REGISTRATION_FILED, REGISTERED)

TRANSITIONS: dict[tuple[str, str], str] = {
    (AGREED, "draft_contract"): CONTRACT_DRAFTED,
    (CONTRACT_DRAFTED, "sign"): SIGNED,  # the second signature
    (SIGNED, "request_payment"): AWAITING_PAYMENT,
    (SIGNED, "file_registration"): REGISTRATION_FILED,  # already paid
    (AWAITING_PAYMENT, "file_registration"): REGISTRATION_FILED,
    (REGISTRATION_FILED, "register"): REGISTERED,
    (REGISTERED, "complete"): COMPLETED,
    **{(status, "cancel"): CANCELLED for status in CANCELLABLE},
    **{(status, "dispute"): DISPUTED for status in DISPUTABLE},
    (DISPUTED, "cancel"): CANCELLED,  # an administrator ends the deal
    # (DISPUTED, "resolve") returns to the status before the dispute: see deal_services.resolve_dispute
}

STATUS_LABELS = {
    AGREED: _l("Agreed"),
    CONTRACT_DRAFTED: _l("Contract drafted"),
    SIGNED: _l("Signed by both"),
    AWAITING_PAYMENT: _l("Awaiting payment"),
    REGISTRATION_FILED: _l("Registration filed"),
    REGISTERED: _l("Registered"),
    COMPLETED: _l("Completed"),
    CANCELLED: _l("Cancelled"),
    DISPUTED: _l("In dispute"),
}
ACTION_LABELS = {
    "draft_contract": _l("Draft the contract"),
    "sign": _l("Sign"),
    "request_payment": _l("Request payment"),
    "file_registration": _l("Record the filing"),
    "register": _l("Record the registration"),
    "complete": _l("Complete"),
    "cancel": _l("Cancel the deal"),
    "dispute": _l("Raise a dispute"),
    "resolve": _l("Resolve the dispute"),
}

DEAL_LIFECYCLE = Lifecycle(
    name="deal", transitions=TRANSITIONS, status_labels=STATUS_LABELS, action_labels=ACTION_LABELS
)

UNPAID = "unpaid"
PAID = "paid"
REFUNDED = "refunded"
MONEY_STATUSES = (UNPAID, PAID, REFUNDED)
MONEY_LIFECYCLE = Lifecycle(
    name="deal_money",
    attribute="money_status",
    transitions={(UNPAID, "mark_paid"): PAID, (PAID, "refund"): REFUNDED},
    status_labels={UNPAID: _l("Unpaid"), PAID: _l("Paid"), REFUNDED: _l("Refunded")},
    action_labels={"mark_paid": _l("Record the payment"), "refund": _l("Record a refund")},
)

ORIGINS = ("offer", "buy_now", "open_licence", "auction")
ORIGIN_LABELS = {
    "offer": _l("Accepted offer"),
    "buy_now": _l("Bought at the asking price"),
    "open_licence": _l("Open licence accepted"),
    "auction": _l("Auction"),
}
