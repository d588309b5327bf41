"""Catalogue fixtures: people in each role, and factories for patents, projects and experts."""

from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

import pytest

import app.models  # noqa: F401  (every table on the metadata before the PostgreSQL database is created)
from app.accounts.models import Role, User
from app.catalogue import people_services, services
from app.catalogue.models import Expert, InnovationProject, Patent
from app.extensions import db

if find_spec("app.catalogue.search.models"):  # registered by the catalogue blueprint, not by app.models
    import_module("app.catalogue.search.models")

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"
USPTO = SHARED_DATA / "uspto-xml" / "patentsview_db_fixtures"


def require_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared data file {path} is missing; run on the project machine with ../shared/data")
    return path


@pytest.fixture(autouse=True)
def _imports_inline_in_a_temporary_instance(request, tmp_path):
    """Uploads run in the request (in-memory SQLite is not shared with threads) and store their
    files in a temporary instance folder; tests of the background runners set their own."""
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    app.config["IMPORT_JOB_RUNNER"] = "inline"
    app.instance_path = str(tmp_path / "instance")


@pytest.fixture
def holder(make_user) -> User:
    return make_user(email="holder@example.com", roles=(Role.RIGHTS_HOLDER,), organisation="Holder Univ")


@pytest.fixture
def other_holder(make_user) -> User:
    return make_user(email="other@example.com", roles=(Role.RIGHTS_HOLDER,), organisation="Other Co")


@pytest.fixture
def admin(make_user) -> User:
    return make_user(email="admin@example.com", roles=(Role.ADMIN,), organisation="IPEX")


@pytest.fixture
def buyer(make_user) -> User:
    return make_user(email="buyer@example.com", roles=(Role.BUYER,))


GOOD_PATENT = {
    "jurisdiction": "CN",
    "publication_number": "CN 118866379 A",
    "application_number": "201710601862.3",
    "title_zh": "一种锂离子电池",
    "title_en": "Lithium-ion battery",
    "abstract_zh": "本发明公开了一种电池。",
    "ipc_codes": ["h01m10/0525", "H01M 4/00"],
    "applicants": ["浙江大学"],
    "owners": ["浙江大学"],
    "inventors": ["张三", "李四"],
    "filing_date": "2017-07-20",
    "publication_date": "2018-01-05",
    "legal_status": "pending",
    "claims_count": 10,
    "independent_claims_count": 2,
    "family_countries": ["US"],
}


@pytest.fixture
def make_patent() -> Callable[..., Patent]:
    """Factory: make_patent(owner, **fields) through the service, committed."""

    def factory(owner: User | None = None, **fields) -> Patent:
        patent = services.create_patent(None, {**GOOD_PATENT, **fields}, owner=owner)
        db.session.commit()
        return patent

    return factory


GOOD_PROJECT = {
    "title_zh": "固态电池中试",
    "title_en": "Solid-state battery pilot",
    "stage": "pilot",
    "trl": 5,
    "seeking": ["funding"],
    "funding_amount": "5000000.00",
    "funding_currency": "CNY",
}


@pytest.fixture
def make_project() -> Callable[..., InnovationProject]:
    def factory(owner: User | None = None, **fields) -> InnovationProject:
        project = people_services.create_project(None, {**GOOD_PROJECT, **fields}, owner=owner)
        db.session.commit()
        return project

    return factory


GOOD_EXPERT = {
    "name": "王平",
    "name_en": "Wang Ping",
    "specialties_ipc": ["H01M", "g06f 17/00"],
    "industries": ["Energy storage"],
    "qualifications": ["certified_asset_appraiser"],
    "languages": ["zh", "en"],
    "conflicts": ["Acme Battery Co: advised 2023"],
}


@pytest.fixture
def make_expert() -> Callable[..., Expert]:
    def factory(owner: User | None = None, **fields) -> Expert:
        expert = people_services.create_expert(None, {**GOOD_EXPERT, **fields}, owner=owner)
        db.session.commit()
        return expert

    return factory
