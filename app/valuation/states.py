"""Parameter-set lifecycle as data: statuses, actions and the one function that moves between them."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.errors import Conflict

# Statuses of a parameter set (one model's tuned parameters, or the ensemble weights).
DRAFT = "draft"  # being edited by an assessor; invisible to valuations
PENDING = "pending_approval"  # submitted, frozen, waiting for a second assessor or an administrator
ACTIVE = "active"  # the one version valuations use; immutable
RETIRED = "retired"  # was active, superseded by a later approved version
REJECTED = "rejected"  # refused by the reviewer; kept for the record
STATUSES = (DRAFT, PENDING, ACTIVE, RETIRED, REJECTED)

# Actions (verbs) an assessor can take.
SUBMIT = "submit"  # draft -> pending approval
WITHDRAW = "withdraw"  # the submitter takes it back to edit
APPROVE = "approve"  # four-eyes: someone other than the author and submitter; it becomes active
REJECT = "reject"  # reviewer refuses it, with a reason
RETIRE = "retire"  # happens to the previous active version when a successor is approved
CREATE = "create"  # the first event of every version (from no status to draft)
EDIT = "edit"  # the draft's numbers changed (draft -> draft); the event carries the diff

TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, SUBMIT): PENDING,
    (PENDING, WITHDRAW): DRAFT,
    (PENDING, APPROVE): ACTIVE,
    (PENDING, REJECT): REJECTED,
    (ACTIVE, RETIRE): RETIRED,
}


STATUS_LABELS = {
    DRAFT: _l("Draft"),
    PENDING: _l("Pending approval"),
    ACTIVE: _l("Active"),
    RETIRED: _l("Retired"),
    REJECTED: _l("Rejected"),
}
ACTION_LABELS = {
    CREATE: _l("created"),
    EDIT: _l("edited"),
    SUBMIT: _l("submitted"),
    WITHDRAW: _l("withdrawn"),
    APPROVE: _l("approved"),
    REJECT: _l("rejected"),
    RETIRE: _l("retired"),
}


class InvalidTransition(Conflict):
    """The action is not allowed from the set's current status."""

    def __init__(self, status: str, action: str) -> None:
        super().__init__(
            _(
                "This version is %(status)s: it cannot be %(action)s.",
                status=STATUS_LABELS.get(status, status),
                action=ACTION_LABELS.get(action, action),
            )
        )
        self.status = status
        self.action = action


def next_status(status: str, action: str) -> str:
    """The status an action leads to, or InvalidTransition."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise InvalidTransition(status, action) from None


def allowed_actions(status: str) -> list[str]:
    """Actions the table allows from a status (permissions are checked separately)."""
    return [action for (source, action) in TRANSITIONS if source == status and action != RETIRE]
