"""The notifications inbox: a page with mark-read, the unread count for the navigation, and the API."""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint as ApiBlueprint

from app.accounts.permissions import login_required
from app.api.schemas import ErrorSchema
from app.core.notifications import Notification, inbox_query, mark_read, unread_count
from app.core.pagination import paginate
from app.extensions import db

bp = Blueprint("core", __name__)
blp = ApiBlueprint("api_notifications", __name__, description="The user's notifications inbox")


@bp.get("/notifications")
@login_required
def notifications():
    unread_only = request.args.get("show") == "unread"
    page = paginate(inbox_query(current_user, unread_only))
    return render_template("core/notifications.html", page=page, unread_only=unread_only)


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read_one(notification_id: int):
    note = db.session.get(Notification, notification_id)
    mark_read(current_user, notification_id)
    db.session.commit()
    opening = note is not None and note.user_id == current_user.id and request.form.get("open")
    if opening and note.link.startswith("/") and not note.link.startswith("//"):
        return redirect(note.link)
    return redirect(url_for("core.notifications"))


@bp.post("/notifications/read-all")
@login_required
def read_all():
    count = mark_read(current_user)
    db.session.commit()
    flash(
        _("%(count)d notifications marked read.", count=count) if count else _("Nothing was unread."),
        "success",
    )
    return redirect(url_for("core.notifications"))


class NotificationSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    link = ma.fields.String()
    params = ma.fields.Dict()
    created_at = ma.fields.DateTime()
    read_at = ma.fields.DateTime(allow_none=True)


class NotificationListSchema(ma.Schema):
    unread = ma.fields.Integer()
    items = ma.fields.List(ma.fields.Nested(NotificationSchema))


@blp.route("/notifications")
@blp.response(200, NotificationListSchema)
@blp.alt_response(401, schema=ErrorSchema, description="No valid token or session")
@blp.doc(security=[{"bearerAuth": []}])
@login_required
def api_notifications():
    """The newest 50 notifications, in the caller's language, and the unread count."""
    items = db.session.scalars(inbox_query(current_user).limit(50)).all()
    return {"unread": unread_count(current_user), "items": items}


def init_inbox(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["unread_notifications"] = lambda: unread_count(current_user)
