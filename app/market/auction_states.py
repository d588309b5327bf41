"""An auction's lifecycle as data: statuses, actions and the {(status, action): next} table."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.lifecycle import Lifecycle

SCHEDULED = "scheduled"  # configured; bidding starts at starts_at once the listing is published
OPEN = "open"  # bids accepted until ends_at (which soft close may move, never past hard_end_at)
AWARDED = "awarded"  # closed with a winner at or above the reserve: a deal was created
RESERVE_NOT_MET = "reserve_not_met"  # closed; the seller may make a second-chance offer to the top bidder
NO_BIDS = "no_bids"  # closed without a single bid
SECOND_CHANCE = "second_chance"  # the seller offered the top bidder a deal after the reserve was not met
CANCELLED = "cancelled"  # stopped by an administrator before the close
STATUSES = (SCHEDULED, OPEN, AWARDED, RESERVE_NOT_MET, NO_BIDS, SECOND_CHANCE, CANCELLED)
# Not yet closed: the tick and lazy closes look at these.
LIVE_STATUSES = (SCHEDULED, OPEN)
CLOSED_STATUSES = (AWARDED, RESERVE_NOT_MET, NO_BIDS, SECOND_CHANCE)

TRANSITIONS: dict[tuple[str, str], str] = {
    (SCHEDULED, "open"): OPEN,
    (SCHEDULED, "close_empty"): NO_BIDS,
    (SCHEDULED, "cancel"): CANCELLED,
    (OPEN, "award"): AWARDED,
    (OPEN, "fail_reserve"): RESERVE_NOT_MET,
    (OPEN, "close_empty"): NO_BIDS,
    (OPEN, "cancel"): CANCELLED,
    (RESERVE_NOT_MET, "second_chance"): SECOND_CHANCE,
}

STATUS_LABELS = {
    SCHEDULED: _l("Scheduled"),
    OPEN: _l("Open for bids"),
    AWARDED: _l("Awarded"),
    RESERVE_NOT_MET: _l("Reserve not met"),
    NO_BIDS: _l("Ended without bids"),
    SECOND_CHANCE: _l("Second-chance offer made"),
    CANCELLED: _l("Cancelled"),
}

ACTION_LABELS = {
    "open": _l("Open for bids"),
    "close_empty": _l("Close without bids"),
    "cancel": _l("Cancel the auction"),
    "award": _l("Award"),
    "fail_reserve": _l("Close: reserve not met"),
    "second_chance": _l("Make a second-chance offer"),
}

AUCTION_LIFECYCLE = Lifecycle(
    name="auction", transitions=TRANSITIONS, status_labels=STATUS_LABELS, action_labels=ACTION_LABELS
)
