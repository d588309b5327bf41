"""The search page: shareable URLs, facets, highlights, tabs, empty states and bad input."""

import pytest

from tests.catalogue.test_search import corpus  # noqa: F401  (fixture)


def page(client, **args) -> str:
    response = client.get("/catalogue/search", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_search_page_lists_highlighted_hits_with_links(client, corpus):  # noqa: F811
    html = page(client, q="电池")
    cn1 = corpus["patents"]["CN1"]
    assert f'href="/patents/{cn1.id}"' in html
    assert f'href="/projects/{corpus["project"].id}"' in html
    assert "<mark>电池</mark>" in html


def test_english_phrase_with_ipc_filter_in_the_url(client, corpus):  # noqa: F811
    html = page(client, q='"fuel cell"', ipc="H01M 8")
    assert "<mark>Fuel cell</mark> stack" in html
    assert "Battery charging circuit" not in html


def test_facets_tabs_and_sorting_are_links_that_keep_the_query(client, corpus):  # noqa: F811
    html = page(client, q="battery", lang="en")
    assert "jurisdiction=US" in html
    assert "q=battery" in html
    assert "type=patent" in html
    html = page(client, q="battery", type="patent", jurisdiction="EP")
    assert "Lithium battery electrode" in html.replace("<mark>battery</mark>", "battery").replace(
        "<mark>Battery</mark>", "Battery"
    )
    assert "Battery charging circuit" not in html.replace("<mark>Battery</mark>", "Battery")


def test_pagination_links(client, corpus, app):  # noqa: F811
    html = page(client, type="patent", page=1, sort="newest")
    assert 'class="pagination"' not in html  # 7 hits fit on one page
    html = page(client, page=999)
    assert 'class="search-hit' not in html
    assert "没有这一页" in html  # 9 results fill one page: not "too far back"


def test_empty_states(client, app):
    assert "目录暂无内容" in page(client)
    html = page(client, q="nothing-like-this-exists")
    assert 'class="empty-state"' in html


@pytest.mark.parametrize(
    "args",
    [
        {"q": "x" * 201},
        {"q": '"NEAR(* -fuel OR'},
        {"q": "\x00\x01"},
        {"filed_from": "2020-13-45"},
        {"filed_from": "2021-01-01", "filed_to": "2020-01-01"},
        {"granted_to": "yesterday"},
        {"ipc": "ZZ99"},
        {"remaining": "-3"},
        {"page": "abc"},
        {"page": "0"},
        {"sort": "bogus"},
        {"type": "spaceship"},
        {"jurisdiction": "XX"},
        {"status": "zombie"},
        {"price_min": "NaN"},
        {"value_max": "1e999"},
    ],
)
def test_bad_input_gives_a_message_not_an_error(client, corpus, args):  # noqa: F811
    response = client.get("/catalogue/search", query_string=args)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if set(args) - {"page", "q"} or len(args.get("q", "")) > 200:
        assert 'class="error"' in html or "flash-warning" in html


def test_overlong_query_says_so(client, app):
    html = page(client, q="电" * 300)
    assert "搜索内容最多 200 个字符。" in html


def test_navigation_and_home_page_search_box(client, app):
    html = client.get("/").get_data(as_text=True)
    assert 'action="/catalogue/search"' in html
    assert 'href="/catalogue/search"' in html


def test_catalogue_home_url(client, app):
    assert client.get("/catalogue").status_code == 200


def test_the_page_says_which_translations_were_searched_too(client, corpus):  # noqa: F811
    html = client.get(
        "/catalogue/search", query_string={"q": "电池"}, headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "Also searched as translations" in html
    assert '<span lang="zh">电池</span> → battery' in html
    plain = client.get("/catalogue/search", query_string={"q": "CN1"}, headers={"Accept-Language": "en"})
    assert "Also searched as translations" not in plain.get_data(as_text=True)


def test_no_hit_for_all_words_shows_what_each_word_finds(client, corpus):  # noqa: F811
    """ "lithium battery" used to end at "Nothing matches" (the home page's example did); a reader
    now sees each word alone, with its count and a link when it finds something."""
    html = page(client, q="battery zeppelin", type="patent")
    assert "没有同时包含所有这些关键词的记录" in html
    words = html.split('class="plain words-alone"')[1].split("</ul>")[0]
    assert 'href="/catalogue/search?q=battery' in words
    assert "type=patent" in words  # the filters stay
    assert "zeppelin</a>" not in words  # listed without a link: it finds nothing
    assert "zeppelin" in words
    assert "0 条结果" in words
    assert "没有这一页" not in html
    single = page(client, q="zeppelin")
    assert "words-alone" not in single  # one word: nothing to try alone
