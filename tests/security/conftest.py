"""Security fixtures: a user in each role, and API token headers."""

import pytest

import app.models  # noqa: F401  (every table on the metadata before the PostgreSQL database is created)
from app.accounts.models import Role
from app.accounts.services import create_api_token
from app.extensions import db


@pytest.fixture
def holder(make_user):
    return make_user(email="holder@example.com", roles=(Role.RIGHTS_HOLDER,))


@pytest.fixture
def bearer():
    """bearer(user) -> headers carrying a fresh personal API token for that user."""

    def headers(user) -> dict:
        _token, plaintext = create_api_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {plaintext}", "Accept": "application/json"}

    return headers


# --- a small world for the route crawl and the authorization matrix -------------------------

ROLES = ("anonymous", "admin", "assessor", "rights_holder", "buyer")


@pytest.fixture
def world(app, make_user):
    """One user per role and one record of every kind (the rights-holder owns them; a second
    holder owns a hidden patent), with the valuation models' parameter sets active."""
    from app.catalogue import people_services, services
    from app.valuation.seed import seed_closed_deals, seed_parameter_sets
    from tests.catalogue.conftest import GOOD_EXPERT, GOOD_PATENT, GOOD_PROJECT

    users = {
        "admin": make_user(email="admin@example.com", roles=(Role.ADMIN,)),
        "assessor": make_user(email="assessor@example.com", roles=(Role.ASSESSOR,)),
        "rights_holder": make_user(email="holder@example.com", roles=(Role.RIGHTS_HOLDER,)),
        "buyer": make_user(email="buyer@example.com", roles=(Role.BUYER,)),
    }
    stranger = make_user(email="stranger@example.com", roles=(Role.RIGHTS_HOLDER,))
    owner = users["rights_holder"]
    patent = services.create_patent(None, GOOD_PATENT, owner=owner)
    hidden = services.create_patent(
        None, {**GOOD_PATENT, "publication_number": "CN118866380A"}, owner=stranger
    )
    db.session.flush()
    services.moderate(hidden, None, "hide", "Under review")
    project = people_services.create_project(None, GOOD_PROJECT, owner=owner)
    expert = people_services.create_expert(None, GOOD_EXPERT, owner=owner)
    token, _plaintext = create_api_token(owner, "crawl")
    from app.catalogue.import_models import DONE, ImportJob

    job = ImportJob(
        user=owner, file_name="p.csv", stored_path="imports/0/p.csv", requested_format="auto", status=DONE
    )
    db.session.add(job)
    seed_parameter_sets(lambda _line: None)
    seed_closed_deals(lambda _line: None)  # as in the demo: market comparables need deals
    db.session.commit()
    from app.valuation.models import ParameterSet

    ids = {
        "patent_id": patent.id,
        "record_id": patent.id,
        "job_id": job.id,
        "project_id": project.id,
        "expert_id": expert.id,
        "user_id": owner.id,
        "organisation_id": owner.organisation_id,
        "token_id": token.id,
        "set_id": db.session.scalar(db.select(ParameterSet.id).limit(1)),
        "hidden_patent_id": hidden.id,
    }
    tokens = {role: create_api_token(user, "matrix")[1] for role, user in users.items()}
    db.session.commit()
    return {"users": users, "ids": ids, "tokens": tokens}
