"""User-supplied text is escaped wherever search shows it (titles, snippets, the query itself)."""

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_titles_snippets_and_query_are_escaped(client, make_patent, holder):
    make_patent(holder, title_en=f"Battery {EVIL}", abstract_en=f"A battery cell {EVIL} with a housing.")
    page = client.get("/catalogue/search", query_string={"q": f"battery {EVIL}"}).get_data(as_text=True)
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    page = client.get("/catalogue/search", query_string={"q": "battery"}).get_data(as_text=True)
    assert "Battery" in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_money_filters_answer_on_both_databases(client, make_patent, holder):
    """Price and value filters bind exact amounts (sqlite3 cannot bind Decimal)."""
    make_patent(holder)
    for args in (
        "value_min=100&value_max=5000000",
        "price_min=1&price_max=2,000,000.50",
        "listed=1&deal=licence",
    ):
        assert client.get(f"/catalogue/search?{args}").status_code == 200
        assert client.get(f"/api/v1/patents?{args.replace(',', '')}").status_code == 200
