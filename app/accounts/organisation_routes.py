"""A member's page for the organisation's verification papers."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.forms import OrganisationPapersForm
from app.accounts.organisations import submit_papers
from app.accounts.permissions import login_required
from app.accounts.routes import apply_field_errors, bp
from app.core.errors import DomainError
from app.extensions import db


@bp.route("/account/organisation", methods=["GET", "POST"])
@login_required
def organisation():
    organisation = current_user.organisation
    form = OrganisationPapersForm()
    if organisation is not None and form.validate_on_submit():
        upload = form.licence.data
        try:
            submit_papers(current_user, organisation, form.credit_code.data, upload.stream, upload.filename)
        except DomainError as error:
            db.session.rollback()
            apply_field_errors(form, error)
        else:
            db.session.commit()
            flash(_("Thank you. An administrator will review the papers."), "success")
            return redirect(url_for("accounts.organisation"))
    status = 400 if form.errors else 200
    return render_template("accounts/organisation.html", organisation=organisation, form=form), status
