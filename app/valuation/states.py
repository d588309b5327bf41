"""Parameter-set lifecycle as data: statuses, actions and the one function that moves between them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.lifecycle import InvalidTransition as InvalidTransition  # the shared error, re-exported
from app.core.lifecycle import Lifecycle

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
ROLLBACK = "rollback"  # an older version's numbers come back as a new draft, submitted at once

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


# What each action is called where the allowed next steps are listed (imperative, unlike the trail).
ACTION_VERBS = {
    CREATE: _l("Create"),
    EDIT: _l("Edit"),
    SUBMIT: _l("Submit"),
    WITHDRAW: _l("Withdraw"),
    APPROVE: _l("Approve"),
    REJECT: _l("Reject"),
    RETIRE: _l("Retire"),
    ROLLBACK: _l("Roll back"),
}

# The shared lifecycle helper applies the table, records the generic event and the audit-chain entry;
# ParameterSetEvent rows keep the parameter diffs the workbench shows.
PARAMETER_SET = Lifecycle(
    name="parameter_set", transitions=TRANSITIONS, status_labels=STATUS_LABELS, action_labels=ACTION_VERBS
)


def next_status(status: str, action: str) -> str:
    """The status an action leads to, or InvalidTransition."""
    return PARAMETER_SET.next_status(status, action)


def refuse(status: str, action: str) -> InvalidTransition:
    """The error for an action this status does not allow (edits and rollbacks are not in the table)."""
    return InvalidTransition(PARAMETER_SET, status, action)


def allowed_actions(status: str) -> list[str]:
    """Actions an assessor can take from a status (retirement only follows an approval)."""
    return [action for action in PARAMETER_SET.allowed_actions(status) if action != RETIRE]
