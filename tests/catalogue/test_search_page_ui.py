"""The search page under the CSP and in the reader's eyes: no inline handlers, whole placeholder,
page messages that fit the number of pages, a meta line without a stray separator, value and offer."""

import re
from decimal import Decimal

from app.catalogue.search.models import SearchDocument
from app.extensions import db


def _page(client, **args) -> str:
    response = client.get("/catalogue/search", query_string=args, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _three(make_patent, holder):
    return [
        make_patent(holder, publication_number=f"CN 11886637{i} A", title_zh=f"电池{i}", filing_date=None,
                    publication_date=None, application_number=None)
        for i in range(3)
    ]  # fmt: skip


def test_no_inline_event_handlers_and_the_sort_select_is_wired_by_a_script(client, make_patent, holder):
    _three(make_patent, holder)
    html = _page(client, q="电池")
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "data-autosubmit" in html
    assert "/static/js/catalogue_search.js" in html


def test_placeholder_keeps_its_quoted_example(client):
    placeholder = re.search(r'id="search-q"[^>]*placeholder="([^"]*)"', _page(client)).group(1)
    assert "&#34;neural network&#34;" in placeholder or "&quot;neural network&quot;" in placeholder


def test_a_page_past_the_end_says_how_many_pages_there_are(client, make_patent, holder):
    _three(make_patent, holder)
    for number in (30, 60):
        html = _page(client, q="电池", page=number)
        assert "页码过大" not in html
        assert "没有这一页" in html
        assert "结果共 1 页" in html


def test_meta_line_does_not_start_with_a_separator(client, make_patent, holder):
    make_patent(holder, filing_date=None, publication_date=None, application_number=None, legal_status="granted",
                grant_date="2019-06-01")  # fmt: skip
    html = _page(client, q="电池")
    line = re.search(r'<p class="search-hit-dates muted">([^<]*)</p>', html).group(1)
    assert not line.strip().startswith("·")
    assert "授权" in line


def test_result_cards_show_value_and_offer(client, make_patent, holder):
    valued, offered, plain = _three(make_patent, holder)
    db.session.execute(
        db.update(SearchDocument)
        .where(SearchDocument.record_id == valued.id)
        .values(value_cny=Decimal("12500000"))
    )
    db.session.execute(
        db.update(SearchDocument)
        .where(SearchDocument.record_id == offered.id)
        .values(price_cny=Decimal("3000000"), deal_types=",licence,")
    )
    db.session.commit()
    html = _page(client, q="电池")
    chunks = re.split(r'<li class="card search-hit', html)[1:]
    by_id = {int(re.search(r'href="/patents/(\d+)"', c).group(1)): c for c in chunks}
    assert "估值约" in by_id[valued.id]
    assert "1,250万" in by_id[valued.id]
    assert "已挂牌" in by_id[offered.id]
    assert "300万" in by_id[offered.id]
    assert "search-hit-market" not in by_id[plain.id]
