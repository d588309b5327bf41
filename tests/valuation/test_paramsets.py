"""Drafts, diffs, approval retiring the predecessor, rejection, rollback through the same approval."""

import pytest

from app.core.errors import PermissionDenied
from app.valuation import paramsets, states
from app.valuation.engine import ParameterError
from app.valuation.models import ENSEMBLE_ID
from app.valuation.states import InvalidTransition


def test_draft_copies_active_and_diff_names_changes(app, seeded):
    a1, a2, _ = seeded
    active = paramsets.active_set("rfr")
    draft = paramsets.create_draft("rfr", a1, "higher royalty")
    assert draft.version == active.version + 1
    assert draft.params == active.params
    assert draft.diff == []
    paramsets.update_draft(draft, {**active.params, "royalty_rate": 0.05}, a1)
    assert draft.diff == [{"path": "royalty_rate", "old": 0.04, "new": 0.05}]
    assert draft.predecessor_id == active.id


def test_bad_parameters_name_the_field(app, seeded):
    draft = paramsets.create_draft("rfr", seeded[0], "x")
    with pytest.raises(ParameterError) as info:
        paramsets.update_draft(
            draft, {**draft.params, "royalty_rate": 0.9, "discount_rate": float("nan")}, seeded[0]
        )
    assert set(info.value.errors) == {"royalty_rate", "discount_rate"}


def test_ensemble_weights_validated(app, seeded):
    draft = paramsets.create_draft(ENSEMBLE_ID, seeded[0], "x")
    bad = {
        "weights": {"default": {"rfr": -1}, "assignment": {"rfr": 1}, "licence": {"gbt42748": 1}},
        "calibrations": {},
    }
    with pytest.raises(ParameterError) as info:
        paramsets.update_draft(draft, bad, seeded[0])
    assert "weights.default.rfr" in info.value.errors
    assert "weights.licence.gbt42748" in info.value.errors  # a score model without a calibration


def test_submitted_versions_are_frozen(app, seeded):
    draft = paramsets.create_draft("rfr", seeded[0], "x")
    paramsets.submit(draft, seeded[0])
    with pytest.raises(InvalidTransition):
        paramsets.update_draft(draft, draft.params, seeded[0])


def test_approval_retires_predecessor_and_rollback_needs_approval(app, seeded):
    a1, a2, _ = seeded
    v1 = paramsets.active_set("rfr")
    v2 = paramsets.create_draft("rfr", a1, "higher royalty")
    paramsets.update_draft(v2, {**v2.params, "royalty_rate": 0.05}, a1)
    paramsets.approve(paramsets.submit(v2, a1), a2)
    assert (v1.status, v2.status) == (states.RETIRED, states.ACTIVE)
    assert v1.events[-1].action == states.RETIRE

    v3 = paramsets.rollback(v1, a1, "back to the old rate")
    assert v3.status == states.PENDING
    assert v3.based_on_id == v1.id
    assert v3.params == v1.params
    assert paramsets.active_set("rfr") is v2  # nothing changes before the second pair of eyes
    paramsets.approve(v3, a2, "agreed")
    assert paramsets.active_set("rfr") is v3
    assert v2.status == states.RETIRED
    assert v3.diff == [{"path": "royalty_rate", "old": 0.05, "new": 0.04}]


def test_reject_keeps_the_record(app, seeded):
    a1, a2, _ = seeded
    ps = paramsets.submit(paramsets.create_draft("cost", a1, "x"), a1)
    paramsets.reject(ps, a2, "no evidence for the new cost")
    assert ps.status == states.REJECTED
    assert ps.events[-1].reason == "no evidence for the new cost"
    assert paramsets.active_set("cost").version == 1


def test_withdraw_returns_to_draft(app, seeded):
    ps = paramsets.submit(paramsets.create_draft("cost", seeded[0], "x"), seeded[0])
    paramsets.withdraw(ps, seeded[0])
    assert ps.status == states.DRAFT
    assert ps.submitted_by_id is None


def test_database_refuses_self_approval(app, seeded):
    from sqlalchemy.exc import IntegrityError

    from app.extensions import db

    ps = paramsets.submit(paramsets.create_draft("cost", seeded[0], "x"), seeded[0])
    ps.status, ps.approved_by_id = states.ACTIVE, seeded[0].id  # bypassing the service
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_four_eyes_bypass_is_refused_at_the_edit(app, seeded):
    """Issue 7: B edits A's draft (royalty 0.04 -> 0.30), A submits, B approves B's own numbers."""
    a1, a2, admin = seeded
    draft = paramsets.create_draft("rfr", a1, "A's draft")
    with pytest.raises(PermissionDenied):
        paramsets.update_draft(draft, {**draft.params, "royalty_rate": 0.30}, a2)
    assert draft.params["royalty_rate"] == 0.04


def test_every_edit_is_an_event_with_its_diff_and_editors_may_not_approve(app, seeded):
    a1, a2, admin = seeded
    draft = paramsets.create_draft("rfr", a1, "x")
    paramsets.update_draft(draft, {**draft.params, "royalty_rate": 0.05}, admin, "admin fixes the rate")
    edit = draft.events[-1]
    assert (edit.action, edit.actor_id) == (states.EDIT, admin.id)
    assert edit.details == [{"path": "royalty_rate", "old": 0.04, "new": 0.05}]
    paramsets.submit(draft, a1)
    assert not draft.can_approve(admin)  # the administrator changed the numbers
    with pytest.raises(paramsets.FourEyesViolation):
        paramsets.approve(draft, admin)
    paramsets.approve(draft, a2)
    assert draft.status == states.ACTIVE


def test_only_the_submitter_or_an_administrator_may_withdraw(app, seeded):
    a1, a2, admin = seeded
    ps = paramsets.submit(paramsets.create_draft("cost", a1, "x"), a1)
    with pytest.raises(PermissionDenied):
        paramsets.withdraw(ps, a2)
    paramsets.withdraw(ps, admin)
    assert ps.status == states.DRAFT


def test_edit_page_refuses_another_assessors_draft(app, seeded, client, auth):
    from app.extensions import db

    a1, a2, _ = seeded
    draft = paramsets.create_draft("rfr", a1, "x")
    db.session.commit()
    auth.login(a2)
    assert client.get(f"/valuation/workbench/sets/{draft.id}/edit").status_code == 403
