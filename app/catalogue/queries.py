"""select()s for catalogue pages, export and the API. Search ranking lives in ``search/``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy import Select, case, select
from sqlalchemy.orm import selectinload

from app.catalogue.models import (
    PUBLISHED,
    Expert,
    ExpertSpecialty,
    InnovationProject,
    Patent,
)
from app.catalogue.search import SearchQuery, search
from app.catalogue.search.tokens import MAX_QUERY_LENGTH
from app.extensions import db

MAX_MATCHES = 1000  # as many as the search page lists: a narrower query serves people better


@dataclass(frozen=True)
class PatentSearch:
    """One page of patents found by the search service, in its ranked order."""

    patents: list[Patent]
    total: int
    errors: dict[str, str]


def search_patents(args: Mapping, page: int = 1, per_page: int = 20) -> PatentSearch:
    """Patents for the search page's URL arguments, ranked as the page ranks them (API and export)."""
    query, errors = SearchQuery.from_args(args)
    if errors:
        return PatentSearch([], 0, errors)
    result = search(db.session, replace(query, types=("patent",), page=page, per_page=per_page))
    ids = [hit.record_id for hit in result.hits]
    found = db.session.scalars(with_patent_children(select(Patent).where(Patent.id.in_(ids))))
    by_id = {patent.id: patent for patent in found}
    return PatentSearch([by_id[i] for i in ids if i in by_id], result.total, {})


def with_patent_children(query: Select) -> Select:
    """Load codes and parties in two extra queries instead of one per patent."""
    return query.options(selectinload(Patent.classifications), selectinload(Patent.parties))


def ranked_matches(model: type, doc_type: str, text: str) -> tuple[list[int], object]:
    """Ids of the records the catalogue search finds for the text (best first, at most
    MAX_MATCHES) and an ORDER BY that keeps that rank: the same matching as the search page."""
    query = SearchQuery(text=text[:MAX_QUERY_LENGTH], types=(doc_type,), per_page=MAX_MATCHES)
    ids = [hit.record_id for hit in search(db.session, query).hits]
    if not ids:
        return ids, model.id
    return ids, case({record_id: rank for rank, record_id in enumerate(ids)}, value=model.id, else_=len(ids))


def projects_from_args(args: Mapping[str, str]) -> Select:
    """Published projects by search text (ranked as on the search page), stage and sector."""
    query = select(InnovationProject).where(InnovationProject.moderation_status == PUBLISHED)
    order = InnovationProject.id.desc()
    if term := (args.get("q") or "").strip():
        ids, order = ranked_matches(InnovationProject, "project", term)
        query = query.where(InnovationProject.id.in_(ids))
    for name in ("stage", "sector"):
        if value := args.get(name):
            query = query.where(getattr(InnovationProject, name) == value)
    return query.order_by(order, InnovationProject.id.desc())


def experts_from_args(args: Mapping[str, str]) -> Select:
    """Published experts by search text (ranked as on the search page), IPC subclass and industry."""
    query = select(Expert).where(Expert.moderation_status == PUBLISHED)
    order = Expert.name
    if term := (args.get("q") or "").strip():
        ids, order = ranked_matches(Expert, "expert", term)
        query = query.where(Expert.id.in_(ids))
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
    return query.options(selectinload(Expert.specialties)).order_by(order, Expert.name)


def industries() -> Select:
    """Distinct industries of published experts, for the directory's filter."""
    return (
        select(ExpertSpecialty.value)
        .join(Expert)
        .where(ExpertSpecialty.kind == "industry", Expert.moderation_status == PUBLISHED)
        .distinct()
        .order_by(ExpertSpecialty.value)
    )
