"""Alerts: a published or changed listing reaches the buyers of open needs it matches, once per pair,
after the commit, in the buyer's language; weekly buyers get one digest a week from the tick."""

import datetime as dt

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.clock import clock
from app.core.mail import DevMailboxMessage
from app.core.notifications import Notification
from app.extensions import db
from app.market import listing_services
from app.matching import alerts, services
from app.matching.alert_models import NeedAlert
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller

NEED = {
    "title_zh": "寻求锂电池正极材料技术",
    "description_zh": "需要锂电池正极材料专利，用于电动汽车。",
    "codes": "H01M 4/00",
    "rights": ["exclusive_licence"],
    "budget_max": "80万",
}
EN = {"Accept-Language": "en"}


def open_need(buyer, **overrides):
    need = services.create_need(buyer, {**NEED, **overrides})
    services.transition(need, "publish", buyer)
    db.session.commit()
    return need


def alerts_of(user, kind="need_match"):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    ).all()


def mails_to(user):
    return db.session.scalars(
        select(DevMailboxMessage).where(DevMailboxMessage.recipient == user.email)
    ).all()


def test_publishing_a_matching_listing_alerts_the_buyer_once_in_their_language(make_user):
    buyer = make_buyer(make_user)
    buyer.locale = "zh"
    db.session.commit()
    need = open_need(buyer)
    seller = make_seller(make_user)
    listing = make_listing(seller, [make_patent(seller)], "published")

    [note] = alerts_of(buyer)
    assert note.link == f"/market/listings/{listing.id}"
    assert "寻求锂电池正极材料技术" in note.title
    assert "同" in note.body or "IPC" in note.body  # the reasons, in Chinese
    [mail] = mails_to(buyer)
    assert "寻求锂电池正极材料技术" in mail.subject
    alert = db.session.scalar(select(NeedAlert))
    assert (alert.need_id, alert.listing_id, alert.buyer_id) == (need.id, listing.id, buyer.id)
    assert alert.score >= need.alert_min_score

    # A later edit of the published listing, and the handler run again, alert nobody twice.
    listing_services.update_listing(listing, seller, {"summary_en": "Now with 20% more energy."})
    db.session.commit()
    alerts.handle_alerts({"listing_ids": [listing.id], "need_ids": [need.id]})
    db.session.commit()
    assert len(alerts_of(buyer)) == 1
    assert db.session.scalar(select(func.count(NeedAlert.id))) == 1
    assert not alerts_of(seller)


def test_english_reader_gets_english_reasons(make_user):
    buyer = make_buyer(make_user)
    buyer.locale = "en"
    db.session.commit()
    open_need(buyer)
    seller = make_seller(make_user)
    make_listing(seller, [make_patent(seller)], "published")
    [note] = alerts_of(buyer)
    with force_locale("en"):  # the inbox renders in the reader's language
        assert "A new listing matches your need" in note.title
        assert "Same IPC/CPC subgroup H01M 4/00" in note.body
        assert "within your budget" in note.body
    [mail] = mails_to(buyer)
    assert "A new listing matches your need" in mail.subject
    assert "Same IPC/CPC subgroup H01M 4/00" in mail.text_body


def test_the_pair_is_unique_in_the_database(make_user):
    buyer = make_buyer(make_user)
    need = open_need(buyer)
    seller = make_seller(make_user)
    listing = make_listing(seller, [make_patent(seller)], "published")
    db.session.add(
        NeedAlert(need_id=need.id, listing_id=listing.id, buyer_id=buyer.id, score=90, frequency="x")
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_alerts_run_after_the_commit_not_in_the_request(make_user):
    buyer = make_buyer(make_user)
    open_need(buyer)
    seller = make_seller(make_user)
    listing = make_listing(seller, [make_patent(seller)], "submitted")
    listing_services._publish(listing, seller)
    db.session.flush()
    assert db.session.scalar(select(func.count(NeedAlert.id))) == 0
    db.session.commit()
    assert db.session.scalar(select(func.count(NeedAlert.id))) == 1


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"alert_min_score": "95", "budget_max": "10万"}, "threshold"),
        ({"alert_frequency": "off"}, "alerts off"),
    ],
)
def test_no_alert_below_the_threshold_or_when_off(make_user, overrides, why):
    buyer = make_buyer(make_user)
    open_need(buyer, **overrides)
    seller = make_seller(make_user)
    make_listing(seller, [make_patent(seller)], "published")
    assert not alerts_of(buyer), why


def test_never_the_seller_themself_nor_a_listing_the_buyer_cannot_see(make_user):
    seller = make_seller(make_user)
    colleague = make_user(organisation=None)
    colleague.organisation_id = seller.organisation_id
    db.session.commit()
    open_need(seller)
    open_need(colleague)
    buyer = make_buyer(make_user)
    open_need(buyer)
    draft = make_listing(seller, [make_patent(seller)], "draft")
    listing_services.update_listing(draft, seller, {"summary_en": "Changed while a draft."})
    db.session.commit()
    assert not alerts_of(buyer)  # a draft is private to the seller's side
    listing_services.submit_listing(draft, seller)
    listing_services._publish(draft, seller)
    db.session.commit()
    assert len(alerts_of(buyer)) == 1
    assert not alerts_of(seller)
    assert not alerts_of(colleague)


def test_opening_a_need_alerts_about_listings_already_published(make_user):
    seller = make_seller(make_user)
    listing = make_listing(seller, [make_patent(seller)], "published")
    buyer = make_buyer(make_user)
    need = services.create_need(buyer, NEED)
    db.session.commit()
    assert not alerts_of(buyer)  # a draft need alerts nobody
    services.transition(need, "publish", buyer)
    db.session.commit()
    [note] = alerts_of(buyer)
    assert note.link == f"/market/listings/{listing.id}"


def test_weekly_buyers_get_one_digest_a_week(make_user, frozen_clock):
    frozen_clock.freeze(dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC))  # Tuesday of ISO week 49
    buyer = make_buyer(make_user)
    buyer.locale = "en"
    db.session.commit()
    open_need(buyer, alert_frequency="weekly")
    seller = make_seller(make_user)
    make_listing(seller, [make_patent(seller)], "published")
    assert not alerts_of(buyer)  # nothing immediate
    assert alerts.send_digests() == 1
    db.session.commit()
    [digest] = alerts_of(buyer, "need_digest")
    with force_locale("en"):
        assert "1 new listings match your needs" in digest.body
    assert "锂电池正极材料独占许可" in digest.body
    assert "Same IPC/CPC subgroup H01M 4/00" in digest.body

    frozen_clock.freeze(dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC))  # same week: a second listing waits
    make_listing(seller, [make_patent(seller)], "published", title_en="Second cathode")
    assert alerts.send_digests() == 0
    db.session.commit()
    assert len(alerts_of(buyer, "need_digest")) == 1

    frozen_clock.freeze(dt.datetime(2026, 12, 8, 9, tzinfo=dt.UTC))  # next week
    assert alerts.send_digests() == 1
    assert alerts.send_digests() == 0
    db.session.commit()
    assert len(alerts_of(buyer, "need_digest")) == 2
    assert clock.now().isocalendar()[1] == 50


def test_need_form_edits_the_alert_settings_with_messages(client, auth, make_user):
    buyer = make_buyer(make_user)
    need = open_need(buyer)
    auth.login(buyer)
    form = {**NEED, "currency": "CNY", "budget_max": "80万", "alert_frequency": "weekly"}
    bad = client.post(f"/needs/{need.id}/edit", data={**form, "alert_min_score": "150"}, headers=EN)
    assert bad.status_code == 422
    assert "Enter a whole number from 1 to 100." in bad.get_data(as_text=True)
    zh = client.post(
        f"/needs/{need.id}/edit", data={**form, "alert_min_score": "x"}, headers={"Accept-Language": "zh"}
    )
    assert "请输入 1 到 100 之间的整数。" in zh.get_data(as_text=True)
    assert client.post(f"/needs/{need.id}/edit", data={**form, "alert_min_score": "70"}).status_code == 302
    db.session.refresh(need)
    assert (need.alert_min_score, need.alert_frequency) == (70, "weekly")
    assert 'value="70"' in client.get(f"/needs/{need.id}/edit", headers=EN).get_data(as_text=True)


def test_a_concurrent_winner_keeps_the_second_handler_from_notifying(make_user):
    """Two workers handle publishes of the same listing: the one whose insert loses sends nothing."""
    buyer = make_buyer(make_user)
    need = open_need(buyer)
    seller = make_seller(make_user)
    listing = make_listing(seller, [make_patent(seller)], "submitted")
    with db.engine.begin() as other_worker:  # the other worker's insert is committed first
        other_worker.execute(
            NeedAlert.__table__.insert().values(
                need_id=need.id, listing_id=listing.id, buyer_id=buyer.id, score=90, reasons=[],
                frequency="immediate", created_at=clock.now(),
            )
        )  # fmt: skip
    listing_services._publish(listing, seller)
    db.session.commit()  # this worker's handler runs now, and loses the insert
    assert db.session.scalar(select(func.count(NeedAlert.id))) == 1
    assert not alerts_of(buyer)


def test_api_reads_and_changes_the_alert_settings(client, make_user):
    from app.accounts.services import create_api_token

    buyer = make_buyer(make_user)
    need = open_need(buyer)
    _t, token = create_api_token(buyer, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}", **EN}
    url = f"/api/v1/needs/{need.id}"
    assert client.get(url, headers=headers).get_json()["alert_min_score"] == 50
    bad = client.patch(url, json={"alert_min_score": 0, "alert_frequency": "hourly"}, headers=headers)
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"alert_min_score", "alert_frequency"}
    good = client.patch(url, json={"alert_min_score": 80, "alert_frequency": "weekly"}, headers=headers)
    assert (good.get_json()["alert_min_score"], good.get_json()["alert_frequency"]) == (80, "weekly")


def test_reasons_are_joined_with_the_separator_of_the_readers_language(app):
    alert = NeedAlert(
        reasons=[
            {
                "factor": "classification",
                "points": 0.4,
                "reason": "class_subclass",
                "params": {"code": "H01M"},
            },
            {"factor": "text", "points": 0.2, "reason": "text_translated", "params": {}},
        ]
    )
    with force_locale("zh"):
        text = alerts.reasons_text(alert, "CNY")
    assert "；" in text
    assert ";" not in text
    with force_locale("en"):
        assert "H01M; Matches your need" in alerts.reasons_text(alert, "CNY")


def test_an_off_topic_listing_alerts_nobody_however_well_it_is_priced(make_user):
    """The only listing on the market shares a common word with the need and not its field: with
    text marks relative to the pool's best it took the full text weight and crossed the threshold."""
    buyer = make_buyer(make_user)
    need = open_need(buyer)
    seller = make_seller(make_user)
    paving = make_patent(
        seller,
        subclass="E01C",
        title_zh="一种沥青路面加铺施工方法",
        title_en="Asphalt road overlay paving method",
        first_claim="A paving method comprising ...",
    )
    listing = make_listing(
        seller,
        [paving],
        "published",
        title_zh="路面加铺专利独占许可",
        title_en="Exclusive licence: road overlay",
        summary_zh="提升路面材料寿命。",
        summary_en="Longer-lasting road surface material.",
    )
    assert listing.status == "published"
    assert not alerts_of(buyer)
    for _listing, match in services.matches_for_need(need, buyer):  # at most a weak one
        assert alerts.percent(match) < need.alert_min_score
        text = next(c for c in match.contributions if c.factor == "text")
        assert "专利" not in text.params.get("terms", "")  # "patent" tells nothing on a patent market
