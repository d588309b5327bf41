"""Owners' forms for a patent's legal facts: pledges, licences, events and documents.

One set of routes serves the four kinds (``legal_services.KINDS``); the patent page lists the
facts with edit and remove controls for whoever may edit the patent.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from app.accounts.permissions import login_required
from app.catalogue import documents, legal_services, services
from app.catalogue.forms import DocumentForm, EventForm, LicenceForm, PledgeForm, ServiceForm
from app.catalogue.models import Patent, PatentDocument
from app.catalogue.owner_routes import run_form
from app.catalogue.routes import bp
from app.extensions import db

FORMS: dict[str, type[ServiceForm]] = {
    "pledge": PledgeForm,
    "licence": LicenceForm,
    "event": EventForm,
    "document": DocumentForm,
}
TITLES = {
    "pledge": (_l("Record a pledge"), _l("Edit pledge")),
    "licence": (_l("Record a licence"), _l("Edit licence")),
    "event": (_l("Record a legal event"), _l("Edit legal event")),
    "document": (_l("Add a document"), _l("Edit document")),
}
ANCHORS = {"pledge": "encumbrance-h", "licence": "encumbrance-h", "event": "events-h", "document": "docs-h"}


def _kind_or_404(kind: str) -> str:
    if kind not in FORMS:
        abort(404)
    return kind


def _back(patent: Patent, kind: str):
    return redirect(url_for("catalogue.patent_detail", patent_id=patent.id, _anchor=ANCHORS[kind]))


def _page(form: ServiceForm, patent: Patent, kind: str, editing: bool):
    failed = form.is_submitted() and (form.errors or form.form_errors)
    title = TITLES[kind][1 if editing else 0]
    body = render_template("catalogue/legal_fact_form.html", form=form, patent=patent, kind=kind, title=title)
    return body, 400 if failed else 200


@bp.route("/patents/<id:patent_id>/facts/<kind>/new", methods=["GET", "POST"])
@login_required
def legal_fact_new(patent_id: int, kind: str):
    kind = _kind_or_404(kind)
    patent = services.editable_record(Patent, patent_id, current_user)
    form = FORMS[kind]()

    def add(values):
        upload = getattr(form, "file", None)
        stream = upload.data if upload is not None and upload.data and upload.data.filename else None
        name = stream.filename if stream else ""
        return legal_services.add_fact(patent, current_user, kind, values, stream, name)

    if run_form(form, add).ok:
        flash(_("Recorded."), "success")
        return _back(patent, kind)
    return _page(form, patent, kind, editing=False)


@bp.route("/patents/<id:patent_id>/facts/<kind>/<id:fact_id>/edit", methods=["GET", "POST"])
@login_required
def legal_fact_edit(patent_id: int, kind: str, fact_id: int):
    kind = _kind_or_404(kind)
    patent = services.editable_record(Patent, patent_id, current_user)
    row = legal_services.find_fact(patent, kind, fact_id) or abort(404)
    form = FORMS[kind]()
    if not form.is_submitted():
        form.load(legal_services.fact_values(row, kind))
    elif run_form(
        form, lambda values: legal_services.update_fact(patent, row, current_user, kind, values)
    ).ok:
        flash(_("Changes saved."), "success")
        return _back(patent, kind)
    return _page(form, patent, kind, editing=True)


@bp.post("/patents/<id:patent_id>/facts/<kind>/<id:fact_id>/delete")
@login_required
def legal_fact_delete(patent_id: int, kind: str, fact_id: int):
    kind = _kind_or_404(kind)
    patent = services.editable_record(Patent, patent_id, current_user)
    row = legal_services.find_fact(patent, kind, fact_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    stored = legal_services.remove_fact(patent, row, current_user, kind)
    db.session.commit()
    documents.remove(patent.id, stored)  # only once the row is gone for good
    flash(_("Removed."), "success")
    return _back(patent, kind)


@bp.get("/patents/<id:patent_id>/documents/<id:document_id>")
def patent_document_file(patent_id: int, document_id: int):
    """Serve an uploaded document to whoever may see the patent."""
    patent = services.visible_record(Patent, patent_id, current_user)
    document = db.session.get(PatentDocument, document_id)
    if document is None or document.patent_id != patent.id or not document.stored_name:
        abort(404)
    path = documents.path_of(patent.id, document.stored_name)
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=document.media_type or "application/octet-stream",
        download_name=document.original_filename or document.stored_name,
        as_attachment=False,
        max_age=3600,
    )
