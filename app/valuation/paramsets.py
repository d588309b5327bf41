"""Parameter-set workflow: draft, edit, submit, four-eyes approval, rejection and rollback.

Every verb takes the acting user, checks the transition table in ``states``, writes one event
row and flushes; the caller (route, API, CLI, seed) commits once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.permissions import is_admin, is_assessor_or_admin
from app.core.actors import system_actor
from app.core.errors import NotFound, PermissionDenied
from app.core.lifecycle import apply_transition
from app.core.models import utcnow
from app.extensions import db
from app.valuation import engine, states
from app.valuation.models import ENSEMBLE_ID, ParameterSet, ParameterSetEvent
from app.valuation.weights import validate_ensemble


class FourEyesViolation(PermissionDenied):
    """The author or submitter of a version tried to approve or reject it."""


def known_model_ids() -> list[str]:
    """Every id a parameter set may belong to: registered models plus the ensemble."""
    return [m.id for m in engine.available()] + [ENSEMBLE_ID]


def validate(model_id: str, raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validated, JSON-ready parameters (defaults filled) or ParameterError with field names."""
    if model_id == ENSEMBLE_ID:
        return validate_ensemble(raw)
    params = engine.validate_params(engine.get(model_id), raw)
    return json.loads(json.dumps(params, allow_nan=False))


def model_version_of(model_id: str) -> str:
    return "1.0.0" if model_id == ENSEMBLE_ID else engine.get(model_id).version


def current_params(ps: ParameterSet) -> dict[str, Any]:
    """A version's parameters as the installed model reads them (upgraded when the set was made for an
    earlier model version, e.g. rfr 1.0.0's absolute distributions become 2.0.0's offsets)."""
    if ps.model_id == ENSEMBLE_ID or ps.model_version in (None, model_version_of(ps.model_id)):
        return dict(ps.params)
    return engine.get(ps.model_id).upgrade_params(ps.params, ps.model_version)


def active_set(model_id: str) -> ParameterSet | None:
    return db.session.scalar(
        select(ParameterSet).where(ParameterSet.model_id == model_id, ParameterSet.status == states.ACTIVE)
    )


def active_sets() -> dict[str, ParameterSet]:
    """The active version of every model that has one."""
    rows = db.session.scalars(select(ParameterSet).where(ParameterSet.status == states.ACTIVE))
    return {ps.model_id: ps for ps in rows}


def get_set(set_id: int) -> ParameterSet:
    ps = db.session.get(ParameterSet, set_id)
    if ps is None:
        raise NotFound(_("No such parameter set."))
    return ps


def versions(model_id: str) -> list[ParameterSet]:
    query = (
        select(ParameterSet).where(ParameterSet.model_id == model_id).order_by(ParameterSet.version.desc())
    )
    return list(db.session.scalars(query))


def pending_sets() -> list[ParameterSet]:
    query = (
        select(ParameterSet).where(ParameterSet.status == states.PENDING).order_by(ParameterSet.submitted_at)
    )
    return list(db.session.scalars(query))


def diff_params(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """Changed leaves between two parameter dicts: [{path, old, new}], sorted by path."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        out: list[dict[str, Any]] = []
        for key in sorted(set(old) | set(new)):
            out += diff_params(old.get(key), new.get(key), f"{path}.{key}" if path else str(key))
        return out
    return [] if old == new else [{"path": path or "params", "old": old, "new": new}]


def _require_assessor(actor: User | None) -> None:
    if not is_assessor_or_admin(actor):
        raise PermissionDenied(_("Only assessors and administrators can change valuation models."))


def _event(
    ps: ParameterSet,
    actor: User | None,
    action: str,
    before: str | None,
    reason: str,
    details: list[dict[str, Any]] | None = None,
) -> None:
    db.session.add(
        ParameterSetEvent(
            parameter_set=ps,
            actor_id=actor.id if actor else None,
            action=action,
            from_status=before,
            to_status=ps.status,
            reason=reason or "",
            details=details,
        )
    )


def _transition(ps: ParameterSet, action: str, actor: User | None, reason: str) -> None:
    before = ps.status
    apply_transition(states.PARAMETER_SET, ps, action, actor=actor or system_actor(), reason=reason or None)
    _event(ps, actor, action, before, reason)


def create_draft(
    model_id: str,
    actor: User | None,
    reason: str = "",
    params: Mapping[str, Any] | None = None,
    based_on: ParameterSet | None = None,
    *,
    system: bool = False,
) -> ParameterSet:
    """A new version in draft, copied from the active one (or based_on) unless params are given;
    copied parameters are upgraded to the installed model version."""
    if not system:
        _require_assessor(actor)
    if model_id not in known_model_ids():
        raise NotFound(_("Unknown valuation model %(id)s.", id=model_id))
    current = active_set(model_id)
    origin = based_on or current
    source = params if params is not None else (current_params(origin) if origin else {})
    last = db.session.scalar(select(func.max(ParameterSet.version)).where(ParameterSet.model_id == model_id))
    ps = ParameterSet(
        model_id=model_id,
        model_version=model_version_of(model_id),
        version=(last or 0) + 1,
        status=states.DRAFT,
        params=validate(model_id, source),
        reason=reason or "",
        created_by_id=actor.id if actor else None,
        predecessor_id=current.id if current else None,
        based_on_id=based_on.id if based_on else None,
    )
    ps.diff = diff_params(current.params if current else {}, ps.params)
    db.session.add(ps)
    _event(ps, actor, states.CREATE, None, reason)
    db.session.flush()
    return ps


def update_draft(
    ps: ParameterSet, raw: Mapping[str, Any], actor: User, reason: str | None = None
) -> ParameterSet:
    """Replace a draft's parameters (validated); only its author or an administrator may, and every
    edit is an event carrying the diff, so whoever changed the numbers can be kept from approving them."""
    require_editor(ps, actor)
    if not ps.is_editable:
        raise states.refuse(ps.status, states.EDIT)
    before = dict(ps.params)
    ps.params = validate(ps.model_id, raw)
    _event(ps, actor, states.EDIT, ps.status, reason or "", diff_params(before, ps.params))
    ps.model_version = model_version_of(ps.model_id)
    if reason is not None:
        ps.reason = reason
    current = active_set(ps.model_id)
    ps.diff = diff_params(current.params if current else {}, ps.params)
    db.session.flush()
    return ps


def can_edit(ps: ParameterSet, actor: User | None) -> bool:
    """The author of a draft, or an administrator."""
    return is_admin(actor) or (
        is_assessor_or_admin(actor) and actor is not None and actor.id == ps.created_by_id
    )


def can_withdraw(ps: ParameterSet, actor: User | None) -> bool:
    """The submitter of a pending version, or an administrator."""
    return ps.status == states.PENDING and (
        is_admin(actor) or (is_assessor_or_admin(actor) and actor.id == ps.submitted_by_id)
    )


def require_editor(ps: ParameterSet, actor: User | None) -> None:
    _require_assessor(actor)
    if not can_edit(ps, actor):
        raise PermissionDenied(_("Only the author of this draft or an administrator may edit it."))


def submit(ps: ParameterSet, actor: User | None, reason: str = "", *, system: bool = False) -> ParameterSet:
    """Freeze a draft and ask for a second pair of eyes; the diff is taken against today's active version."""
    if not system:
        _require_assessor(actor)
    current = active_set(ps.model_id)
    ps.predecessor_id = current.id if current else None
    ps.diff = diff_params(current.params if current else {}, ps.params)
    _transition(ps, states.SUBMIT, actor, reason or ps.reason)
    ps.submitted_by_id = actor.id if actor else None
    ps.submitted_at = utcnow()
    db.session.flush()
    return ps


def withdraw(ps: ParameterSet, actor: User, reason: str = "") -> ParameterSet:
    """The submitter (or an administrator) takes a pending version back to draft."""
    _require_assessor(actor)
    if not can_withdraw(ps, actor):
        raise PermissionDenied(
            _("Only the assessor who submitted this version or an administrator may withdraw it.")
        )
    _transition(ps, states.WITHDRAW, actor, reason)
    ps.submitted_by_id = None
    ps.submitted_at = None
    db.session.flush()
    return ps


def _require_reviewer(ps: ParameterSet, actor: User | None, system: bool) -> None:
    if not system:
        _require_assessor(actor)
    if ps.status == states.PENDING and actor is not None and not ps.can_approve(actor):
        raise FourEyesViolation(_("Four eyes: someone other than the author and the submitter must decide."))


def approve(ps: ParameterSet, actor: User | None, reason: str = "", *, system: bool = False) -> ParameterSet:
    """Activate a pending version and retire its predecessor; valuations use it from now on."""
    _require_reviewer(ps, actor, system)
    _transition(ps, states.APPROVE, actor, reason)
    now = utcnow()
    for old in db.session.scalars(
        select(ParameterSet).where(
            ParameterSet.model_id == ps.model_id,
            ParameterSet.status == states.ACTIVE,
            ParameterSet.id != ps.id,
        )
    ):
        _transition(old, states.RETIRE, actor, _("superseded by v%(n)s", n=ps.version))
        old.retired_at = now
    ps.approved_by_id = actor.id if actor else None
    ps.decided_at = now
    ps.activated_at = now
    db.session.flush()
    return ps


def reject(ps: ParameterSet, actor: User, reason: str) -> ParameterSet:
    """Refuse a pending version; it stays in the history with the reason."""
    _require_reviewer(ps, actor, False)
    _transition(ps, states.REJECT, actor, reason)
    ps.approved_by_id = actor.id
    ps.decided_at = utcnow()
    db.session.flush()
    return ps


def rollback(older: ParameterSet, actor: User, reason: str) -> ParameterSet:
    """Activate an older version's parameters again, through the same submit-and-approve path."""
    _require_assessor(actor)
    if older.status not in (states.RETIRED, states.ACTIVE, states.REJECTED):
        raise states.refuse(older.status, states.ROLLBACK)
    note = reason or _("Roll back to v%(n)s", n=older.version)
    draft = create_draft(older.model_id, actor, note, based_on=older)
    return submit(draft, actor, note)
