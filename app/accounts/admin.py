"""Administrator pages: users, roles, organisation verification, deactivation, audit log."""

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from app.accounts.audit_display import action_choices
from app.accounts.emails import send_organisation_review_email, send_roles_changed_email
from app.accounts.forms import ReasonForm, RoleChangeForm
from app.accounts.models import AuditEvent, Organisation, OrganisationReview, Role, User
from app.accounts.organisations import approve_organisation, licence_path, reject_organisation
from app.accounts.permissions import admin_required
from app.accounts.services import grant_role, revoke_role, set_user_active
from app.core.mail import DevMailboxMessage, uses_dev_mailbox
from app.core.page_actions import commit_or_flash
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


@bp.route("/users/<id:user_id>/roles", methods=["POST"])
def change_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleChangeForm()
    if not form.validate_on_submit():
        flash(_("Choose a valid role."), "error")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    role = Role(form.role.data)
    before = user.roles
    if request.form.get("action") == "revoke":
        commit_or_flash(lambda: revoke_role(current_user, user, role), _("Role revoked."))
    else:
        commit_or_flash(lambda: grant_role(current_user, user, role), _("Role granted."))
    if user.roles != before:
        send_roles_changed_email(user)
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<id:user_id>/active", methods=["POST"])
def change_active(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ReasonForm()
    activate = request.form.get("active") == "1"
    if form.validate_on_submit():
        message = _("Account reactivated.") if activate else _("Account deactivated.")
        commit_or_flash(
            lambda: set_user_active(current_user, user, activate, form.reason.data or ""), message
        )
    return redirect(url_for("admin.user_detail", user_id=user.id))


ORGANISATION_FILTERS = {
    "pending": (OrganisationReview.SUBMITTED,),
    "verified": (OrganisationReview.VERIFIED,),
    "rejected": (OrganisationReview.REJECTED,),
    "unsubmitted": (OrganisationReview.NOT_SUBMITTED,),
}


@bp.route("/organisations")
def organisations():
    status = request.args.get("status", "pending")
    query = select(Organisation).order_by(
        Organisation.licence_submitted_at.desc().nulls_last(), Organisation.id.desc()
    )
    if status in ORGANISATION_FILTERS:
        query = query.where(Organisation.review_status.in_(ORGANISATION_FILTERS[status]))
    else:
        status = "all"
    return render_template(
        "admin/organisations.html", page=paginate(query), status=status, form=ReasonForm(formdata=None)
    )


@bp.route("/organisations/<id:organisation_id>/verification", methods=["POST"])
def change_verification(organisation_id: int):
    """Approve the papers (verified badge) or reject them / withdraw the badge with a reason."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = ReasonForm()
    approve = request.form.get("verified") == "1"
    if form.validate_on_submit():
        reason = form.reason.data or ""
        if approve:
            done = commit_or_flash(
                lambda: approve_organisation(current_user, organisation, reason),
                _("%(name)s is now verified.", name=organisation.name),
            )
        else:
            done = commit_or_flash(
                lambda: reject_organisation(current_user, organisation, reason),
                _("Verification of %(name)s declined.", name=organisation.name),
            )
        if done:
            for member in organisation.members:
                send_organisation_review_email(member, organisation)
    return redirect(url_for("admin.organisations", status=request.form.get("status", "pending")))


@bp.route("/organisations/<id:organisation_id>/licence")
def organisation_licence(organisation_id: int):
    """The uploaded licence, always as a download, never rendered by the browser."""
    organisation = db.get_or_404(Organisation, organisation_id)
    path = licence_path(organisation)
    if path is None or not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=organisation.licence_content_type,
        as_attachment=True,
        download_name=organisation.licence_filename or path.name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/audit")
def audit():
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    action = request.args.get("action", "").strip()
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    return render_template(
        "admin/audit.html", page=paginate(query, per_page=50), action=action, action_choices=action_choices()
    )


@bp.route("/mailbox")
def mailbox():
    """Messages kept by the development mailbox (when no SMTP server is configured)."""
    query = select(DevMailboxMessage).order_by(DevMailboxMessage.id.desc())
    recipient = request.args.get("to", "").strip()
    if recipient:
        query = query.where(DevMailboxMessage.recipient.ilike(f"%{recipient.lower()}%"))
    return render_template(
        "admin/mailbox.html", page=paginate(query), recipient=recipient, smtp=not uses_dev_mailbox()
    )


@bp.route("/mailbox/<id:message_id>")
def mailbox_message(message_id: int):
    return render_template("admin/mailbox_message.html", message=db.get_or_404(DevMailboxMessage, message_id))
