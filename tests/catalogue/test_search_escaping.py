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
