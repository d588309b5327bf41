"""Catalogue search: one interface (``SearchQuery`` -> ``SearchResult``), two backends.

Public API:
    search(session, query) -> SearchResult
    index_patents / index_projects / index_experts(session, ids)   after catalogue writes
    rebuild(session)                                               `flask catalogue reindex`
"""

from app.catalogue.search.indexing import (
    index_experts,
    index_patents,
    index_projects,
    rebuild,
    register_enricher,
    remove_records,
)
from app.catalogue.search.query import FacetValue, Hit, SearchQuery, SearchResult
from app.catalogue.search.service import search

__all__ = [
    "FacetValue",
    "Hit",
    "SearchQuery",
    "SearchResult",
    "index_experts",
    "index_patents",
    "index_projects",
    "rebuild",
    "register_enricher",
    "remove_records",
    "search",
]
