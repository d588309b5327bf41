"""Project and expert services: validation, ownership, linked patents, accounts and conflicts."""

from decimal import Decimal

import pytest

from app.accounts.models import Role
from app.catalogue import people_services
from app.catalogue.errors import ValidationFailed
from app.catalogue.records import ExpertRecord, ProjectRecord, SourceRef
from app.core.errors import PermissionDenied

from .conftest import GOOD_EXPERT, GOOD_PROJECT


def test_project_money_is_exact_and_patents_link(holder, make_patent):
    make_patent(holder)
    project = people_services.create_project(holder, {**GOOD_PROJECT, "linked_patents": ["CN 118866379 A"]})
    assert project.funding_amount == Decimal("5000000.00")
    assert project.funding_currency == "CNY"
    assert [p.publication_number for p in project.patents] == ["CN118866379"]
    assert project.reference.startswith("PRJ-")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"funding_amount": "-5"}, "funding_amount"),
        ({"funding_amount": "1.234"}, "funding_amount"),
        ({"funding_amount": "abc"}, "funding_amount"),
        ({"funding_currency": ""}, "funding_currency"),
        ({"trl": 12}, "trl"),
        ({"stage": "done"}, "stage"),
        ({"seeking": ["love"]}, "seeking"),
        ({"linked_patents": ["CN 999999999 A"]}, "linked_patents"),
        ({"linked_patents": ["nonsense"]}, "linked_patents"),
        ({"title_zh": "", "title_en": ""}, "title_en"),
    ],
)
def test_project_bad_input(holder, change, field):
    with pytest.raises(ValidationFailed) as caught:
        people_services.create_project(holder, {**GOOD_PROJECT, **change})
    assert field in caught.value.fields


def test_project_edit_permissions(make_project, holder, other_holder, admin):
    project = make_project(holder)
    with pytest.raises(PermissionDenied):
        people_services.update_project(project, other_holder, {"trl": 6})
    assert people_services.update_project(project, admin, {"trl": 6}) == {"trl": (5, 6)}


def test_project_upsert_by_owner_and_reference(holder):
    record = ProjectRecord(
        reference="P-1", title_zh="项目", title_en=None, source=SourceRef("p.csv", "line 2")
    )
    first, outcome = people_services.upsert_project_record(record, holder)
    assert outcome == "created"
    assert people_services.upsert_project_record(record, holder) == (first, "unchanged")


def test_expert_specialties_become_subclasses(holder):
    expert = people_services.create_expert(holder, GOOD_EXPERT)
    assert expert.specialties_ipc == ["H01M", "G06F"]
    assert expert.industries == ["Energy storage"]
    assert [(c.organisation, c.relation) for c in expert.conflicts] == [("Acme Battery Co", "advised 2023")]
    assert expert.owner == holder


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": " "}, "name"),
        ({"specialties_ipc": ["Q12"]}, "specialties_ipc"),
        ({"languages": ["chinese"]}, "languages"),
        ({"fee_amount": "100"}, "fee_currency"),
        ({"availability": "sometimes"}, "availability"),
        ({"user_email": "nobody@example.com"}, "user_email"),
    ],
)
def test_expert_bad_input(holder, change, field):
    with pytest.raises(ValidationFailed) as caught:
        people_services.create_expert(holder, {**GOOD_EXPERT, **change})
    assert field in caught.value.fields


def test_expert_links_only_own_account_unless_admin(holder, admin, make_user):
    assessor = make_user(email="assessor@example.com", roles=(Role.ASSESSOR,))
    with pytest.raises(ValidationFailed):
        people_services.create_expert(holder, {**GOOD_EXPERT, "user_email": assessor.email})
    expert = people_services.create_expert(admin, {**GOOD_EXPERT, "user_email": assessor.email})
    assert expert.user == assessor
    with pytest.raises(ValidationFailed):
        people_services.create_expert(admin, {**GOOD_EXPERT, "user_email": assessor.email})


def test_linking_does_not_reveal_which_addresses_have_accounts(holder, make_user):
    """A non-admin gets one answer for a taken and a free address that are not their own."""
    make_user(email="taken@example.com")
    answers = []
    for email in ("taken@example.com", "free@example.com"):
        with pytest.raises(ValidationFailed) as caught:
            people_services.create_expert(holder, {**GOOD_EXPERT, "user_email": email})
        answers.append(caught.value.fields)
    assert answers[0] == answers[1]


def test_anonymous_cannot_add_expert(app):
    from flask_login import AnonymousUserMixin

    with pytest.raises(PermissionDenied):
        people_services.create_expert(AnonymousUserMixin(), GOOD_EXPERT)


def test_expert_upsert_by_reference(admin):
    record = ExpertRecord(
        reference="E-1", name="李雪", source=SourceRef("e.json", "record 1"), specialties_ipc=("G06F",)
    )
    expert, outcome = people_services.upsert_expert_record(record, admin)
    assert outcome == "created"
    assert people_services.upsert_expert_record(record, admin) == (expert, "unchanged")
