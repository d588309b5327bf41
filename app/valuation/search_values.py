"""Valuations feed the catalogue search: the fair value midpoint filters and sorts patents by value.

Two ways in: an enricher the search indexer asks when it (re)builds a patent's document, and a
direct update of the documents' value column right after valuations are stored, so a bulk
revaluation does not re-index 100,000 documents to change one number each.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from app.catalogue.search.models import SearchDocument
from app.valuation.models import ENSEMBLE_ROW, StoredValuation

SEARCH_LISTING_TYPE = "default"  # the range shown in the catalogue until listings choose their own
CHUNK = 900


def current_midpoints(session: Session, doc_type: str, record_ids: list[int]) -> dict[int, dict]:
    """Enricher: {patent_id: {"value_cny": midpoint}} of the patents' current CNY ranges."""
    if doc_type != "patent" or not record_ids:
        return {}
    found: dict[int, dict] = {}
    for start in range(0, len(record_ids), CHUNK):
        rows = session.execute(
            select(StoredValuation.patent_id, StoredValuation.mid).where(
                StoredValuation.patent_id.in_(record_ids[start : start + CHUNK]),
                StoredValuation.kind == ENSEMBLE_ROW,
                StoredValuation.is_current.is_(True),
                StoredValuation.listing_type == SEARCH_LISTING_TYPE,
                StoredValuation.currency == "CNY",
            )
        )
        found.update({patent_id: {"value_cny": mid} for patent_id, mid in rows})
    return found


def publish_midpoints(session: Session, midpoints: Mapping[int, Decimal | None]) -> None:
    """Write fresh midpoints into the patents' search documents (unpublished patents have none)."""
    table = SearchDocument.__table__
    statement = (
        table.update()
        .where(and_(table.c.doc_type == "patent", table.c.record_id == bindparam("patent_id")))
        .values(value_cny=bindparam("value"))
    )
    rows: Sequence[dict] = [{"patent_id": pid, "value": value} for pid, value in midpoints.items()]
    if rows:
        session.connection().execute(statement, list(rows))
