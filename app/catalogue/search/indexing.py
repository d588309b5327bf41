"""Keeping the index in step with the catalogue.

The catalogue services call, after a write and in the same transaction (they flush, the request
commits):

    index_patents(session, [patent.id, ...])
    index_projects(session, [project.id, ...])
    index_experts(session, [expert.id, ...])

Each call re-reads the records: published ones are (re)indexed, hidden or deleted ones leave the
index. ``rebuild`` re-creates everything (``flask catalogue reindex``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, selectinload

from app.catalogue.models import PUBLISHED, Expert, InnovationProject, Patent
from app.catalogue.search import documents
from app.catalogue.search.attrs import document_key
from app.catalogue.search.backends import backend_for, chunked
from app.catalogue.search.documents import Source
from app.catalogue.search.models import SearchDocument, SearchIndexEntry

# Enrichers add market and valuation facts to documents: fn(session, doc_type, record_ids) ->
# {record_id: {"value_cny": Decimal, "price_cny": Decimal, "deal_types": ",assignment,licence,"}}.
Enricher = Callable[[Session, str, list[int]], dict[int, dict]]
ENRICHERS: list[Enricher] = []
BATCH = 500


def register_enricher(enricher: Enricher) -> None:
    """Valuation and market capabilities register here so their facts become filters and sorts."""
    if enricher not in ENRICHERS:
        ENRICHERS.append(enricher)


def patent_source(patent: Patent) -> Source:
    codes = [
        c.code
        for c in sorted(patent.classifications, key=lambda c: (not c.is_main, c.scheme != "ipc", c.position))
    ]
    owners = patent.party_names("owner") + patent.party_names("applicant")
    if patent.organisation is not None:  # the registering organisation is an owner's other name
        owners.append(patent.organisation.name)
    label = f"{patent.jurisdiction} {patent.publication_number.removeprefix(patent.jurisdiction)} {patent.kind_code or ''}"
    return Source(
        doc_type="patent",
        record_id=patent.id,
        titles=tuple(t for t in (patent.title_zh, patent.title_en) if t),
        bodies=tuple(t for t in (patent.abstract_zh, patent.abstract_en, patent.first_claim) if t),
        parties=tuple(dict.fromkeys(owners)),
        codes=tuple(dict.fromkeys(codes)),
        numbers=(patent.publication_number, patent.application_number),
        label=label.strip(),
        jurisdiction=patent.jurisdiction,
        legal_status=patent.legal_status,
        patent_type=patent.patent_type,
        main_class=documents.main_class_of(tuple(codes)),
        filing_date=patent.filing_date,
        grant_date=patent.grant_date,
        expiry_date=patent.expiry_date,
        sort_date=patent.publication_date or patent.grant_date or patent.filing_date,
    )


def _created(record) -> dt.date | None:
    return record.created_at.date() if getattr(record, "created_at", None) else None


def project_source(project: InnovationProject) -> Source:
    codes = tuple(c for p in project.patents for c in p.codes("ipc")[:1])
    return Source(
        doc_type="project",
        record_id=project.id,
        titles=tuple(t for t in (project.title_zh, project.title_en) if t) or (project.reference,),
        bodies=tuple(t for t in (project.summary_zh, project.summary_en, project.sector, *project.team) if t),
        parties=tuple(
            t for t in (project.organisation_name, getattr(project.organisation, "name", None)) if t
        ),
        codes=codes,
        label=project.sector,
        main_class=documents.main_class_of(codes),
        sort_date=_created(project),
    )


def expert_source(expert: Expert) -> Source:
    codes = tuple(expert.specialties_ipc)
    bodies = (expert.title, expert.title_en, expert.biography_zh, expert.biography_en, *expert.industries)
    return Source(
        doc_type="expert",
        record_id=expert.id,
        titles=tuple(dict.fromkeys(t for t in (expert.name, expert.name_en) if t)),
        bodies=tuple(t for t in bodies if t),
        parties=tuple(t for t in (expert.organisation,) if t),
        codes=codes,
        label=expert.organisation,
        main_class=documents.main_class_of(codes),
        sort_date=_created(expert),
    )


_LOADERS = {
    "patent": (Patent, (Patent.classifications, Patent.parties, Patent.organisation), patent_source),
    "project": (InnovationProject, (InnovationProject.patents,), project_source),
    "expert": (Expert, (Expert.specialties,), expert_source),
}


def _load_sources(session: Session, doc_type: str, ids: list[int]) -> list[Source]:
    model, children, build = _LOADERS[doc_type]
    statement = (
        select(model)
        .where(model.id.in_(ids), model.moderation_status == PUBLISHED)
        .options(*(selectinload(child) for child in children))
    )
    sources = [build(record) for record in session.execute(statement).scalars()]
    extras: dict[int, dict] = {}
    for enricher in ENRICHERS:
        for record_id, values in enricher(session, doc_type, [s.record_id for s in sources]).items():
            extras.setdefault(record_id, {}).update(values)
    for source in sources:
        source.extra.update(extras.get(source.record_id, {}))
    return sources


def index_records(session: Session, doc_type: str, ids: Iterable[int]) -> int:
    """Re-index some records of one type; returns how many are now searchable."""
    backend = backend_for(session)
    session.flush()
    indexed = 0
    for chunk in chunked(sorted(set(ids)), BATCH):
        keys = [document_key(doc_type, record_id) for record_id in chunk]
        old = session.execute(
            select(SearchDocument.id, SearchDocument.fts_rowid, SearchDocument.source).where(
                SearchDocument.id.in_(keys)
            )
        ).all()
        backend.remove(old)
        if old:
            session.execute(delete(SearchDocument).where(SearchDocument.id.in_(keys)))
        sources = _load_sources(session, doc_type, chunk)
        write_sources(session, sources, backend)
        indexed += len(sources)
    return indexed


def write_sources(session: Session, sources: list[Source], backend=None) -> None:
    """Insert documents that are not in the index yet (bulk loaders call this directly)."""
    if not sources:
        return
    backend = backend or backend_for(session)
    session.execute(insert(SearchDocument), [documents.document_row(s) for s in sources])
    backend.add(sources)


def index_patents(session: Session, ids: Iterable[int]) -> int:
    """Call after creating, editing, importing, publishing, hiding or deleting patents."""
    return index_records(session, "patent", ids)


def index_projects(session: Session, ids: Iterable[int]) -> int:
    """Call after any write to innovation projects (including their linked patents)."""
    return index_records(session, "project", ids)


def index_experts(session: Session, ids: Iterable[int]) -> int:
    """Call after any write to experts (including specialties)."""
    return index_records(session, "expert", ids)


def remove_records(session: Session, doc_type: str, ids: Iterable[int]) -> None:
    """Drop records from the index (e.g. before a bulk delete that bypasses the services)."""
    backend = backend_for(session)
    keys = [document_key(doc_type, record_id) for record_id in set(ids)]
    for chunk in chunked(keys, BATCH):
        old = session.execute(
            select(SearchDocument.id, SearchDocument.fts_rowid, SearchDocument.source).where(
                SearchDocument.id.in_(chunk)
            )
        ).all()
        backend.remove(old)
        session.execute(delete(SearchDocument).where(SearchDocument.id.in_(chunk)))


def is_stale(session: Session) -> bool:
    """Whether the index was built by an older tokenizer (its documents say which) or, on
    PostgreSQL, lacks the index rows of its documents: `flask catalogue reindex --if-stale`."""
    blob = session.execute(select(SearchDocument.source).order_by(SearchDocument.id.desc()).limit(1)).scalar()
    if blob is None:
        return False
    if documents.unpack_source(blob).get("v") != documents.TOKENIZER_VERSION:
        return True
    if backend_for(session).name != "postgresql":
        return False
    return session.execute(select(SearchIndexEntry.fts_rowid).limit(1)).scalar() is None


def rebuild(session: Session, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Empty the index and index every published record again; returns counts per type."""
    backend = backend_for(session)
    backend.clear()
    session.execute(delete(SearchDocument))
    counts = {}
    for doc_type, (model, _children, _build) in _LOADERS.items():
        ids = list(session.execute(select(model.id).where(model.moderation_status == PUBLISHED)).scalars())
        counts[doc_type] = 0
        for chunk in chunked(ids, BATCH):
            write_sources(session, _load_sources(session, doc_type, chunk), backend)
            counts[doc_type] += len(chunk)
            if progress:
                progress(doc_type, counts[doc_type])
            session.expunge_all()
    backend.optimize()
    return counts
