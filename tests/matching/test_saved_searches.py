"""Saved searches: save from the search page, list, rename, delete, open; the tick tells the owner about
each new matching record once; the API; bilingual field messages."""

from sqlalchemy import select

from app.accounts.services import create_api_token
from app.catalogue import services as catalogue
from app.core.notifications import Notification
from app.extensions import db
from app.matching import saved_searches
from app.matching.alert_models import SavedSearch, SavedSearchHit
from tests.catalogue.conftest import GOOD_PATENT
from tests.market.listing_support import make_buyer

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh"}


def add_patent(number: str, **changes):
    patent = catalogue.create_patent(None, {**GOOD_PATENT, "publication_number": number, **changes})
    db.session.commit()
    return patent


def news_of(user):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.kind == "saved_search_news")
    ).all()


def test_save_from_the_search_page_then_rename_open_and_delete(client, auth, make_user):
    add_patent("CN 118866379 A")
    buyer = make_buyer(make_user)
    auth.login(buyer)
    page = client.get("/catalogue/search?q=锂离子电池&type=patent", headers=EN).get_data(as_text=True)
    assert "Save this search as" in page
    empty = client.post("/saved-searches/", data={"name": " ", "query": "q=锂离子电池"}, headers=EN)
    assert empty.status_code == 422
    assert "Give the search a name." in empty.get_data(as_text=True)
    zh = client.post("/saved-searches/", data={"name": "电池", "query": ""}, headers=ZH)
    assert zh.status_code == 422
    assert "请先输入搜索词或选择筛选条件，再保存搜索。" in zh.get_data(as_text=True)
    saved = client.post("/saved-searches/", data={"name": "Batteries", "query": "q=锂离子电池&type=patent"})
    assert saved.status_code == 302
    again = client.post("/saved-searches/", data={"name": "Batteries", "query": "q=x"}, headers=EN)
    assert "You already have a saved search with this name." in again.get_data(as_text=True)

    row = db.session.scalar(select(SavedSearch))
    assert row.args == {"q": ["锂离子电池"], "type": ["patent"]}
    assert db.session.scalar(select(SavedSearchHit.baseline))  # today's results are not news
    assert "Batteries" in client.get("/saved-searches/", headers=EN).get_data(as_text=True)
    opened = client.get(f"/saved-searches/{row.id}")
    assert opened.status_code == 302
    assert opened.headers["Location"].startswith("/catalogue/search?q=%E9%94%82")
    assert client.post(f"/saved-searches/{row.id}/rename", data={"name": ""}, headers=EN).status_code == 422
    assert client.post(f"/saved-searches/{row.id}/rename", data={"name": "Cells"}).status_code == 302
    db.session.refresh(row)
    assert row.name == "Cells"
    assert client.post(f"/saved-searches/{row.id}/delete").status_code == 302
    assert db.session.scalar(select(SavedSearch)) is None


def test_the_tick_tells_the_owner_about_each_new_record_once(make_user):
    add_patent("CN 118866379 A")
    buyer = make_buyer(make_user)
    buyer.locale = "en"
    saved_searches.save_search(buyer, "Batteries", {"q": "锂离子电池"})
    db.session.commit()
    assert saved_searches.check_saved_searches() == 0  # the baseline is not news
    add_patent("CN 118866390 A", title_zh="一种锂离子电池的正极", title_en="Cathode of a lithium-ion battery")
    add_patent(
        "CN 118866391 A",
        title_zh="一种齿轮箱",
        title_en="Gearbox",
        abstract_zh="齿轮。",
        ipc_codes=["F16H 1/00"],
    )
    assert saved_searches.check_saved_searches() == 1
    db.session.commit()
    assert saved_searches.check_saved_searches() == 0
    db.session.commit()
    [note] = news_of(buyer)
    assert "Batteries" in note.title
    assert "一种锂离子电池的正极" in note.body
    assert "齿轮箱" not in note.body
    assert note.link.startswith("/catalogue/search?q=")


def test_saved_searches_api(client, make_user):
    buyer = make_buyer(make_user)
    other = make_buyer(make_user, name="Other Co")
    _t, token = create_api_token(buyer, "test")
    _t, other_token = create_api_token(other, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}", **EN}
    bad = client.post("/api/v1/saved-searches", json={"name": "", "args": {}}, headers=headers)
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) >= {"name", "args"}
    made = client.post(
        "/api/v1/saved-searches",
        json={"name": "Cathodes", "args": {"q": "正极", "ipc": "H01M"}},
        headers=headers,
    )
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["args"] == {"q": ["正极"], "ipc": ["H01M"]}
    listed = client.get("/api/v1/saved-searches", headers=headers).get_json()
    assert [s["name"] for s in listed] == ["Cathodes"]
    assert (
        client.get("/api/v1/saved-searches", headers={"Authorization": f"Bearer {other_token}"}).get_json()
        == []
    )
    url = f"/api/v1/saved-searches/{body['id']}"
    assert client.delete(url, headers={"Authorization": f"Bearer {other_token}"}).status_code == 404
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get("/api/v1/saved-searches", headers=headers).get_json() == []
