"""Auction pages name the listing in the reader's language (they showed the Chinese title on English pages)."""

import pytest

from tests.market.auction_support import make_auction, make_seller


@pytest.fixture
def auction(app, frozen_clock, make_user):
    return make_auction(make_seller(make_user))


@pytest.mark.parametrize(("lang", "shown", "hidden"), [("en", "Auctioned test patent", "测试拍卖专利"),
                                                       ("zh", "测试拍卖专利", "Auctioned test patent")])  # fmt: skip
def test_auction_pages_use_the_title_in_the_page_language(client, auction, lang, shown, hidden):
    for url in (f"/market/auctions/{auction.id}", "/market/auctions"):
        html = client.get(url, headers={"Accept-Language": lang}).get_data(as_text=True)
        assert shown in html, url
        assert hidden not in html, url
