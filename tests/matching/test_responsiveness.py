"""Seller responsiveness: the share of offers and enquiries answered and the median time to answer,
gathered from the market's tables, scored by a pure strategy and shown as a reason."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.market import enquiries
from app.market import offer_services as offers
from app.matching import services
from app.matching.engine import Candidate, NeedProfile, rank
from app.matching.engine.record import answer_record
from app.matching.responsiveness import seller_records
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller

EN = {"Accept-Language": "en"}


def test_answer_record_is_share_and_median():
    assert answer_record([]) == (None, None)
    assert answer_record([10.0, None, 50.0, 30.0]) == (0.75, 30.0)
    assert answer_record([None]) == (0.0, None)


def test_strategy_prefers_the_seller_who_answers_and_says_how_fast():
    fast = Candidate(1, "x", seller_answer_share=1.0, seller_median_hours=40.0)
    slow = Candidate(2, "x", seller_answer_share=0.5, seller_median_hours=24 * 10)
    unknown = Candidate(3, "x")
    found = rank(NeedProfile("x"), [slow, unknown, fast], weights={"responsiveness": 1.0})
    assert [m.candidate_id for m in found] == [1, 2, 3]
    reason = found[0].contributions[0]
    assert (reason.reason, reason.params) == ("seller_answers_within_days", {"days": "2", "share": "100"})
    assert found[2].contributions[0].reason == "responsiveness_unknown"


@pytest.fixture
def market(make_user):
    seller = make_seller(make_user)
    buyers = [make_buyer(make_user, name=f"Buyer {i}") for i in range(3)]
    listing = make_listing(seller, [make_patent(seller)], "published", floor_amount="100000")
    # Offer 1: rejected after 40 hours. Offer 2: expired unanswered.
    rejected = offers.make_offer(listing=listing, buyer=buyers[0], price="400000", actor=buyers[0])
    offers.reject_offer(rejected, seller)
    rejected.created_at = rejected.answered_at - timedelta(hours=40)
    lapsed = offers.make_offer(listing=listing, buyer=buyers[1], price="400000", actor=buyers[1])
    lapsed.status = "expired"
    # An enquiry answered after 48 hours.
    thread = enquiries.open_thread(buyers[2], listing=listing)
    question = enquiries.post_message(thread, buyers[2], "Is there pilot data?")
    answer = enquiries.post_message(thread, seller, "Yes.")
    question.created_at = answer.created_at - timedelta(hours=48)
    db.session.commit()
    return {"seller": seller, "buyer": buyers[0], "listing": listing}


def test_service_gathers_offers_and_enquiries(market):
    share, hours = seller_records([market["seller"].id])[market["seller"].id]
    assert share == pytest.approx(2 / 3)
    assert hours == pytest.approx(44.0)


def test_need_page_shows_the_responsiveness_reason(client, auth, make_user, market):
    buyer = make_buyer(make_user, name="Need Co")
    need = services.create_need(
        buyer, {"title_zh": "锂电池正极材料", "description_zh": "需要锂电池正极材料专利。", "codes": "H01M"}
    )
    services.transition(need, "publish", buyer)
    db.session.commit()
    auth.login(buyer)
    page = client.get(f"/needs/{need.id}", headers=EN).get_data(as_text=True)
    assert "The seller usually answers within 2 days (67% answered)" in page
    zh = client.get(f"/needs/{need.id}", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "卖方通常在2天内答复" in zh
