"""Catalogue fixtures: people in each role, and factories for patents, projects and experts."""

import os
import re
from collections.abc import Callable
from html.parser import HTMLParser
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

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
    """The shared data file; missing, the test skips on a laptop and fails in CI, where it must run."""
    if not path.exists():
        reason = f"shared data file {path} is missing; run on the project machine with ../shared/data"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
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


class _FormReader(HTMLParser):
    """Collects what a browser submits for the first <form> of a class on a page."""

    def __init__(self, form_class: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_class = form_class
        self.found = False
        self.pairs: list[tuple[str, str]] = []
        self.in_form = False
        self.textarea: tuple[str, list[str]] | None = None
        self.select: tuple[str, list[tuple[str, bool]]] | None = None
        self.option: list[str] | None = None
        self.option_attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.in_form = not self.found and self.form_class in (a.get("class") or "").split()
            self.found = self.found or self.in_form
        if not self.in_form or "disabled" in a:
            return
        if tag == "input":
            self._input(a)
        elif tag == "textarea" and a.get("name"):
            self.textarea = (a["name"], [])
        elif tag == "select" and a.get("name"):
            self.select = (a["name"], [])
        elif tag == "option" and self.select is not None:
            self.option, self.option_attrs = [], a

    def _input(self, a: dict[str, str | None]) -> None:
        kind, name = (a.get("type") or "text").lower(), a.get("name")
        if not name or kind in ("submit", "button", "reset", "image", "file"):
            return
        if kind in ("checkbox", "radio"):
            if "checked" in a:
                self.pairs.append((name, a.get("value") or "on"))
            return
        # the value sanitisation algorithm of text-like inputs strips line breaks
        self.pairs.append((name, re.sub(r"[\r\n]", "", a.get("value") or "")))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1].append(data)
        elif self.option is not None:
            self.option.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "textarea" and self.textarea is not None:
            text = re.sub(r"\r\n?", "\n", "".join(self.textarea[1]))  # the input stream's newlines
            text = text[1:] if text.startswith("\n") else text  # the parser drops one leading newline
            self.pairs.append((self.textarea[0], text.replace("\n", "\r\n")))  # sent as CRLF
            self.textarea = None
        elif tag == "option" and self.option is not None and self.select is not None:
            value = self.option_attrs.get("value")
            value = "".join(self.option).strip() if value is None else value
            self.select[1].append((value, "selected" in self.option_attrs))
            self.option = None
        elif tag == "select" and self.select is not None:
            name, options = self.select
            chosen = [v for v, selected in options if selected] or [v for v, _s in options[:1]]
            self.pairs.extend((name, v) for v in chosen[-1:])
            self.select = None


def submitted_form(html: str, form_class: str = "cat-form") -> MultiDict:
    """The (name, value) pairs a browser would send for the page's form, left unchanged."""
    reader = _FormReader(form_class)
    reader.feed(html)
    assert reader.found, f"no <form class={form_class}> on the page"
    return MultiDict(reader.pairs)


@pytest.fixture
def browser_form() -> Callable[..., MultiDict]:
    return submitted_form
