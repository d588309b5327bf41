"""Needs pages: board, my needs, post/edit, a need with its matches; thin over the services."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import User
from app.accounts.permissions import login_required
from app.catalogue.validation import ValidationFailed
from app.core.errors import DomainError
from app.core.lifecycle import status_history
from app.extensions import db
from app.matching import services, states
from app.matching.forms import NeedForm
from app.matching.models import Need
from app.matching.reasons import explained

bp = Blueprint("matching", __name__, url_prefix="/needs")
BOARD_SIZE = 50


def _need(need_id: int) -> Need:
    need = db.session.get(Need, need_id)
    if need is None or not services.can_view(current_user, need):
        abort(404)
    return need


def _managed(need_id: int) -> Need:
    """A need the caller may see and change (its buyer, or an administrator): else 403."""
    need = _need(need_id)
    if not services.can_manage(current_user, need):
        abort(403)
    return need


@bp.get("/")
def board():
    words = request.args.get("q", "").strip()[:100]
    needs = db.session.scalars(services.board_query(current_user, words).limit(BOARD_SIZE)).all()
    return render_template("matching/board.html", needs=needs, q=words, title=_("Technology needs"))


@bp.get("/mine")
@login_required
def mine():
    needs = db.session.scalars(services.board_query(current_user, mine=True)).all()
    return render_template("matching/board.html", needs=needs, q="", title=_("My needs"), mine=True)


def _save(form: NeedForm, need: Need | None):
    try:
        if need is None:
            need = services.create_need(current_user, form.raw())
        else:
            services.update_need(need, current_user, form.raw())
    except ValidationFailed as exc:
        db.session.rollback()
        form.show_errors(exc.fields)
        return None
    db.session.commit()
    flash(_("Your need is saved."), "success")
    return redirect(url_for("matching.detail", need_id=need.id))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = NeedForm()
    if form.validate_on_submit() and (done := _save(form, None)):
        return done
    return render_template("matching/form.html", form=form, need=None), 422 if form.errors else 200


@bp.route("/<int:need_id>/edit", methods=["GET", "POST"])
@login_required
def edit(need_id: int):
    need = _managed(need_id)
    form = NeedForm()
    if request.method == "GET":
        form.fill(need)
    elif form.validate_on_submit() and (done := _save(form, need)):
        return done
    return render_template("matching/form.html", form=form, need=need), 422 if form.errors else 200


@bp.get("/<int:need_id>")
def detail(need_id: int):
    from app.matching.marks import need_matches

    need = _need(need_id)
    show_dismissed = request.args.get("dismissed") == "1"
    matches = [
        (row, explained(row.match.contributions, need.currency))
        for row in need_matches(need, current_user, show_dismissed=show_dismissed)
    ]
    manage = services.can_manage(current_user, need)
    return render_template(
        "matching/detail.html",
        need=need,
        matches=matches,
        show_dismissed=show_dismissed,
        manage=manage,
        history=status_history(need) if manage else [],
        actions=[a for a in states.NEED_LIFECYCLE.allowed_actions(need.status) if a in states.BUYER_ACTIONS],
        lifecycle=states.NEED_LIFECYCLE,
    )


@bp.post("/<int:need_id>/<any(publish, start_talks, resume, fulfil, close, reopen):action>")
@login_required
def act(need_id: int, action: str):
    need = _managed(need_id)
    try:
        services.transition(need, action, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("Done: %(status)s.", status=states.NEED_LIFECYCLE.status_label(need.status)), "success")
    return redirect(url_for("matching.detail", need_id=need.id))


@bp.post("/<int:need_id>/invite/<int:seller_id>")
@login_required
def invite(need_id: int, seller_id: int):
    need = _managed(need_id)
    seller = db.session.get(User, seller_id) or abort(404)
    try:
        services.invite_seller(need, seller, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("The seller can now see this need."), "success")
    return redirect(url_for("matching.detail", need_id=need.id))


def listing_needs(listing) -> list[tuple[Need, list[dict]]]:
    """For the listing page include: the buyers who need this listing, for its seller and admins."""
    from app.market.listing_services import can_manage

    if not current_user.is_authenticated or not can_manage(current_user, listing):
        return []
    return [
        (need, explained(m.contributions, need.currency))
        for need, m in services.needs_for_listing(listing, current_user, limit=5)
    ]
