"""My saved searches: save from the search page, list, rename, delete, open; thin over the service."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app.accounts.permissions import login_required
from app.catalogue.validation import ValidationFailed
from app.extensions import db
from app.matching import saved_searches as service
from app.matching.alert_models import SavedSearch

bp = Blueprint("saved_searches", __name__, url_prefix="/saved-searches")
MAX_QUERY = 2000


def _own(saved_id: int) -> SavedSearch:
    saved = db.session.get(SavedSearch, saved_id)
    if saved is None or not service.can_manage(current_user, saved):
        abort(404)
    return saved


def _page(
    errors: dict | None = None, name: str = "", query: str = "", editing: int | None = None, status=200
):
    return (
        render_template(
            "matching/saved_searches.html",
            searches=service.searches_of(current_user),
            errors=errors or {},
            name=name,
            query=query,
            editing=editing,
            search_path=service.search_path,
        ),
        status,
    )


@bp.get("/")
@login_required
def mine():
    return _page()


@bp.post("/")
@login_required
def create():
    name, query = request.form.get("name", ""), request.form.get("query", "")[:MAX_QUERY]
    try:
        saved = service.save_search(current_user, name, MultiDict(parse_qsl(query)))
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(exc.fields, name=name, query=query, status=422)
    db.session.commit()
    flash(_("Search saved: we will tell you about new records that match it."), "success")
    return redirect(url_for("saved_searches.mine", _anchor=f"search-{saved.id}"))


@bp.get("/<int:saved_id>")
@login_required
def open_search(saved_id: int):
    return redirect(service.search_path(_own(saved_id)))


@bp.post("/<int:saved_id>/rename")
@login_required
def rename(saved_id: int):
    saved = _own(saved_id)
    name = request.form.get("name", "")
    try:
        service.rename_search(saved, current_user, name)
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(exc.fields, name=name, editing=saved_id, status=422)
    db.session.commit()
    flash(_("Saved search renamed."), "success")
    return redirect(url_for("saved_searches.mine"))


@bp.post("/<int:saved_id>/delete")
@login_required
def delete(saved_id: int):
    service.delete_search(_own(saved_id), current_user)
    db.session.commit()
    flash(_("Saved search deleted."), "success")
    return redirect(url_for("saved_searches.mine"))
