"""The lifecycle helper: transitions as data, 409 with allowed actions, one event row per step."""

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.catalogue.import_models import ImportJob
from app.catalogue.states import IMPORT_JOB
from app.core.audit_chain import AuditLogEntry, verify_chain
from app.core.lifecycle import InvalidTransition, Lifecycle, StatusEvent, apply_transition, status_history
from app.extensions import db

DOOR = Lifecycle(
    name="door",
    transitions={("closed", "open"): "open", ("open", "close"): "closed", ("closed", "lock"): "locked"},
    status_labels={"closed": "Closed", "open": "Open", "locked": "Locked"},
    action_labels={"open": "Open it", "close": "Close it", "lock": "Lock it"},
)


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        ("closed", "open", "open"),
        ("open", "close", "closed"),
        ("closed", "lock", "locked"),
        ("open", "lock", None),
        ("locked", "open", None),
        ("closed", "fly", None),
    ],
)
def test_next_status_table(status, action, expected):
    if expected is None:
        with pytest.raises(InvalidTransition) as caught:
            DOOR.next_status(status, action)
        assert caught.value.status == status
        assert caught.value.allowed == DOOR.allowed_actions(status)
        assert caught.value.status_code == 409
    else:
        assert DOOR.next_status(status, action) == expected


def test_allowed_actions_and_statuses():
    assert DOOR.allowed_actions("closed") == ["open", "lock"]
    assert DOOR.allowed_actions("locked") == []
    assert set(DOOR.statuses) == {"closed", "open", "locked"}


@pytest.fixture
def job(app, make_user):
    user = make_user()
    job = ImportJob(user_id=user.id, file_name="a.csv", stored_path="x/a.csv", requested_format="auto")
    db.session.add(job)
    db.session.commit()
    return job, user


def test_apply_transition_writes_event_and_chained_audit_entry(job, frozen_clock):
    job, user = job
    event = apply_transition(IMPORT_JOB, job, "start", actor=user, reason="go", details={"n": 1})
    db.session.commit()
    assert job.status == "running"
    assert (event.from_status, event.to_status, event.actor_id, event.reason) == (
        "queued",
        "running",
        user.id,
        "go",
    )
    assert event.created_at == frozen_clock.now()
    assert event.subject_type == "import_jobs"
    assert event.subject_id == job.id
    entry = db.session.scalar(select(AuditLogEntry).where(AuditLogEntry.kind == "import_job.start"))
    assert entry.payload == {"from": "queued", "to": "running", "reason": "go", "details": {"n": 1}}
    assert verify_chain() is None
    assert [e.action for e in status_history(job)] == ["start"]


def test_refused_transition_changes_nothing(job):
    job, user = job
    with pytest.raises(InvalidTransition) as caught:
        apply_transition(IMPORT_JOB, job, "finish", actor=user)
    assert job.status == "queued"
    assert caught.value.details() == {"status": "queued", "action": "finish", "allowed": ["start", "fail"]}
    assert db.session.scalar(select(func.count(StatusEvent.id))) == 0


def test_invalid_transition_message_in_the_readers_language(app):
    with app.test_request_context(), force_locale("en"):
        english = InvalidTransition(IMPORT_JOB, "done", "start").message
    with app.test_request_context(), force_locale("zh"):
        chinese = InvalidTransition(IMPORT_JOB, "queued", "finish").message
    assert "Finished" in english
    assert "状态" in chinese
    assert "开始" in chinese


def test_actor_is_required(job):
    job, _user = job
    with pytest.raises(ValueError, match="system_actor"):
        apply_transition(IMPORT_JOB, job, "start", actor=None)


def test_invalid_transition_answers_409_json_with_allowed_actions(app, client):
    @app.get("/_test/conflict")
    def conflict():
        raise InvalidTransition(DOOR, "locked", "open")

    response = client.get("/_test/conflict", headers={"Accept": "application/json"})
    assert response.status_code == 409
    body = response.get_json()["error"]
    assert body["status"] == "locked"
    assert body["allowed"] == []
    assert body["code"] == 409
