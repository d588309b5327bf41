"""The bank details of the pay panel are in the reader's language: zh readers saw the English config values."""

import re

import pytest

from tests.market.deal_support import build_market
from tests.payments.support import signed_deal


@pytest.fixture
def market(app, make_user, frozen_clock):
    with app.test_request_context():
        market = build_market(make_user)
        market.deal = signed_deal(market)
    return market


def _bank_facts(client, deal, lang: str) -> str:
    page = client.get(f"/market/deals/{deal.id}", headers={"Accept-Language": lang}).get_data(as_text=True)
    section = page[page.index('id="pay-h"') :]
    return section[: section.index("</dl>")]


def test_bank_details_follow_the_readers_language(client, auth, market):
    auth.login(market.buyer)
    client.post(f"/payments/deals/{market.deal.id}/start")
    zh = _bank_facts(client, market.deal, "zh")
    assert "<dt>户名</dt><dd>IPEX 知识产权交易平台有限公司</dd>" in zh
    assert "<dt>开户银行</dt><dd>中国银行</dd>" in zh
    assert not re.search(r"Bank of China|Platform Ltd|PAYMENTS_", zh)
    en = _bank_facts(client, market.deal, "en")
    assert "<dt>Account name</dt><dd>IPEX Platform Ltd</dd>" in en
    assert "<dt>Bank</dt><dd>Bank of China</dd>" in en


def test_a_language_left_empty_falls_back_to_the_other(app, client, auth, market):
    app.config["PAYMENTS_BANK_NAME_ZH"] = ""
    auth.login(market.buyer)
    client.post(f"/payments/deals/{market.deal.id}/start")
    assert "<dt>开户银行</dt><dd>Bank of China</dd>" in _bank_facts(client, market.deal, "zh")
