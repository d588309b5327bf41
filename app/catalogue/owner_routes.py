"""Owners' pages: "my records", and the create/edit forms for patents, projects and experts.

Routes stay thin: the form checks types, the service checks the rules, its ``ValidationFailed``
fields are shown next to the form's fields, and the typed values are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, select

from app.accounts.permissions import is_admin, login_required, permission_required
from app.catalogue import people_services, services
from app.catalogue.errors import ValidationFailed
from app.catalogue.forms import ExpertForm, PatentForm, ProjectForm, ServiceForm
from app.catalogue.models import Expert, InnovationProject, Patent
from app.catalogue.records import LEGAL_STATUSES
from app.catalogue.routes import bp
from app.core.errors import DomainError
from app.core.pagination import paginate
from app.extensions import db

can_add_records = permission_required(
    lambda user: user.is_authenticated and services.can_create_records(user)
)


@bp.get("/my/records")
@login_required
def my_records():
    text = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") if request.args.get("status") in LEGAL_STATUSES else None
    patents = _my_patents(text, status)
    mine = {
        "projects": select(InnovationProject)
        .where(InnovationProject.owner_id == current_user.id)
        .order_by(InnovationProject.updated_at.desc()),
        "experts": select(Expert)
        .where((Expert.owner_id == current_user.id) | (Expert.user_id == current_user.id))
        .order_by(Expert.name),
    }
    records = {name: paginate(query, page_arg=f"{name}_page") for name, query in mine.items()}
    return render_template(
        "catalogue/my_records.html",
        records=records,
        patents=paginate(patents.order_by(Patent.updated_at.desc(), Patent.id.desc())),
        filters={"q": text, "status": status},
        statuses=LEGAL_STATUSES,
        can_add=services.can_create_records(current_user),
    )


_LIKE_SPECIAL = re.compile(r"([%_\\])")  # LIKE wildcards and the escape: typed text matches literally
_NOT_DIGIT = re.compile(r"\D")


def _my_patents(text: str, status: str | None) -> Select:
    """The signed-in owner's patents, narrowed by words of a title or digits of the number."""
    patents = select(Patent).where(Patent.owner_id == current_user.id)
    if text:
        like = "%" + _LIKE_SPECIAL.sub(r"\\\1", text) + "%"
        matches = Patent.title_zh.ilike(like, escape="\\") | Patent.title_en.ilike(like, escape="\\")
        if len(digits := _NOT_DIGIT.sub("", text)) >= 3:
            matches |= Patent.publication_number.like(f"%{digits}%")
        patents = patents.where(matches)
    if status:
        patents = patents.where(Patent.legal_status == status)
    return patents


@dataclass(frozen=True)
class FormOutcome:
    ok: bool
    result: Any = None


def run_form(form: ServiceForm, action: Callable[[dict[str, Any]], Any]) -> FormOutcome:
    """Run the service on valid form values and commit; on a refusal put its messages on the fields."""
    if not form.validate_on_submit():
        return FormOutcome(False)
    try:
        result = action(form.values())
        db.session.commit()
        return FormOutcome(True, result)
    except ValidationFailed as exc:
        db.session.rollback()
        form.add_errors(exc.fields)
    except DomainError as exc:
        db.session.rollback()
        form.form_errors.append(exc.message)
    return FormOutcome(False)


def _form_page(template: str, form: ServiceForm, record: Any = None, status: int | None = None):
    failed = form.is_submitted() and (form.errors or form.form_errors)
    return render_template(template, form=form, record=record), status or (400 if failed else 200)


@bp.route("/patents/new", methods=["GET", "POST"])
@can_add_records
def patent_new():
    form = PatentForm()
    patent = run_form(form, lambda values: services.create_patent(current_user, values)).result
    if patent is not None:
        flash(_("Patent added."), "success")
        return redirect(url_for("catalogue.patent_detail", patent_id=patent.id))
    return _form_page("catalogue/patent_form.html", form)


@bp.route("/patents/<id:patent_id>/edit", methods=["GET", "POST"])
@login_required
def patent_edit(patent_id: int):
    patent = services.editable_record(Patent, patent_id, current_user)
    form = PatentForm()
    if not form.is_submitted():
        form.load(services.patent_values(patent))
    if run_form(form, lambda values: services.update_patent(patent, current_user, values)).ok:
        flash(_("Changes saved."), "success")
        return redirect(url_for("catalogue.patent_detail", patent_id=patent.id))
    return _form_page("catalogue/patent_form.html", form, patent)


@bp.route("/projects/new", methods=["GET", "POST"])
@can_add_records
def project_new():
    form = ProjectForm()
    project = run_form(form, lambda values: people_services.create_project(current_user, values)).result
    if project is not None:
        flash(_("Project added."), "success")
        return redirect(url_for("catalogue.project_detail", project_id=project.id))
    return _form_page("catalogue/project_form.html", form)


@bp.route("/projects/<id:project_id>/edit", methods=["GET", "POST"])
@login_required
def project_edit(project_id: int):
    project = services.editable_record(InnovationProject, project_id, current_user)
    form = ProjectForm()
    if not form.is_submitted():
        form.load(people_services.project_values(project, current_user))
    if run_form(form, lambda values: people_services.update_project(project, current_user, values)).ok:
        flash(_("Changes saved."), "success")
        return redirect(url_for("catalogue.project_detail", project_id=project.id))
    return _form_page("catalogue/project_form.html", form, project)


@bp.route("/experts/new", methods=["GET", "POST"])
@login_required
def expert_new():
    form = ExpertForm()
    if not form.is_submitted() and not is_admin(current_user):
        form.name.data, form.user_email.data = current_user.display_name, current_user.email
    expert = run_form(form, lambda values: people_services.create_expert(current_user, values)).result
    if expert is not None:
        flash(_("Expert profile added."), "success")
        return redirect(url_for("catalogue.expert_detail", expert_id=expert.id))
    return _form_page("catalogue/expert_form.html", form)


@bp.route("/experts/<id:expert_id>/edit", methods=["GET", "POST"])
@login_required
def expert_edit(expert_id: int):
    expert = services.editable_record(Expert, expert_id, current_user)
    form = ExpertForm()
    if not form.is_submitted():
        form.load(people_services.expert_values(expert))
    if run_form(form, lambda values: people_services.update_expert(expert, current_user, values)).ok:
        flash(_("Changes saved."), "success")
        return redirect(url_for("catalogue.expert_detail", expert_id=expert.id))
    return _form_page("catalogue/expert_form.html", form, expert)
