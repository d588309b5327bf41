"""The patent page's shared parts (rendered once per data version for every viewer who may not edit
the patent) never carry an editor's controls to other viewers, nor hide them from the editor."""

from app.extensions import db
from tests.conftest import DEFAULT_PASSWORD, view_in_order

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


def test_expert_page_editor_and_others_in_either_order(app, client, make_expert, holder, buyer):
    """The expert page's head, sections and side column are shared by viewers who may not edit it."""
    expert = make_expert(holder)
    path = f"/experts/{expert.id}"
    viewers = {holder.email: holder, buyer.email: buyer, "visitor": None}
    for order in ((1, 0, 2), (2, 0, 1), (0, 2, 1)):
        pages = view_in_order(app, viewers, path, order)
        assert f"/experts/{expert.id}{EDIT_LINK}" in pages[holder.email]
        for other in (buyer.email, "visitor"):
            assert f"/experts/{expert.id}{EDIT_LINK}" not in pages[other]
        for page in pages.values():
            assert "Wang Ping" in page
            assert "Acme Battery Co" in page  # the declared conflicts, read lazily when rendered


def test_project_page_editor_and_others_in_either_order(
    app, client, make_project, make_patent, holder, other_holder, buyer, admin
):
    """The project's head and facts are shared; the linked patents each viewer may see stay theirs:
    the owner of a hidden linked patent sees it, nobody else does, whoever viewed the page first."""
    from app.catalogue import services

    hidden = make_patent(other_holder)
    project = make_project(holder, linked_patents=[hidden.publication_number])
    services.moderate(hidden, admin, "hide", "Duplicate record")
    db.session.commit()
    path = f"/projects/{project.id}"
    viewers = {holder.email: holder, other_holder.email: other_holder, buyer.email: buyer, "visitor": None}
    for order in ((1, 2, 0, 3), (3, 2, 0, 1)):
        pages = view_in_order(app, viewers, path, order)
        assert f"/projects/{project.id}{EDIT_LINK}" in pages[holder.email]
        assert "Lithium-ion battery" in pages[other_holder.email]
        for other in (buyer.email, "visitor", other_holder.email):
            assert f"/projects/{project.id}{EDIT_LINK}" not in pages[other]
        for other in (buyer.email, "visitor", holder.email):
            assert "Lithium-ion battery" not in pages[other]
        for page in pages.values():
            assert "Solid-state battery pilot" in page
