"""Administrator pages: users, roles, organisation verification, deactivation, audit log."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from app.accounts.forms import ReasonForm, RoleChangeForm
from app.accounts.models import AuditEvent, Organisation, Role, User
from app.accounts.permissions import admin_required
from app.accounts.services import (
    grant_role,
    revoke_role,
    set_organisation_verified,
    set_user_active,
)
from app.core.errors import DomainError
from app.core.pagination import paginate
from app.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def guard():
    """Every page here is for administrators only."""


@bp.route("/users")
def users():
    query = select(User).order_by(User.created_at.desc(), User.id.desc())
    term = request.args.get("q", "").strip()
    if term:
        like = f"%{term.lower()}%"
        query = query.outerjoin(Organisation, User.organisation_id == Organisation.id).where(
            or_(User.email.ilike(like), User.display_name.ilike(like), Organisation.name.ilike(like))
        )
    page = paginate(query)
    return render_template("admin/users.html", page=page, term=term)


@bp.route("/users/<id:user_id>")
def user_detail(user_id: int):
    user = db.get_or_404(User, user_id)
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "user", AuditEvent.subject_id == user.id)
        .order_by(AuditEvent.created_at.desc())
        .limit(50)
    ).all()
    return render_template(
        "admin/user_detail.html",
        user=user,
        events=events,
        role_form=RoleChangeForm(formdata=None),
        reason_form=ReasonForm(formdata=None),
        roles=list(Role),
    )


def _run(action, success_message: str):
    """Call one service; commit and flash on success, flash the refusal otherwise."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(success_message, "success")


@bp.route("/users/<id:user_id>/roles", methods=["POST"])
def change_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleChangeForm()
    if not form.validate_on_submit():
        flash(_("Choose a valid role."), "error")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    role = Role(form.role.data)
    if request.form.get("action") == "revoke":
        _run(lambda: revoke_role(current_user, user, role), _("Role revoked."))
    else:
        _run(lambda: grant_role(current_user, user, role), _("Role granted."))
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<id:user_id>/active", methods=["POST"])
def change_active(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ReasonForm()
    activate = request.form.get("active") == "1"
    if form.validate_on_submit():
        message = _("Account reactivated.") if activate else _("Account deactivated.")
        _run(lambda: set_user_active(current_user, user, activate, form.reason.data or ""), message)
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/organisations")
def organisations():
    status = request.args.get("status", "pending")
    query = select(Organisation).order_by(Organisation.created_at.desc(), Organisation.id.desc())
    if status == "pending":
        query = query.where(Organisation.verified_at.is_(None))
    elif status == "verified":
        query = query.where(Organisation.verified_at.is_not(None))
    return render_template(
        "admin/organisations.html", page=paginate(query), status=status, form=ReasonForm(formdata=None)
    )


@bp.route("/organisations/<id:organisation_id>/verification", methods=["POST"])
def change_verification(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    form = ReasonForm()
    verify = request.form.get("verified") == "1"
    if form.validate_on_submit():
        message = (
            _("%(name)s is now verified.", name=organisation.name)
            if verify
            else _("Verification of %(name)s withdrawn.", name=organisation.name)
        )
        _run(
            lambda: set_organisation_verified(current_user, organisation, verify, form.reason.data or ""),
            message,
        )
    return redirect(url_for("admin.organisations", status=request.form.get("status", "pending")))


@bp.route("/audit")
def audit():
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    action = request.args.get("action", "").strip()
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    return render_template("admin/audit.html", page=paginate(query, per_page=50), action=action)
