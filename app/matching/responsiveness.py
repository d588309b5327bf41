"""The sellers' answering record, gathered from the market's offer and enquiry tables.

For each seller: every offer a buyer made on one of their listings that reached an outcome
(answered: accepted, rejected or countered; unanswered: expired), and every enquiry thread with the
buyer's first question (answered when the seller's side wrote after it). The pure
``engine.record.answer_record`` turns the delays into a share and a median.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select

from app.extensions import db
from app.market import offer_states
from app.market.listing_models import EnquiryMessage, EnquiryThread, Listing
from app.market.offer_models import Offer
from app.matching.engine.record import answer_record

ANSWERED = (offer_states.ACCEPTED, offer_states.REJECTED, offer_states.COUNTERED)
UNANSWERED = (offer_states.EXPIRED,)
HOUR = 3600.0


def _hours(start, end) -> float:
    return max(0.0, (end - start).total_seconds() / HOUR)


def _offer_delays(seller_ids: set[int]) -> dict[int, list[float | None]]:
    rows = db.session.execute(
        select(Listing.seller_id, Offer.status, Offer.created_at, Offer.answered_at)
        .join(Listing, Listing.id == Offer.listing_id)
        .where(
            Listing.seller_id.in_(seller_ids),
            Offer.made_by_side == "buyer",
            Offer.status.in_(ANSWERED + UNANSWERED),
        )
    )
    out: dict[int, list[float | None]] = defaultdict(list)
    for seller_id, status, created, answered in rows:
        if status in ANSWERED and answered is not None:
            out[seller_id].append(_hours(created, answered))
        elif status in UNANSWERED:
            out[seller_id].append(None)
    return out


def _enquiry_delays(seller_ids: set[int]) -> dict[int, list[float | None]]:
    rows = db.session.execute(
        select(EnquiryThread.id, EnquiryThread.seller_id, EnquiryThread.buyer_id, EnquiryMessage.author_id,
               EnquiryMessage.created_at)
        .join(EnquiryMessage, EnquiryMessage.thread_id == EnquiryThread.id)
        .where(EnquiryThread.seller_id.in_(seller_ids))
        .order_by(EnquiryThread.id, EnquiryMessage.id)
    )  # fmt: skip
    asked: dict[int, tuple[int, object]] = {}
    answered: dict[int, float] = {}
    for thread_id, seller_id, buyer_id, author_id, created in rows:
        if thread_id not in asked:
            if author_id == buyer_id:
                asked[thread_id] = (seller_id, created)
            continue
        if author_id != buyer_id and thread_id not in answered:
            answered[thread_id] = _hours(asked[thread_id][1], created)
    out: dict[int, list[float | None]] = defaultdict(list)
    for thread_id, (seller_id, _created) in asked.items():
        out[seller_id].append(answered.get(thread_id))
    return out


def seller_records(seller_ids: Iterable[int]) -> dict[int, tuple[float | None, float | None]]:
    """Seller id -> (share answered, median hours to answer); sellers without a record are absent."""
    ids = {i for i in seller_ids if i is not None}
    if not ids:
        return {}
    offers, enquiries = _offer_delays(ids), _enquiry_delays(ids)
    records = {}
    for seller_id in ids:
        share, hours = answer_record(offers.get(seller_id, []) + enquiries.get(seller_id, []))
        if share is not None:
            records[seller_id] = (share, hours)
    return records
