"""The need lifecycle as data, run by the shared app.core.lifecycle helper."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.lifecycle import Lifecycle

DRAFT = "draft"  # being written; only the buyer and administrators see it
OPEN = "open"  # on the board (or shown to invited sellers, when private); matched to listings
IN_TALKS = "in_talks"  # the buyer is talking to a seller; still matched
FULFILLED = "fulfilled"  # the buyer found what they needed
CLOSED = "closed"  # withdrawn by the buyer (or an administrator)
EXPIRED = "expired"  # the deadline passed while open

MATCHED_STATUSES = (OPEN, IN_TALKS)  # needs sellers see and the engine matches

TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, "publish"): OPEN,
    (DRAFT, "close"): CLOSED,
    (OPEN, "start_talks"): IN_TALKS,
    (OPEN, "fulfil"): FULFILLED,
    (OPEN, "close"): CLOSED,
    (OPEN, "expire"): EXPIRED,
    (IN_TALKS, "resume"): OPEN,  # the talks ended without a deal
    (IN_TALKS, "fulfil"): FULFILLED,
    (IN_TALKS, "close"): CLOSED,
    (IN_TALKS, "expire"): EXPIRED,
    (EXPIRED, "reopen"): DRAFT,  # with a new deadline
    (CLOSED, "reopen"): DRAFT,
}

STATUS_LABELS = {
    DRAFT: _l("Draft"),
    OPEN: _l("Seeking offers"),
    IN_TALKS: _l("In talks"),
    FULFILLED: _l("Fulfilled"),
    CLOSED: _l("Closed"),
    EXPIRED: _l("Expired"),
}

ACTION_LABELS = {
    "publish": _l("Publish"),
    "start_talks": _l("Mark in talks"),
    "resume": _l("Back to open"),
    "fulfil": _l("Mark fulfilled"),
    "close": _l("Close"),
    "expire": _l("Expire"),
    "reopen": _l("Reopen as a draft"),
}

BUYER_ACTIONS = ("publish", "start_talks", "resume", "fulfil", "close", "reopen")

NEED_LIFECYCLE = Lifecycle(
    name="need", transitions=TRANSITIONS, status_labels=STATUS_LABELS, action_labels=ACTION_LABELS
)
