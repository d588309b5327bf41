"""Matches read from the matching index: the index shortlists, the engine ranks the shortlist.

The index scores every matchable record on text (BM25 over the whole pool) and technical field;
only the best ``SHORTLIST`` are loaded and ranked by the engine with all factors, with the pool's
text scores and text scale handed in, so a listing's score is the one a full ranking of the pool
would give it. Records with a weak text match and no shared field are not matches.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from app.catalogue.search import crosslang
from app.core.clock import clock
from app.core.page_cache import versioned_memo
from app.extensions import db
from app.market import listing_states
from app.market.listing_models import Listing
from app.matching import index
from app.matching.alert_models import MatchingDocument
from app.matching.engine import Match
from app.matching.engine.text import query_terms, tokens
from app.matching.models import Need
from app.matching.responsiveness import seller_records

SHORTLIST = 200


def listing_matches(need: Need) -> tuple[dict[int, Listing], list[Match]]:
    """Published listings for ``need``, best first with contributions (its buyer's own excluded)."""
    from app.matching.services import _context, _ranked, listing_candidate

    terms = query_terms(need.text, crosslang, cross_language=True)
    found = index.shortlist("listing", db.session, terms, tuple(need.codes or ()), SHORTLIST)
    listings = db.session.scalars(
        select(Listing).where(Listing.id.in_(found.record_ids), Listing.status == listing_states.PUBLISHED)
    ).all()
    by_id = {x.id: x for x in sorted(listings, key=lambda x: -x.id)}
    records = seller_records(x.seller_id for x in by_id.values())  # for the responsiveness factor
    candidates = [listing_candidate(x, records.get(x.seller_id, (None, None))) for x in by_id.values()]
    ctx = _context()
    raw = np.array([found.text.get(c.id, 0.0) for c in candidates])
    ctx.cache[("text_scores", id(candidates), need.text)] = raw
    # The pool's scale, not the shortlist's (the buyer's own listings count in it, as in the index).
    ctx.cache[("text_scale", id(candidates), need.text)] = found.scale
    ctx.cache[("text_ideal", id(candidates), need.text)] = found.ideal
    ctx.cache[("text_telling", id(candidates), need.text)] = found.telling
    # The candidates' terms for the reasons come from their index rows (in first-occurrence order,
    # as the tokenizer gives them): re-tokenizing 200 texts would cost more than the ranking.
    stored = dict(
        db.session.execute(
            select(MatchingDocument.record_id, MatchingDocument.terms).where(
                MatchingDocument.kind == "listing", MatchingDocument.record_id.in_(list(by_id))
            )
        ).all()
    )
    ctx.cache[("text_tokens", id(candidates))] = [
        list(stored[c.id]) if stored.get(c.id) else tokens(c.text, crosslang) for c in candidates
    ]
    return by_id, _ranked(need, by_id, candidates, ctx)


def candidate_needs(listing: Listing) -> list[int]:
    """Ids of the needs whose text or field the listing shares, best first (any status, any owner)."""
    doc = index.listing_document(listing)
    text = "\n".join(
        t for t in (listing.title_zh, listing.title_en, listing.summary_zh, listing.summary_en) if t
    )
    for link in listing.patent_links:
        text += "\n" + "\n".join(t for t in index.patent_texts(link.patent) if t)
    terms = query_terms(text, crosslang, cross_language=True)
    return index.shortlist("need", db.session, terms, tuple(doc.codes), SHORTLIST).record_ids


def ranked_listings(need: Need) -> tuple[Match, ...]:
    """listing_matches()' ranking alone, the same for every viewer: computed once per data version and
    day (freshness counts whole days), for the need's page and for every listing that asks which
    needs it answers."""
    return versioned_memo(
        "matching.ranked_listings", (need.id, clock.now().date()), lambda: tuple(listing_matches(need)[1])
    )


def listing_match(need: Need, listing: Listing) -> Match | None:
    """The listing's match for the need, as on the need's page; None when it is not among them."""
    return next((m for m in ranked_listings(need) if m.candidate_id == listing.id and m.score > 0), None)
