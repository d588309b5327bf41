"""Market figures for the home page: what the catalogue holds and what it is valued at."""

import time
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from app.catalogue.search.models import SearchDocument
from app.extensions import db


@dataclass(frozen=True)
class PlatformFigures:
    patents: int
    projects: int
    experts: int
    valued_patents: int
    total_value: Decimal  # sum of the fair value midpoints, CNY


_cache: dict[str, tuple[float, PlatformFigures]] = {}


def platform_figures() -> PlatformFigures:
    """Counts of published records (as search sees them); cached briefly, they move slowly."""
    ttl = current_app.config.get("FIGURES_CACHE_SECONDS", 60)
    key = db.engine.url.render_as_string(hide_password=True)
    cached = _cache.get(key)
    if ttl and cached and time.monotonic() - cached[0] < ttl:
        return cached[1]
    figures = _count()
    _cache[key] = (time.monotonic(), figures)
    return figures


def _count() -> PlatformFigures:
    rows = db.session.execute(
        select(
            SearchDocument.doc_type,
            func.count(),
            func.count(SearchDocument.value_cny),
            func.coalesce(func.sum(SearchDocument.value_cny), 0),
        ).group_by(SearchDocument.doc_type)
    ).all()
    by_type = {doc_type: (total, valued, Decimal(str(value))) for doc_type, total, valued, value in rows}
    patents = by_type.get("patent", (0, 0, Decimal(0)))
    return PlatformFigures(
        patents=patents[0],
        projects=by_type.get("project", (0,))[0],
        experts=by_type.get("expert", (0,))[0],
        valued_patents=patents[1],
        total_value=patents[2].quantize(Decimal("0.01")),
    )
