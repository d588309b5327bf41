"""Enquiry pages: start a thread from a listing or a project, read and answer, reveal contact."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import login_required
from app.catalogue import services as catalogue_services
from app.catalogue.models import InnovationProject
from app.catalogue.validation import ValidationFailed
from app.core.errors import DomainError
from app.extensions import db
from app.market import bp, enquiries
from app.market.listing_forms import MessageForm
from app.market.listing_models import EnquiryMessage, EnquiryThread
from app.market.listing_routes import get_listing


def _post(thread_factory, form: MessageForm):
    """Open (or reuse) the thread and post the message; returns the thread or None."""
    try:
        thread = thread_factory()
        upload = form.file.data if form.file.data and getattr(form.file.data, "filename", "") else None
        enquiries.post_message(
            thread,
            current_user,
            form.body.data,
            upload.stream if upload else None,
            upload.filename if upload else "",
        )
        db.session.commit()
        flash(_("Message sent."), "success")
        return thread
    except ValidationFailed as error:
        db.session.rollback()
        flash(" ".join(error.fields.values()), "error")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return None


@bp.route("/listings/<int:listing_id>/enquire", methods=["GET", "POST"])
@login_required
def listing_enquire(listing_id: int):
    listing = get_listing(listing_id)
    form = MessageForm()
    if form.validate_on_submit():
        thread = _post(lambda: enquiries.open_thread(current_user, listing=listing), form)
        if thread:
            return redirect(url_for("market.enquiry_thread", thread_id=thread.id))
    return render_template(
        "market/enquiry_new.html", form=form, listing=listing, project=None
    ), 422 if form.errors else 200


@bp.route("/projects/<int:project_id>/enquire", methods=["GET", "POST"])
@login_required
def project_enquire(project_id: int):
    project = catalogue_services.visible_record(InnovationProject, project_id, current_user)
    form = MessageForm()
    if form.validate_on_submit():
        thread = _post(lambda: enquiries.open_thread(current_user, project=project), form)
        if thread:
            return redirect(url_for("market.enquiry_thread", thread_id=thread.id))
    return render_template(
        "market/enquiry_new.html", form=form, listing=None, project=project
    ), 422 if form.errors else 200


@bp.get("/enquiries")
@login_required
def enquiries_list():
    return render_template("market/enquiry_list.html", threads=enquiries.threads_for(current_user))


def _thread(thread_id: int) -> EnquiryThread:
    thread = db.session.get(EnquiryThread, thread_id)
    if thread is None or not enquiries.can_read(current_user, thread):
        abort(404)
    return thread


@bp.route("/enquiries/<int:thread_id>", methods=["GET", "POST"])
@login_required
def enquiry_thread(thread_id: int):
    thread = _thread(thread_id)
    form = MessageForm()
    if form.validate_on_submit() and _post(lambda: thread, form):
        return redirect(url_for("market.enquiry_thread", thread_id=thread.id))
    return render_template(
        "market/enquiry_thread.html",
        thread=thread,
        form=form,
        party=enquiries.is_party(current_user, thread),
        is_buyer=current_user.id == thread.buyer_id,
        contact=enquiries.contact_details(thread),
        title=enquiries.subject_title(thread),
    )


@bp.post("/enquiries/<int:thread_id>/reveal")
@login_required
def enquiry_reveal(thread_id: int):
    thread = _thread(thread_id)
    try:
        enquiries.reveal_contact(thread, current_user)
        db.session.commit()
        flash(_("Your contact details are now visible to this buyer."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("market.enquiry_thread", thread_id=thread.id))


@bp.post("/enquiry-attachments/<int:message_id>")
@login_required
def enquiry_attachment(message_id: int):
    message = db.session.get(EnquiryMessage, message_id)
    if message is None or not message.stored_name:
        abort(404)
    _thread(message.thread_id)
    path = enquiries.attachment_path(message)
    if not path.is_file():
        abort(404)
    response = send_file(
        io.BytesIO(path.read_bytes()),
        mimetype=message.media_type,
        as_attachment=True,
        download_name=message.original_filename,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
