"""Keep the search index in step with catalogue writes, in the writing transaction.

Catalogue services mark each record they create, change or moderate; just before the session
commits, the marked records are (re)indexed in batches, so an import of thousands of rows costs
one indexing pass and a rolled-back write leaves the index untouched.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.catalogue.search.indexing import index_experts, index_patents, index_projects

PENDING = "ipex_search_pending"
INDEXERS = {"patent": index_patents, "project": index_projects, "expert": index_experts}


def mark_for_indexing(session: Session, doc_type: str, record_id: int) -> None:
    """Ask for the record's search document to be refreshed when this transaction commits."""
    if doc_type not in INDEXERS:
        raise ValueError(f"unknown search document type {doc_type!r}")
    session.info.setdefault(PENDING, {}).setdefault(doc_type, set()).add(record_id)


@event.listens_for(Session, "before_commit")
def _index_marked_records(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    for doc_type, ids in (pending or {}).items():
        INDEXERS[doc_type](session, sorted(ids))


@event.listens_for(Session, "after_rollback")
def _forget_marks(session: Session) -> None:
    session.info.pop(PENDING, None)
