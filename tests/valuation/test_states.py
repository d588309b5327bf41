"""The parameter-set lifecycle table and the four-eyes rule."""

import pytest

from app.valuation import paramsets, states
from app.valuation.paramsets import FourEyesViolation
from app.valuation.states import InvalidTransition, next_status

ALL_ACTIONS = (states.SUBMIT, states.WITHDRAW, states.APPROVE, states.REJECT, states.RETIRE)


# Written out by hand, not read from states.TRANSITIONS, so a wrong edge in the table fails here.
EXPECTED = {
    ("draft", "submit"): "pending_approval",
    ("pending_approval", "withdraw"): "draft",
    ("pending_approval", "approve"): "active",
    ("pending_approval", "reject"): "rejected",
    ("active", "retire"): "retired",
}


@pytest.mark.parametrize(
    ("status", "action"),
    [(status, action) for status in states.STATUSES for action in ALL_ACTIONS],
)
def test_transition_table(app, status, action):
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(InvalidTransition) as refused:
            next_status(status, action)
        assert refused.value.status == status
        assert refused.value.allowed == [a for (s, a) in EXPECTED if s == status]
    else:
        assert next_status(status, action) == expected


def test_every_transition_also_lands_in_the_shared_trail(app, assessors):
    from app.core.audit_chain import verify_chain
    from app.core.lifecycle import status_history

    ps = _pending(assessors[0])
    paramsets.approve(ps, assessors[1], "ok")
    assert [(e.action, e.from_status, e.to_status) for e in status_history(ps)] == [
        ("submit", "draft", "pending_approval"),
        ("approve", "pending_approval", "active"),
    ]
    assert verify_chain() is None


def test_active_and_rejected_versions_are_final_except_retirement():
    assert states.allowed_actions(states.ACTIVE) == []
    assert states.allowed_actions(states.REJECTED) == []
    assert states.allowed_actions(states.DRAFT) == [states.SUBMIT]


def _pending(author, submitter=None):
    draft = paramsets.create_draft(
        "rfr",
        author,
        "lower the royalty",
        params={"revenue": 1_000_000.0, "royalty_rate": 0.03, "discount_rate": 0.12, "draws": 0},
    )
    return paramsets.submit(draft, submitter or author, "please review")


@pytest.mark.parametrize(
    ("author", "submitter", "reviewer", "allowed"),
    [
        (0, 0, 0, False),  # the submitter cannot approve their own version
        (0, 1, 1, False),  # nor can a submitter who is not the author
        (0, 1, 0, False),  # nor the author when someone else submitted
        (0, 0, 1, True),  # a second assessor can
        (0, 0, 2, True),  # so can an administrator
    ],
)
def test_four_eyes(app, assessors, author, submitter, reviewer, allowed):
    ps = _pending(assessors[author], assessors[submitter])
    if allowed:
        paramsets.approve(ps, assessors[reviewer], "ok")
        assert ps.status == states.ACTIVE
        assert ps.approved_by_id == assessors[reviewer].id
    else:
        with pytest.raises(FourEyesViolation):
            paramsets.approve(ps, assessors[reviewer], "ok")
        with pytest.raises(FourEyesViolation):
            paramsets.reject(ps, assessors[reviewer], "no")
        assert ps.status == states.PENDING


def test_buyers_cannot_draft(app, make_user):
    from app.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        paramsets.create_draft(
            "rfr", make_user(), "x", params={"revenue": 1.0, "royalty_rate": 0.1, "discount_rate": 0.1}
        )


def test_every_transition_writes_an_event(app, assessors):
    a1, a2, _admin = assessors
    ps = _pending(a1)
    paramsets.approve(ps, a2, "looks right")
    trail = [(e.action, e.from_status, e.to_status, e.actor_id) for e in ps.events]
    assert trail == [
        ("create", None, "draft", a1.id),
        ("submit", "draft", "pending_approval", a1.id),
        ("approve", "pending_approval", "active", a2.id),
    ]
    assert ps.events[-1].reason == "looks right"
