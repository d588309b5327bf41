"""Needs pages: post with re-rendered errors, board and search, matches with reasons, the seller's
"buyers who need this" on the listing page, and the demo seed."""

import re

from app.extensions import db
from app.matching import services
from app.matching.models import Need
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller

FORM = {
    "title_zh": "寻求锂电池正极材料技术",
    "description_zh": "需要锂电池正极材料专利。",
    "codes": "H01M 4/00",
    "rights": ["exclusive_licence"],
    "currency": "CNY",
    "budget_min": "10万",
    "budget_max": "80万",
}
EN = {"Accept-Language": "en"}


def test_post_need_page_rerenders_errors_then_saves(client, auth, make_user):
    buyer = make_buyer(make_user)
    auth.login(buyer)
    bad = client.post("/needs/new", data={**FORM, "budget_min": "90万"}, headers=EN)
    assert bad.status_code == 422
    assert "The lowest budget is above the highest." in bad.get_data(as_text=True)
    good = client.post("/needs/new", data=FORM, headers=EN)
    assert good.status_code == 302
    need = db.session.scalar(db.select(Need))
    assert need.budget_max == 800000
    assert client.post(f"/needs/{need.id}/publish", headers=EN).status_code == 302
    assert "寻求锂电池正极材料技术" in client.get("/needs/?q=锂电池", headers=EN).get_data(as_text=True)
    assert "寻求锂电池正极材料技术" not in client.get("/needs/?q=zzz", headers=EN).get_data(as_text=True)


def test_matches_page_and_listing_include(client, auth, make_user):
    buyer = make_buyer(make_user)
    seller = make_seller(make_user)
    listing = make_listing(seller, [make_patent(seller)], "published")
    need = services.create_need(buyer, {k: v for k, v in FORM.items() if k != "currency"})
    services.transition(need, "publish", buyer)
    db.session.commit()
    auth.login(buyer)
    page = client.get(f"/needs/{need.id}", headers=EN).get_data(as_text=True)
    assert "Same IPC/CPC subgroup H01M 4/00" in page
    assert "within your budget" in page
    auth.logout()
    auth.login(seller)
    listing_page = client.get(f"/market/listings/{listing.id}", headers=EN).get_data(as_text=True)
    assert "Buyers who need this" in listing_page
    assert "寻求锂电池正极材料技术" in listing_page


def test_need_page_in_chinese_reads_as_chinese(client, auth, make_user):
    """The status said 打开 (the verb "open"), two rights were joined by an ASCII comma, a listing
    published today was "0 天前挂牌", and the owner's buttons stacked (forms inside a <p>)."""
    buyer = make_buyer(make_user)
    seller = make_seller(make_user)
    make_listing(seller, [make_patent(seller)], "published")
    need = services.create_need(
        buyer,
        {**{k: v for k, v in FORM.items() if k != "currency"}, "rights": ["exclusive_licence", "assignment"]},
    )
    services.transition(need, "publish", buyer)
    db.session.commit()
    auth.login(buyer)
    page = client.get(f"/needs/{need.id}", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "征集中" in page
    assert "打开" not in page
    assert "独占许可、转让" in page
    assert "今天挂牌" in page
    assert re.search(r"共同关键词：[^<,]+、", page)  # shared words joined the Chinese way
    assert "0 天前" not in page
    assert '<div class="button-row">' in page
    en = client.get(f"/needs/{need.id}", headers=EN).get_data(as_text=True)
    assert "Listed today" in en
    assert "Seeking offers" in en


def test_listing_include_hidden_from_other_visitors(client, make_user):
    seller = make_seller(make_user)
    listing = make_listing(seller, [make_patent(seller)], "published")
    buyer = make_buyer(make_user)
    need = services.create_need(buyer, {k: v for k, v in FORM.items() if k != "currency"})
    services.transition(need, "publish", buyer)
    db.session.commit()
    assert "Buyers who need this" not in client.get(f"/market/listings/{listing.id}", headers=EN).get_data(
        as_text=True
    )


def test_seed_posts_demo_needs_once_with_matches(runner):
    first = runner.invoke(args=["seed-demo"])
    assert "4 demo needs published" in first.output, first.output
    assert "0 demo needs published" in runner.invoke(args=["seed-demo"]).output
    needs = db.session.scalars(db.select(Need)).all()
    assert {n.is_private for n in needs} == {True, False}
    assert any(n.title_en for n in needs)
    assert any(n.title_zh for n in needs)
    battery = next(n for n in needs if n.title_zh and "正极" in n.title_zh)
    assert services.matches_for_need(battery, battery.buyer)


def test_a_bilingual_need_reads_in_the_readers_language_with_scores_in_percent(client, auth, make_user):
    """An English reader saw the Chinese title as the heading (the English one under it) and
    "Match 0.53" while the inbox said 53%."""
    buyer = make_buyer(make_user)
    seller = make_seller(make_user)
    make_listing(seller, [make_patent(seller)], "published")
    english = {"title_en": "Seeking lithium cathode technology", "description_en": "Cathode patents wanted."}
    need = services.create_need(buyer, {**{k: v for k, v in FORM.items() if k != "currency"}, **english})
    services.transition(need, "publish", buyer)
    db.session.commit()
    auth.login(buyer)
    en = client.get(f"/needs/{need.id}", headers=EN).get_data(as_text=True)
    assert "<h1>Seeking lithium cathode technology</h1>" in en
    assert en.index("Cathode patents wanted.") < en.index("需要锂电池正极材料专利。")
    assert re.search(r"Match \d{1,3}%", en)
    assert not re.search(r"Match 0\.\d", en)
    zh = client.get(f"/needs/{need.id}", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "<h1>寻求锂电池正极材料技术</h1>" in zh
    assert zh.index("需要锂电池正极材料专利。") < zh.index("Cathode patents wanted.")
    assert "Seeking lithium cathode technology" in zh  # the other version under the heading
