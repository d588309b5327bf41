"""Pages for the additions to matching: save/dismiss a match, ask a patent's owner, the matching
weights' versions (administrators), and the expert recommendations included on patent pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import admin_required, login_required
from app.catalogue.validation import ValidationFailed
from app.core.errors import DomainError
from app.extensions import db
from app.matching import experts, marks, weights
from app.matching.expert_reasons import exclusion_reason, expert_reasons
from app.matching.routes import _managed, bp

admin_bp = Blueprint("matching_admin", __name__, url_prefix="/admin/matching")
MARK_VALUES = {"save": marks.SAVED, "dismiss": marks.DISMISSED, "clear": None}


def _back(need_id: int):
    return redirect(url_for("matching.detail", need_id=need_id, _anchor="matches"))


def _mark(need_id: int, kind: str, target_id: int):
    need = _managed(need_id)
    choice = request.form.get("mark", "")
    if choice not in MARK_VALUES:
        flash(_("Choose save, dismiss or clear."), "error")
        return _back(need.id)
    try:
        marks.set_mark(need, kind, target_id, MARK_VALUES[choice], current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("Saved to the top of your matches.") if choice == "save" else _("Done."), "success")
    return _back(need.id)


@bp.post("/<int:need_id>/listings/<int:listing_id>/mark")
@login_required
def mark_listing(need_id: int, listing_id: int):
    return _mark(need_id, "listing", listing_id)


@bp.post("/<int:need_id>/patents/<int:patent_id>/mark")
@login_required
def mark_patent(need_id: int, patent_id: int):
    return _mark(need_id, "patent", patent_id)


@bp.post("/<int:need_id>/patents/<int:patent_id>/ask")
@login_required
def ask_owner(need_id: int, patent_id: int):
    need = _managed(need_id)
    try:
        marks.ask_owner(need, patent_id, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("The owner was asked and can now see your need."), "success")
    return _back(need.id)


def need_experts(need) -> dict | None:
    """For the need page: experts who could advise its buyer (and those left out), else None."""
    from app.matching.services import can_manage

    if not can_manage(current_user, need):
        return None
    return _shown(experts.experts_for_need(need, current_user))


def patent_experts(patent) -> dict | None:
    """For the patent page: experts to assess it, for assessors and its owner; else None."""
    if not experts.can_see_patent_experts(current_user, patent):
        return None
    return _shown(experts.experts_for_patent(patent, current_user))


def _shown(found: experts.Recommendations) -> dict:
    return {
        "matches": [(e, m, expert_reasons(m.contributions)) for e, m in found.matches],
        "excluded": [(e, exclusion_reason(x)) for e, x in found.excluded],
    }


def expert_conflicts(expert) -> dict | None:
    """For the expert page: recorded conflicts (and the form), for those who may see them."""
    if not experts.can_see_conflicts(current_user, expert):
        return None
    return {
        "records": experts.conflict_records(expert),
        "can_record": experts.can_record_conflict(current_user, expert),
    }


@admin_bp.post("/experts/<id:expert_id>/conflicts")
@login_required
def record_conflict(expert_id: int):
    from app.catalogue.models import Expert
    from app.catalogue.services import visible_record

    expert = visible_record(Expert, expert_id, current_user)
    if not experts.can_record_conflict(current_user, expert):
        abort(403)
    party_text = request.form.get("party", "").strip()[:200]
    party = experts.find_party(party_text)
    try:
        if party_text and not party:
            raise ValidationFailed({"party": _("No user or organisation of this name on IPEX.")})
        experts.record_conflict(expert, current_user, request.form.get("reason", ""), **party)
    except ValidationFailed as exc:
        db.session.rollback()
        for message in exc.fields.values():
            flash(message, "error")
    else:
        db.session.commit()
        flash(_("The conflict of interest is recorded."), "success")
    return redirect(url_for("catalogue.expert_detail", expert_id=expert.id, _anchor="recorded-conflicts"))


# --- weights (administrators) -------------------------------------------------------------


def _weights_page(form: dict | None = None, errors: dict | None = None, status: int = 200):
    from app.matching.engine import available
    from app.matching.reasons import FACTOR_LABELS

    current = weights.active_weights()
    return render_template(
        "matching/weights.html",
        versions=weights.versions(),
        current=current,
        names=available(),
        labels=FACTOR_LABELS,
        form=form or {name: current.get(name, 0.0) for name in available()},
        errors=errors or {},
        lifecycle=weights.WEIGHTS_LIFECYCLE,
    ), status


@admin_bp.get("/weights")
@admin_required
def weights_page():
    return _weights_page()


@admin_bp.post("/weights")
@admin_required
def weights_create():
    raw = {k: v for k, v in request.form.items() if k not in ("csrf_token", "reason")}
    try:
        draft = weights.create_draft(current_user, raw, request.form.get("reason", ""))
    except ValidationFailed as exc:
        db.session.rollback()
        return _weights_page(raw, exc.fields, 422)
    db.session.commit()
    flash(
        _("Draft v%(n)s saved. Submit it for another administrator's approval.", n=draft.version), "success"
    )
    return redirect(url_for("matching_admin.weights_page"))


@admin_bp.post("/weights/<int:weights_id>/<any(submit, approve, reject, withdraw):action>")
@admin_required
def weights_act(weights_id: int, action: str):
    found = db.session.get(weights.WeightSet, weights_id) or abort(404)
    try:
        weights.transition(found, action, current_user, request.form.get("reason", "")[:500])
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("Done: %(status)s.", status=weights.WEIGHTS_LIFECYCLE.status_label(found.status)), "success")
    return redirect(url_for("matching_admin.weights_page"))
