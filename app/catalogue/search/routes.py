"""Search pages on the catalogue blueprint: /catalogue/search (endpoint ``catalogue.search``).

All state lives in the query string, so every result page is a shareable URL.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from app.catalogue.routes import bp
from app.catalogue.search import cli  # noqa: F401  (adds `flask catalogue reindex`)
from app.catalogue.search.attrs import DOC_TYPES
from app.catalogue.search.query import MAX_PAGE, SORTS, SearchQuery
from app.catalogue.search.service import search as run_search
from app.core.clock import clock
from app.core.navigation import NavItem, add_nav_item
from app.core.page_cache import sized_memo
from app.extensions import db

DETAIL_ENDPOINTS = {
    "patent": ("catalogue.patent_detail", "patent_id"),
    "project": ("catalogue.project_detail", "project_id"),
    "expert": ("catalogue.expert_detail", "expert_id"),
}
SORT_LABELS = {
    "relevance": _l("Relevance"),
    "newest": _l("Newest"),
    "remaining_term": _l("Longest remaining term"),
    "value": _l("Highest value"),
}
TYPE_LABELS = {"all": _l("All"), "patent": _l("Patents"), "project": _l("Projects"), "expert": _l("Experts")}
FACET_LABELS = {
    "jurisdiction": (_l("Jurisdiction"), "jurisdiction"),
    "patent_type": (_l("Kind"), "kind"),
    "legal_status": (_l("Legal status"), "status"),
    "section": (_l("IPC section (main code)"), "main_class"),
    "main_class": (_l("IPC class (main code)"), "main_class"),
}
# Filters shown as form fields, carried along when the search text changes.
FORM_FILTERS = ("ipc", "owner", "filed_from", "filed_to", "granted_from", "granted_to", "remaining",
                "listed", "deal", "price_min", "price_max")  # fmt: skip
KEPT_ARGS = ("type", "jurisdiction", "kind", "status", "main_class", "sort", *FORM_FILTERS)
# A search that finds nothing tries each of its words (or quoted phrases) alone, up to this many.
MAX_WORDS_TRIED = 5
WORDS = re.compile(r'"[^"]+"|\S+')


def hit_url(hit) -> str | None:
    """Link to a record's page; None if that page does not exist (yet)."""
    endpoint, argument = DETAIL_ENDPOINTS[hit.doc_type]
    try:
        return url_for(endpoint, **{argument: hit.record_id})
    except BuildError:
        return None


def _size(result) -> int:
    """Roughly the memory a kept result takes: its hits' texts dominate."""
    return 2048 + sum(len(h.title) + len(h.title_html) + len(h.snippet or "") + 256 for h in result.hits)


def _kept_search(query: SearchQuery, today: dt.date):
    """The same for every viewer: kept per data version (and day, for the remaining-term filter)."""
    return sized_memo("catalogue.search", (query, today), lambda: run_search(db.session, query), _size)


def each_word_alone(query: SearchQuery, result, today: dt.date) -> list[tuple[str, object]]:
    """When no record holds every word, each word alone with what it finds under the same filters,
    so the reader sees which word emptied the result ("lithium battery": battery finds 2)."""
    if result.total or not query.text:
        return []
    words = list(dict.fromkeys(WORDS.findall(query.text)))
    if not 2 <= len(words) <= MAX_WORDS_TRIED:
        return []
    return [(word, _kept_search(query.with_(text=word, page=1), today)) for word in words]


@bp.get("/catalogue/search")
@bp.get("/catalogue", endpoint="search_home")
def search():
    query, errors = SearchQuery.from_args(request.args)
    today = clock.now().date()
    result = _kept_search(query, today)
    return render_template(
        "catalogue/search.html",
        query=query,
        result=result,
        words_alone=each_word_alone(query, result, today),
        errors=errors,
        other_errors={name: message for name, message in errors.items() if name not in ("q", *FORM_FILTERS)},
        tab=query.types[0] if len(query.types) == 1 else "all",
        tabs=("all", *DOC_TYPES),
        type_labels=TYPE_LABELS,
        sort_labels=SORT_LABELS,
        sorts=SORTS,
        facet_labels=FACET_LABELS,
        hit_url=hit_url,
        kept_args=KEPT_ARGS,
        form_filters=FORM_FILTERS,
        max_page=MAX_PAGE,
    )


add_nav_item(NavItem("catalogue.search", _l("Catalogue"), lambda user: True, menu="main", order=10))
