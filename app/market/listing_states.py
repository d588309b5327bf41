"""A listing's lifecycle as data: statuses, actions and the {(status, action): next} table."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

DRAFT = "draft"  # being written by the seller; only the seller's side and administrators see it
SUBMITTED = "submitted"  # waiting in the moderation queue
PUBLISHED = "published"  # visible to everyone, open to offers, buy-now or acceptance
REJECTED = "rejected"  # sent back by an administrator with a reason; the seller may fix and resubmit
UNDER_OFFER = "under_offer"  # a deal is in progress; no new offers
SOLD = "sold"  # an assignment was concluded
LICENSED = "licensed"  # a licence was concluded
WITHDRAWN = "withdrawn"  # taken down by the seller (or an administrator)
EXPIRED = "expired"  # its end date passed while published
STATUSES = (DRAFT, SUBMITTED, PUBLISHED, REJECTED, UNDER_OFFER, SOLD, LICENSED, WITHDRAWN, EXPIRED)
# Listings a buyer can find and act on.
OPEN_STATUSES = (PUBLISHED,)
# Listings visible to the public (their page stays readable after the deal).
PUBLIC_STATUSES = (PUBLISHED, UNDER_OFFER, SOLD, LICENSED, EXPIRED)
# The seller may change the text and terms.
EDITABLE_STATUSES = (DRAFT, REJECTED, PUBLISHED)

TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, "submit"): SUBMITTED,
    (DRAFT, "withdraw"): WITHDRAWN,
    (REJECTED, "submit"): SUBMITTED,
    (REJECTED, "withdraw"): WITHDRAWN,
    (SUBMITTED, "approve"): PUBLISHED,  # by an administrator, or the platform under the skip policy
    (SUBMITTED, "reject"): REJECTED,  # an administrator, with a reason
    (SUBMITTED, "withdraw"): WITHDRAWN,
    (PUBLISHED, "reserve"): UNDER_OFFER,  # a deal was agreed (accepted offer, buy-now, auction award)
    (PUBLISHED, "withdraw"): WITHDRAWN,
    (PUBLISHED, "expire"): EXPIRED,  # the end date passed (periodic tick)
    (UNDER_OFFER, "sell"): SOLD,
    (UNDER_OFFER, "license"): LICENSED,
    (UNDER_OFFER, "reopen"): PUBLISHED,  # the deal was cancelled
    (EXPIRED, "relist"): DRAFT,
    (WITHDRAWN, "relist"): DRAFT,
}

STATUS_LABELS = {
    DRAFT: _l("Draft"),
    SUBMITTED: _l("Awaiting review"),
    PUBLISHED: _l("Published"),
    REJECTED: _l("Returned for changes"),
    UNDER_OFFER: _l("Under offer"),
    SOLD: _l("Sold"),
    LICENSED: _l("Licensed"),
    WITHDRAWN: _l("Withdrawn"),
    EXPIRED: _l("Expired"),
}

ACTION_LABELS = {
    "submit": _l("Submit for review"),
    "withdraw": _l("Withdraw"),
    "approve": _l("Approve and publish"),
    "reject": _l("Return to the seller"),
    "reserve": _l("Reserve for a deal"),
    "expire": _l("Expire"),
    "sell": _l("Mark sold"),
    "license": _l("Mark licensed"),
    "reopen": _l("Reopen"),
    "relist": _l("Relist as a draft"),
}

# Actions a seller takes from the listing's pages; the others belong to administrators or services.
SELLER_ACTIONS = ("submit", "withdraw", "relist")


def _lifecycle():
    from app.core.lifecycle import Lifecycle

    return Lifecycle(
        name="listing", transitions=TRANSITIONS, status_labels=STATUS_LABELS, action_labels=ACTION_LABELS
    )


LISTING_LIFECYCLE = _lifecycle()
