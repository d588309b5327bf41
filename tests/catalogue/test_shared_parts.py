"""The patent page's shared parts (rendered once per data version for every viewer who may not edit
the patent) never carry an editor's controls to other viewers, nor hide them from the editor."""

from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD

EDIT_LINK = "/edit"


def _view(app, user, path: str) -> str:
    client = app.test_client()  # isolated (the `client` fixture set the class), one session per viewer
    if user is not None:
        client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    return client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_editor_and_other_viewers_each_see_their_own_patent_page(app, client, make_patent, holder, buyer):
    patent = make_patent(holder)
    db.session.commit()
    path = f"/patents/{patent.id}"
    for order in ((buyer, holder, None), (holder, buyer, None)):
        pages = {getattr(user, "email", "visitor"): _view(app, user, path) for user in order}
        assert f"/patents/{patent.id}{EDIT_LINK}" in pages[holder.email]
        assert f"/patents/{patent.id}{EDIT_LINK}" not in pages[buyer.email]
        assert f"/patents/{patent.id}{EDIT_LINK}" not in pages["visitor"]
        assert "Lithium-ion battery" in pages[buyer.email]
        assert "Lithium-ion battery" in pages["visitor"]
