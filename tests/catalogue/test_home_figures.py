"""The home page shows what the catalogue holds."""

from app.catalogue import services
from app.extensions import db


def test_home_counts_published_records(client, make_patent, make_project, make_expert, holder, admin):
    make_patent(holder)
    hidden = make_patent(holder, publication_number="CN118866380A")
    make_project(holder)
    make_expert(holder)
    services.moderate(hidden, admin, "hide", "duplicate")
    db.session.commit()
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<span class="figure-value">1</span><span class="figure-label">patents in the catalogue' in page
    assert '<span class="figure-value">1</span><span class="figure-label">innovation projects' in page
    assert "total fair value of 0 valued patents" in page


def test_home_renders_on_an_empty_catalogue(client):
    page = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "件专利在库" in page
