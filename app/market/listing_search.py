"""Listings in the catalogue search, on the home page and as "similar listings".

The search enricher fills the documents' ``price_cny`` (the lowest asking price among a
patent's published listings, other currencies at the administrators' FX rate in force) and ``deal_types`` (",assignment," and/or ",licence,"), which
the search's listing, deal-type and price filters read.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.catalogue.models import PatentClassification
from app.extensions import db
from app.market import listing_states as states
from app.market.listing_models import Listing, ListingPatent

CHUNK = 900


def _deal_type(right_type: str) -> str:
    return "assignment" if right_type == "assignment" else "licence"


def listing_enricher(session: Session, doc_type: str, record_ids: list[int]) -> dict[int, dict]:
    """{patent_id or project_id: {"price_cny", "deal_types"}} for records with a published listing."""
    if doc_type not in ("patent", "project") or not record_ids:
        return {}
    found: dict[int, dict] = {}
    in_cny = _converter()
    for start in range(0, len(record_ids), CHUNK):
        chunk = record_ids[start : start + CHUNK]
        if doc_type == "patent":
            key = ListingPatent.patent_id
            query = select(key, Listing.ask_amount, Listing.currency, Listing.right_type).join(Listing)
        else:
            key = Listing.project_id
            query = select(key, Listing.ask_amount, Listing.currency, Listing.right_type)
        rows = session.execute(query.where(key.in_(chunk), Listing.status == states.PUBLISHED))
        for record_id, ask, currency, right_type in rows:
            _merge(
                found.setdefault(record_id, {"price_cny": None, "types": set()}),
                in_cny(ask, currency),
                right_type,
            )
    return {
        record_id: {"price_cny": v["price_cny"], "deal_types": "," + ",".join(sorted(v["types"])) + ","}
        for record_id, v in found.items()
    }


def _converter():
    """Asks in another currency count in CNY at the administrators' rate in force today (none: left out)."""
    from app.core.models import utcnow
    from app.valuation.fx import RateBook, to_cny

    book: list[RateBook] = []
    today = utcnow().date()

    def in_cny(ask: Decimal | None, currency: str) -> Decimal | None:
        if ask is None or currency == "CNY":
            return ask
        if not book:
            book.append(RateBook())
        return to_cny(ask, book[0].fact(currency, today))

    return in_cny


def _merge(entry: dict, ask_cny: Decimal | None, right_type: str) -> None:
    entry["types"].add(_deal_type(right_type))
    if ask_cny is not None and (entry["price_cny"] is None or ask_cny < entry["price_cny"]):
        entry["price_cny"] = ask_cny


def register() -> None:
    from app.catalogue.search import register_enricher

    register_enricher(listing_enricher)


# What a listing card reads (bundle or single patent, the seller's organisation): loaded with the
# listings in two statements instead of two per card.
CARD_LOADING = (selectinload(Listing.patent_links), selectinload(Listing.organisation))


def home_listings(limit: int = 6) -> dict[str, list[Listing]]:
    """Featured listings (chosen by an administrator) and the newest ones, for the home page."""
    published = select(Listing).where(Listing.status == states.PUBLISHED).options(*CARD_LOADING)
    featured = db.session.scalars(
        published.where(Listing.featured.is_(True)).order_by(Listing.published_at.desc()).limit(limit)
    ).all()
    newest = db.session.scalars(
        published.where(Listing.id.not_in([listing.id for listing in featured] or [0]))
        .order_by(Listing.published_at.desc(), Listing.id.desc())
        .limit(limit)
    ).all()
    return {"featured": list(featured), "newest": list(newest)}


def similar_listings(listing: Listing, limit: int = 4) -> list[Listing]:
    """Published listings on patents of the same IPC subclass, the same right type first."""
    subclasses = {c.subclass for p in listing.patents for c in p.classifications if c.is_main and c.subclass}
    if not subclasses:
        query = select(Listing).where(Listing.right_type == listing.right_type)
    else:
        patents = select(PatentClassification.patent_id).where(
            PatentClassification.subclass.in_(subclasses), PatentClassification.is_main.is_(True)
        )
        listing_ids = select(ListingPatent.listing_id).where(ListingPatent.patent_id.in_(patents))
        query = select(Listing).where(Listing.id.in_(listing_ids))
    query = query.where(Listing.status == states.PUBLISHED, Listing.id != listing.id)
    rows = db.session.scalars(
        query.order_by(Listing.published_at.desc()).limit(limit * 3).options(*CARD_LOADING)
    ).all()
    return sorted(rows, key=lambda other: other.right_type != listing.right_type)[:limit]
