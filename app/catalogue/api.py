"""/api/v1/patents, /projects, /experts: list with filters, detail, create and update by owners.

A thin layer over ``queries`` and the services: the schemas check types, the services the rules;
a ``ValidationFailed`` becomes a 422 body naming the fields.
"""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from app.accounts.permissions import login_required
from app.api.schemas import ErrorSchema, PageArgsSchema, envelope, page_of
from app.catalogue import people_services, queries, services
from app.catalogue.display import publication_display
from app.catalogue.errors import ValidationFailed
from app.catalogue.models import Expert, InnovationProject, Patent
from app.extensions import db

blp = Blueprint("api_catalogue", __name__, description="Patents, innovation projects and experts")

F = ma.fields
TOKEN = [{"bearerAuth": []}]


def _strings(**kwargs) -> F.List:
    return F.List(F.String(), **kwargs)


# --- output ------------------------------------------------------------------------------


class ClassificationSchema(ma.Schema):
    scheme = F.String()
    code = F.String(metadata={"example": "H01M 10/0525"})
    is_main = F.Boolean()


class PatentSchema(ma.Schema):
    id = F.Integer()
    jurisdiction = F.String()
    publication_number = F.String(metadata={"description": "Canonical key, without kind code"})
    display_number = F.Function(publication_display, metadata={"example": "US 9,999,999 B2"})
    kind_code = F.String(allow_none=True)
    patent_type = F.String()
    title_zh = F.String(allow_none=True)
    title_en = F.String(allow_none=True)
    filing_date = F.Date(allow_none=True)
    grant_date = F.Date(allow_none=True)
    expiry_date = F.Date(allow_none=True)
    legal_status = F.String(allow_none=True)
    owner_id = F.Integer(allow_none=True)
    moderation_status = F.String()


class PatentDetailSchema(PatentSchema):
    application_number = F.String(allow_none=True)
    abstract_zh = F.String(allow_none=True)
    abstract_en = F.String(allow_none=True)
    first_claim = F.String(allow_none=True)
    claims_count = F.Integer(allow_none=True)
    independent_claims_count = F.Integer(allow_none=True)
    priority_date = F.Date(allow_none=True)
    publication_date = F.Date(allow_none=True)
    legal_status_date = F.Date(allow_none=True)
    family_countries = _strings()
    family_size = F.Integer()
    forward_citations = F.Integer(allow_none=True)
    backward_citations = F.Integer(allow_none=True)
    annual_fee_paid_year = F.Integer(allow_none=True)
    classifications = F.List(F.Nested(ClassificationSchema))
    applicants = F.Function(lambda p: p.party_names("applicant"))
    owners = F.Function(lambda p: p.party_names("owner"))
    inventors = F.Function(lambda p: p.party_names("inventor"))
    generated_fields = _strings()


class ProjectSchema(ma.Schema):
    id = F.Integer()
    reference = F.String()
    title_zh = F.String(allow_none=True)
    title_en = F.String(allow_none=True)
    summary_zh = F.String(allow_none=True)
    summary_en = F.String(allow_none=True)
    sector = F.String(allow_none=True)
    trl = F.Integer(allow_none=True)
    stage = F.String(allow_none=True)
    seeking = _strings()
    funding_amount = F.Decimal(as_string=True, allow_none=True, metadata={"example": "5000000.00"})
    funding_currency = F.String(allow_none=True)
    team = _strings()
    # Per viewer: a project never reveals a hidden patent linked to it.
    linked_patents = F.Function(
        lambda p: [x.publication_number for x in services.visible_patents(p, current_user)]
    )
    organisation_name = F.String(allow_none=True)
    contact_policy = F.String()
    owner_id = F.Integer(allow_none=True)
    moderation_status = F.String()


class ExpertSchema(ma.Schema):
    id = F.Integer()
    reference = F.String()
    name = F.String()
    name_en = F.String(allow_none=True)
    title = F.String(allow_none=True)
    title_en = F.String(allow_none=True)
    organisation = F.String(allow_none=True)
    specialties_ipc = _strings()
    industries = _strings()
    qualifications = _strings()
    biography_zh = F.String(allow_none=True)
    biography_en = F.String(allow_none=True)
    languages = _strings()
    availability = F.String(allow_none=True)
    fee_amount = F.Decimal(as_string=True, allow_none=True)
    fee_currency = F.String(allow_none=True)
    fee_unit = F.String(allow_none=True)
    conflicts = F.Function(lambda e: [c.organisation for c in e.conflicts])
    user_id = F.Integer(allow_none=True)
    moderation_status = F.String()


# --- input -------------------------------------------------------------------------------


class PatentInSchema(ma.Schema):
    jurisdiction = F.String(metadata={"example": "CN"})
    publication_number = F.String(metadata={"example": "CN 118866379 A"})
    kind_code = F.String(allow_none=True)
    application_number = F.String(allow_none=True)
    patent_type = F.String(allow_none=True)
    title_zh = F.String(allow_none=True)
    title_en = F.String(allow_none=True)
    abstract_zh = F.String(allow_none=True)
    abstract_en = F.String(allow_none=True)
    first_claim = F.String(allow_none=True)
    claims_count = F.Integer(allow_none=True)
    independent_claims_count = F.Integer(allow_none=True)
    ipc_codes = _strings(metadata={"description": "Main code first"})
    cpc_codes = _strings()
    applicants = _strings()
    owners = _strings()
    inventors = _strings()
    filing_date = F.Date(allow_none=True)
    priority_date = F.Date(allow_none=True)
    publication_date = F.Date(allow_none=True)
    grant_date = F.Date(allow_none=True)
    legal_status = F.String(allow_none=True)
    legal_status_date = F.Date(allow_none=True)
    family_countries = _strings()
    forward_citations = F.Integer(allow_none=True)
    backward_citations = F.Integer(allow_none=True)
    annual_fee_paid_year = F.Integer(allow_none=True)


class ProjectInSchema(ma.Schema):
    reference = F.String(allow_none=True)
    title_zh = F.String(allow_none=True)
    title_en = F.String(allow_none=True)
    summary_zh = F.String(allow_none=True)
    summary_en = F.String(allow_none=True)
    sector = F.String(allow_none=True)
    trl = F.Integer(allow_none=True)
    stage = F.String(allow_none=True)
    seeking = _strings()
    funding_amount = F.Decimal(allow_none=True, allow_nan=False)
    funding_currency = F.String(allow_none=True)
    team = _strings()
    linked_patents = _strings(metadata={"description": "Publication numbers, e.g. CN 118866379 A"})
    organisation_name = F.String(allow_none=True)
    contact_policy = F.String(allow_none=True)


class ExpertInSchema(ma.Schema):
    reference = F.String(allow_none=True)
    name = F.String()
    name_en = F.String(allow_none=True)
    title = F.String(allow_none=True)
    title_en = F.String(allow_none=True)
    organisation = F.String(allow_none=True)
    specialties_ipc = _strings()
    industries = _strings()
    qualifications = _strings()
    biography_zh = F.String(allow_none=True)
    biography_en = F.String(allow_none=True)
    languages = _strings()
    availability = F.String(allow_none=True)
    fee_amount = F.Decimal(allow_none=True, allow_nan=False)
    fee_currency = F.String(allow_none=True)
    fee_unit = F.String(allow_none=True)
    conflicts = _strings(metadata={"description": "'Organisation: relation' per item"})
    user_email = F.String(allow_none=True)


class PatentArgsSchema(PageArgsSchema):
    """The search page's arguments: a URL of the page works against the API unchanged."""

    q = F.String(metadata={"description": "Words in Chinese or English; quotes for a phrase"})
    jurisdiction = F.String(metadata={"description": "Office codes, comma-separated: CN,US"})
    kind = F.String(metadata={"description": "invention, utility_model, design (comma-separated)"})
    status = F.String(
        metadata={"description": "Legal statuses: pending, granted, lapsed, expired, invalidated"}
    )
    ipc = F.String(metadata={"description": "IPC/CPC prefix at any level, e.g. H01M or H01M 10"})
    filed_from = F.Date()
    filed_to = F.Date()
    granted_from = F.Date()
    granted_to = F.Date()
    owner = F.String(metadata={"description": "Words of an owner's or applicant's name"})
    remaining = F.Integer(
        validate=ma.validate.Range(min=0, max=30), metadata={"description": "Years of term left, at least"}
    )
    listed = F.Boolean(metadata={"description": "Only patents with an active listing"})
    deal = F.String(validate=ma.validate.OneOf(("assignment", "licence")))
    price_min = F.Decimal(
        places=2, allow_nan=False, metadata={"description": "Asking price in CNY, at least"}
    )
    price_max = F.Decimal(places=2, allow_nan=False)
    value_min = F.Decimal(
        places=2, allow_nan=False, metadata={"description": "Fair value midpoint in CNY, at least"}
    )
    value_max = F.Decimal(places=2, allow_nan=False)
    sort = F.String(validate=ma.validate.OneOf(("relevance", "newest", "remaining_term", "value")))


class ProjectArgsSchema(PageArgsSchema):
    q = F.String()
    stage = F.String()
    sector = F.String()


class ExpertArgsSchema(PageArgsSchema):
    q = F.String()
    specialty = F.String(metadata={"description": "IPC subclass, e.g. H01M"})
    industry = F.String()


def _filters(args: dict) -> dict[str, str]:
    return {k: str(v) for k, v in args.items() if k not in ("page", "per_page")}


def _search_args(args: dict) -> dict[str, str]:
    """Validated API arguments back in the search page's URL form."""
    return {name: _url_value(value) for name, value in args.items() if name not in ("page", "per_page")}


def _url_value(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# --- patents -----------------------------------------------------------------------------


@blp.route("/patents")
@blp.arguments(PatentArgsSchema, location="query")
@blp.response(200, envelope(PatentSchema))
def list_patents(args: dict):
    """Published patents found by the catalogue search, ranked as the search page ranks them."""
    found = queries.search_patents(_search_args(args), args["page"], args["per_page"])
    if found.errors:
        raise ValidationFailed(found.errors)
    return {
        "items": found.patents,
        "page": args["page"],
        "per_page": args["per_page"],
        "total": found.total,
        "pages": -(-found.total // args["per_page"]),
    }


@blp.route("/patents/<id:patent_id>")
@blp.response(200, PatentDetailSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_patent(patent_id: int):
    """One patent with its codes and parties."""
    return services.visible_record(
        Patent, patent_id, current_user, selectinload(Patent.classifications), selectinload(Patent.parties)
    )


@blp.route("/patents", methods=["POST"])
@blp.arguments(PatentInSchema)
@blp.response(201, PatentDetailSchema)
@blp.alt_response(422, schema=ErrorSchema, description="Invalid fields, named in error.fields")
@blp.doc(security=TOKEN)
@login_required
def create_patent(data: dict):
    """Add a patent owned by the caller (rights-holders and administrators)."""
    patent = services.create_patent(current_user, data)
    db.session.commit()
    return patent


@blp.route("/patents/<id:patent_id>", methods=["PATCH"])
@blp.arguments(PatentInSchema(partial=True))
@blp.response(200, PatentDetailSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def update_patent(data: dict, patent_id: int):
    """Change some fields of one of the caller's patents (administrators: any patent)."""
    patent = services.editable_record(Patent, patent_id, current_user)
    services.update_patent(patent, current_user, data)
    db.session.commit()
    return patent


# --- projects ----------------------------------------------------------------------------


@blp.route("/projects")
@blp.arguments(ProjectArgsSchema, location="query")
@blp.response(200, envelope(ProjectSchema))
def list_projects(args: dict):
    """Published innovation projects, newest first."""
    query = queries.projects_from_args(_filters(args)).options(selectinload(InnovationProject.patents))
    return page_of(query, args["page"], args["per_page"])


@blp.route("/projects/<id:project_id>")
@blp.response(200, ProjectSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_project(project_id: int):
    """One innovation project."""
    return services.visible_record(InnovationProject, project_id, current_user)


@blp.route("/projects", methods=["POST"])
@blp.arguments(ProjectInSchema)
@blp.response(201, ProjectSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def create_project(data: dict):
    """Add an innovation project owned by the caller."""
    project = people_services.create_project(current_user, data)
    db.session.commit()
    return project


@blp.route("/projects/<id:project_id>", methods=["PATCH"])
@blp.arguments(ProjectInSchema(partial=True))
@blp.response(200, ProjectSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def update_project(data: dict, project_id: int):
    """Change some fields of one of the caller's projects."""
    project = services.editable_record(InnovationProject, project_id, current_user)
    people_services.update_project(project, current_user, data)
    db.session.commit()
    return project


# --- experts -----------------------------------------------------------------------------


@blp.route("/experts")
@blp.arguments(ExpertArgsSchema, location="query")
@blp.response(200, envelope(ExpertSchema))
def list_experts(args: dict):
    """Published experts by text, IPC subclass and industry."""
    query = queries.experts_from_args(_filters(args)).options(selectinload(Expert.conflicts))
    return page_of(query, args["page"], args["per_page"])


@blp.route("/experts/<id:expert_id>")
@blp.response(200, ExpertSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_expert(expert_id: int):
    """One expert profile with specialties and declared conflicts."""
    return services.visible_record(Expert, expert_id, current_user)


@blp.route("/experts", methods=["POST"])
@blp.arguments(ExpertInSchema)
@blp.response(201, ExpertSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def create_expert(data: dict):
    """Add an expert profile maintained by the caller."""
    expert = people_services.create_expert(current_user, data)
    db.session.commit()
    return expert


@blp.route("/experts/<id:expert_id>", methods=["PATCH"])
@blp.arguments(ExpertInSchema(partial=True))
@blp.response(200, ExpertSchema)
@blp.alt_response(422, schema=ErrorSchema)
@blp.doc(security=TOKEN)
@login_required
def update_expert(data: dict, expert_id: int):
    """Change some fields of an expert profile the caller maintains."""
    expert = services.editable_record(Expert, expert_id, current_user)
    people_services.update_expert(expert, current_user, data)
    db.session.commit()
    return expert
