"""Catalogue pages anyone may read: patent, project and expert detail, the expert directory.

Owners' forms are in ``owner_routes``, moderation/import/export in ``admin_routes``; the search
engineer registers the search pages on this same blueprint (``app/catalogue/search/``).
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.catalogue import queries, services
from app.catalogue.models import PUBLISHED, Expert, InnovationProject, Patent, project_patents
from app.catalogue.services import can_edit
from app.core.pagination import paginate
from app.extensions import db

bp = Blueprint("catalogue", __name__)


@bp.get("/patents/<id:patent_id>")
def patent_detail(patent_id: int):
    # The facts, parties and documents load lazily (one statement each, as a selectinload would):
    # only when the page's shared parts are not already rendered for this data version.
    patent = services.visible_record(Patent, patent_id, current_user)
    editable = can_edit(patent, current_user) if current_user.is_authenticated else False
    return render_template(
        "catalogue/patent_detail.html",
        patent=patent,
        load_related=lambda: services.related_patents(patent),
        load_projects=lambda: _projects_of(patent),
        editable=editable,
        history=services.history(patent) if editable else [],
    )


def _projects_of(patent: Patent) -> list[InnovationProject]:
    linked = select(project_patents.c.project_id).where(project_patents.c.patent_id == patent.id)
    query = select(InnovationProject).where(
        InnovationProject.id.in_(linked), InnovationProject.moderation_status == PUBLISHED
    )
    return list(db.session.scalars(query))


@bp.get("/projects/<id:project_id>")
def project_detail(project_id: int):
    project = services.visible_record(
        InnovationProject, project_id, current_user, selectinload(InnovationProject.patents)
    )
    editable = can_edit(project, current_user) if current_user.is_authenticated else False
    return render_template(
        "catalogue/project_detail.html",
        project=project,
        patents=services.visible_patents(project, current_user),
        editable=editable,
        history=services.history(project) if editable else [],
    )


@bp.get("/experts")
def experts():
    page = paginate(queries.experts_from_args(request.args), per_page=12)
    return render_template(
        "catalogue/experts.html",
        page=page,
        args=request.args,
        industries=list(db.session.scalars(queries.industries())),
    )


@bp.get("/experts/<id:expert_id>")
def expert_detail(expert_id: int):
    # Specialties, conflicts and the expert's account load lazily: only when the shared parts are
    # not already rendered for this data version.
    expert = services.visible_record(Expert, expert_id, current_user)
    editable = can_edit(expert, current_user) if current_user.is_authenticated else False
    return render_template(
        "catalogue/expert_detail.html",
        expert=expert,
        editable=editable,
        history=services.history(expert) if editable else [],
    )
