"""An offer's lifecycle as data. Each row is one proposal; a counter-offer closes it and opens the next.

The side that did not make a proposal accepts, rejects or counters it; the side that made it may
withdraw it. Accepting one proposal closes every competing open proposal on the listing.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.lifecycle import Lifecycle

OPEN = "open"  # waiting for the other side's answer
COUNTERED = "countered"  # answered with a counter-offer (the next proposal in the thread)
ACCEPTED = "accepted"  # a deal was created from it
REJECTED = "rejected"  # the other side said no
WITHDRAWN = "withdrawn"  # its maker took it back
EXPIRED = "expired"  # nobody answered before its expiry
DECLINED = "declined"  # below the seller's floor: declined automatically, politely
CLOSED = "closed"  # another offer on the listing was accepted first
STATUSES = (OPEN, COUNTERED, ACCEPTED, REJECTED, WITHDRAWN, EXPIRED, DECLINED, CLOSED)

TRANSITIONS: dict[tuple[str, str], str] = {
    (OPEN, "accept"): ACCEPTED,
    (OPEN, "reject"): REJECTED,
    (OPEN, "counter"): COUNTERED,
    (OPEN, "withdraw"): WITHDRAWN,
    (OPEN, "expire"): EXPIRED,
    (OPEN, "decline"): DECLINED,
    (OPEN, "close"): CLOSED,
}

# Who may take each action: the recipient of the proposal, or its maker.
RECIPIENT_ACTIONS = ("accept", "reject", "counter")
MAKER_ACTIONS = ("withdraw",)

OFFER_LIFECYCLE = Lifecycle(
    name="offer",
    transitions=TRANSITIONS,
    status_labels={
        OPEN: _l("Waiting for an answer"),
        COUNTERED: _l("Countered"),
        ACCEPTED: _l("Accepted"),
        REJECTED: _l("Rejected"),
        WITHDRAWN: _l("Withdrawn"),
        EXPIRED: _l("Expired"),
        DECLINED: _l("Declined below the floor"),
        CLOSED: _l("Closed: another offer was accepted"),
    },
    action_labels={
        "accept": _l("Accept"),
        "reject": _l("Reject"),
        "counter": _l("Counter-offer"),
        "withdraw": _l("Withdraw"),
        "expire": _l("Expire"),
        "decline": _l("Decline"),
        "close": _l("Close"),
    },
)
