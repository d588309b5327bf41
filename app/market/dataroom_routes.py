"""Data-room pages: the document list, uploads, NDA acceptance, downloads, open-licence certificates.

Downloads are POSTs: opening a document writes to the access log, and a GET never writes.
"""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import is_admin, login_required
from app.catalogue.validation import ValidationFailed
from app.core.errors import DomainError
from app.extensions import db
from app.market import bp, dataroom, listing_services
from app.market.listing_forms import DocumentForm
from app.market.listing_models import DataRoomDocument, OpenLicenceAcceptance
from app.market.listing_routes import get_listing, run_action
from app.market.open_licence import accept_open_licence


def _client_ip() -> str | None:
    return request.remote_addr


@bp.route("/listings/<int:listing_id>/data-room", methods=["GET", "POST"])
def data_room(listing_id: int):
    listing = get_listing(listing_id)
    manage = listing_services.can_manage(current_user, listing)
    if request.method == "POST" and not manage:
        abort(403)
    form = DocumentForm() if manage else None
    status = 200
    if form is not None and form.validate_on_submit():
        upload = form.file.data
        try:
            dataroom.upload_document(
                listing, current_user, upload.stream, upload.filename, form.title.data, form.confidential.data
            )
            db.session.commit()
            flash(_("Document added to the data room."), "success")
            return redirect(url_for("market.data_room", listing_id=listing.id))
        except ValidationFailed as error:
            db.session.rollback()
            for name, message in error.fields.items():
                getattr(form, name, form.file).errors = [message]
    if form is not None and form.is_submitted() and form.errors:
        status = 422
    return render_template(
        "market/dataroom_index.html",
        listing=listing,
        manage=manage,
        form=form,
        documents=dataroom.visible_documents(listing, current_user),
        hidden_count=sum(1 for d in listing.documents if d.confidential)
        - sum(1 for d in dataroom.visible_documents(listing, current_user) if d.confidential),
        nda_accepted=listing_services.has_accepted_nda(listing, current_user),
        nda_text=listing_services.nda_text(listing),
        accesses=dataroom.access_log(listing) if manage else [],
    ), status


@bp.post("/listings/<int:listing_id>/nda")
@login_required
def accept_nda(listing_id: int):
    listing = get_listing(listing_id)
    run_action(
        lambda: dataroom.accept_nda(listing, current_user, _client_ip(), request.headers.get("User-Agent")),
        _("NDA accepted: the confidential documents are open to you."),
        listing,
    )
    return redirect(url_for("market.data_room", listing_id=listing.id))


def _document(document_id: int) -> DataRoomDocument:
    document = db.session.get(DataRoomDocument, document_id)
    if document is None:
        abort(404)
    get_listing(document.listing_id)  # 404 when the listing itself is hidden from the user
    return document


@bp.post("/documents/<int:document_id>/download")
def document_download(document_id: int):
    document = _document(document_id)
    try:
        path = dataroom.open_document(document, current_user, _client_ip())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("market.data_room", listing_id=document.listing_id)), 303
    db.session.commit()
    if not path.is_file():
        abort(404)
    response = send_file(
        io.BytesIO(path.read_bytes()),
        mimetype=document.media_type,
        as_attachment=True,
        download_name=document.original_filename,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/documents/<int:document_id>/delete")
@login_required
def document_delete(document_id: int):
    document = _document(document_id)
    listing_id = document.listing_id
    if not listing_services.can_manage(current_user, document.listing):
        abort(403)  # as for uploads: a refusal, not a redirect that reads like success
    try:
        stored = dataroom.remove_document(document, current_user)
        db.session.commit()
        (dataroom.folder(listing_id) / stored).unlink(missing_ok=True)
        flash(_("Document removed."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("market.data_room", listing_id=listing_id))


@bp.post("/listings/<int:listing_id>/open-licence/accept")
@login_required
def open_licence_accept(listing_id: int):
    listing = get_listing(listing_id)
    acceptance = run_action(
        lambda: accept_open_licence(listing, current_user), _("You now hold the open licence."), listing
    )
    if acceptance is not None:
        return redirect(url_for("market.open_licence_certificate", acceptance_id=acceptance.id))
    return redirect(url_for("market.listing_detail", listing_id=listing.id))


@bp.get("/open-licences/<int:acceptance_id>")
@login_required
def open_licence_certificate(acceptance_id: int):
    acceptance = db.session.get(OpenLicenceAcceptance, acceptance_id)
    if acceptance is None:
        abort(404)
    listing = acceptance.listing
    if not (
        acceptance.licensee_id == current_user.id
        or listing_services.is_seller(current_user, listing)
        or is_admin(current_user)
    ):
        abort(404)
    return render_template("market/listing_certificate.html", acceptance=acceptance, listing=listing)
