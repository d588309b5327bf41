"""select()s for catalogue pages, export and the API. Search ranking lives in ``search/``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from app.catalogue import classification
from app.catalogue.models import (
    PUBLISHED,
    Expert,
    ExpertSpecialty,
    InnovationProject,
    Patent,
    PatentClassification,
    PatentParty,
)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def patents_from_args(args: Mapping[str, str], include_hidden: bool = False) -> Select:
    """Patents filtered by the search page's query arguments (keyword by LIKE, no ranking).

    Arguments: q, jurisdiction, patent_type (or kind), legal_status, ipc (prefix at any level),
    filing_from/filing_to, grant_from/grant_to (YYYY-MM-DD), owner (a party name), owner_id.
    """
    query = select(Patent)
    if not include_hidden:
        query = query.where(Patent.moderation_status == PUBLISHED)
    for name, column in (
        ("jurisdiction", Patent.jurisdiction),
        ("patent_type", Patent.patent_type),
        ("kind", Patent.patent_type),
        ("legal_status", Patent.legal_status),
    ):
        if value := args.get(name):
            query = query.where(column == value)
    if term := (args.get("q") or "").strip():
        like = f"%{term}%"
        query = query.where(
            or_(
                Patent.title_zh.ilike(like),
                Patent.title_en.ilike(like),
                Patent.abstract_zh.ilike(like),
                Patent.abstract_en.ilike(like),
                Patent.first_claim.ilike(like),
            )
        )
    if prefix := (args.get("ipc") or args.get("cpc") or "").strip():
        try:
            pattern = classification.like_pattern(prefix, "cpc")
        except classification.InvalidClassification:
            pattern = None
        if pattern:
            codes = select(PatentClassification.patent_id).where(
                PatentClassification.search_key.like(pattern)
            )
            query = query.where(Patent.id.in_(codes))
    for name, column, op in (
        ("filing_from", Patent.filing_date, "ge"),
        ("filing_to", Patent.filing_date, "le"),
        ("grant_from", Patent.grant_date, "ge"),
        ("grant_to", Patent.grant_date, "le"),
    ):
        if (value := _date(args.get(name))) is not None:
            query = query.where(column >= value if op == "ge" else column <= value)
    if owner := (args.get("owner") or "").strip():
        parties = select(PatentParty.patent_id).where(
            PatentParty.role.in_(("owner", "applicant")), PatentParty.name.ilike(f"%{owner}%")
        )
        query = query.where(Patent.id.in_(parties))
    if (owner_id := args.get("owner_id")) and str(owner_id).isdigit():
        query = query.where(Patent.owner_id == int(owner_id))
    return query.order_by(Patent.id)


def with_patent_children(query: Select) -> Select:
    """Load codes and parties in two extra queries instead of one per patent."""
    return query.options(selectinload(Patent.classifications), selectinload(Patent.parties))


def projects_from_args(args: Mapping[str, str]) -> Select:
    query = select(InnovationProject).where(InnovationProject.moderation_status == PUBLISHED)
    if term := (args.get("q") or "").strip():
        like = f"%{term}%"
        query = query.where(
            or_(
                InnovationProject.title_zh.ilike(like),
                InnovationProject.title_en.ilike(like),
                InnovationProject.summary_zh.ilike(like),
                InnovationProject.summary_en.ilike(like),
            )
        )
    for name in ("stage", "sector"):
        if value := args.get(name):
            query = query.where(getattr(InnovationProject, name) == value)
    return query.order_by(InnovationProject.id.desc())


def experts_from_args(args: Mapping[str, str]) -> Select:
    """Published experts, by name/organisation text, IPC subclass and industry."""
    query = select(Expert).where(Expert.moderation_status == PUBLISHED)
    if term := (args.get("q") or "").strip():
        like = f"%{term}%"
        query = query.where(
            or_(
                Expert.name.ilike(like),
                Expert.name_en.ilike(like),
                Expert.organisation.ilike(like),
                Expert.title.ilike(like),
                Expert.biography_zh.ilike(like),
                Expert.biography_en.ilike(like),
            )
        )
    if specialty := (args.get("specialty") or "").strip().upper():
        subclass = select(ExpertSpecialty.expert_id).where(
            ExpertSpecialty.kind == "ipc", ExpertSpecialty.value.like(f"{specialty[:4]}%")
        )
        query = query.where(Expert.id.in_(subclass))
    if industry := (args.get("industry") or "").strip():
        matching = select(ExpertSpecialty.expert_id).where(
            ExpertSpecialty.kind == "industry", ExpertSpecialty.value == industry
        )
        query = query.where(Expert.id.in_(matching))
    return query.options(selectinload(Expert.specialties)).order_by(Expert.name)


def industries() -> Select:
    """Distinct industries of published experts, for the directory's filter."""
    return (
        select(ExpertSpecialty.value)
        .join(Expert)
        .where(ExpertSpecialty.kind == "industry", Expert.moderation_status == PUBLISHED)
        .distinct()
        .order_by(ExpertSpecialty.value)
    )
