"""A project's links never reveal a hidden patent: not when linking, not on the page, not in the API."""

import re

import pytest

from app.catalogue import people_services, services
from app.catalogue.errors import ValidationFailed
from app.extensions import db
from tests.catalogue.conftest import GOOD_PROJECT

HIDDEN_MARKS = ("118866379", "一种锂离子电池", "Lithium-ion battery")  # number and titles


@pytest.fixture
def hidden_patent(make_patent, other_holder, admin):
    patent = make_patent(other_holder)
    services.moderate(patent, admin, "hide", "Duplicate record")
    db.session.commit()
    return patent


def test_linking_a_hidden_patent_of_another_owner_is_refused_as_unknown(holder, hidden_patent):
    with pytest.raises(ValidationFailed) as refused:
        people_services.create_project(holder, {**GOOD_PROJECT, "linked_patents": ["CN 118866379 A"]})
    assert "CN118866379" in refused.value.fields["linked_patents"]  # same message as an unknown number


def test_linking_through_the_form_is_refused(client, auth, holder, hidden_patent):
    auth.login(holder)
    form = {"title_zh": "项目", "stage": "pilot", "linked_patents": "CN 118866379 A"}
    response = client.post("/projects/new", data=form)
    assert response.status_code == 400  # the form again, with the error
    assert 'id="linked_patents-error"' in response.get_data(as_text=True)
    assert (
        db.session.scalar(db.select(db.func.count()).select_from(db.metadata.tables["innovation_projects"]))
        == 0
    )


def test_the_owner_and_admins_may_link_it(other_holder, admin, hidden_patent):
    own = people_services.create_project(other_holder, {**GOOD_PROJECT, "linked_patents": ["CN 118866379 A"]})
    assert own.patents == [hidden_patent]
    by_admin = people_services.create_project(
        admin, {**GOOD_PROJECT, "reference": "ADM-1", "linked_patents": ["CN 118866379 A"]}
    )
    assert by_admin.patents == [hidden_patent]


@pytest.fixture
def project_linking_a_later_hidden_patent(make_patent, make_project, holder, other_holder, admin):
    """Linked while the patent was public; hidden afterwards."""
    patent = make_patent(other_holder)
    project = make_project(holder, linked_patents=["CN 118866379 A"])
    services.moderate(patent, admin, "hide", "Duplicate record")
    db.session.commit()
    return project


@pytest.mark.parametrize("who", ["anonymous", "holder", "buyer"])
def test_page_and_api_hide_the_link_from_those_who_may_not_see_the_patent(
    client, auth, project_linking_a_later_hidden_patent, holder, buyer, who
):
    project = project_linking_a_later_hidden_patent
    if who != "anonymous":
        auth.login({"holder": holder, "buyer": buyer}[who])
    page = client.get(f"/projects/{project.id}")
    assert page.status_code == 200
    assert not [mark for mark in HIDDEN_MARKS if mark in page.get_data(as_text=True)]
    assert client.get(f"/api/v1/projects/{project.id}").get_json()["linked_patents"] == []
    listed = client.get("/api/v1/projects").get_json()["items"]
    assert [item["linked_patents"] for item in listed] == [[]]


@pytest.mark.parametrize("who", ["other_holder", "admin"])
def test_page_and_api_show_the_link_to_who_may_see_it(
    client, auth, project_linking_a_later_hidden_patent, other_holder, admin, who
):
    project = project_linking_a_later_hidden_patent
    auth.login({"other_holder": other_holder, "admin": admin}[who])
    assert HIDDEN_MARKS[0] in client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert client.get(f"/api/v1/projects/{project.id}").get_json()["linked_patents"] == ["CN118866379"]


def test_editing_keeps_a_link_the_editor_cannot_see_without_showing_it(
    client, auth, project_linking_a_later_hidden_patent, holder
):
    project = project_linking_a_later_hidden_patent
    assert people_services.project_values(project, holder)["linked_patents"] == []
    auth.login(holder)
    form = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    assert re.search(r'name="linked_patents">\s*</textarea>', form)
    assert people_services.update_project(project, holder, {"trl": 6}) == {"trl": (5, 6)}
    db.session.commit()
    assert [p.publication_number for p in project.patents] == ["CN118866379"]
