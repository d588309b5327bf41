"""One validation for every entry: the same input gets the same verdict and message from the form,
the API and the importer (CSV), because all three run ``app.catalogue.validation``."""

import csv
import html
import io
import re

import pytest

from app.accounts.models import Role
from app.accounts.services import create_api_token
from app.catalogue.forms import ExpertForm, PatentForm, ProjectForm
from app.catalogue.importers.columns import COLUMNS
from app.catalogue.importing import run_import
from app.extensions import db

from .conftest import GOOD_EXPERT, GOOD_PATENT, GOOD_PROJECT

BIDI = "Remove the invisible text-direction characters (U+202A–U+202E, U+2066–U+2069)."
MONEY = "Enter a positive amount with at most two decimals, like 1250000.00."
IMPORT_COLUMNS = {"ipc_codes": "ipc", "cpc_codes": "cpc"}

# (kind, field, value, message or None when accepted)
CASES = [
    ("patent", "title_en", "Battery \u202egnp.exe", BIDI),
    ("patent", "title_zh", "电池\u2066隔离", BIDI),
    ("patent", "inventors", ["张三", "Li\u202dSi"], BIDI),
    ("patent", "title_en", "x" * 501, "At most 500 characters."),
    ("patent", "abstract_en", "y" * 20_001, "At most 20000 characters."),
    ("patent", "applicants", [f"Company {i}" for i in range(101)], "At most 100 items."),
    ("patent", "owners", ["z" * 301], "Each item has at most 300 characters."),
    ("patent", "claims_count", "10001", "Must be between 0 and 10000."),
    ("patent", "forward_citations", "1000001", "Must be between 0 and 1000000."),
    ("patent", "backward_citations", "-1", "Must be between 0 and 1000000."),
    ("patent", "independent_claims_count", "11", "Cannot exceed the total number of claims."),
    ("patent", "family_countries", ["USA"], "Use two-letter country codes (not USA)."),
    ("patent", "ipc_codes", ["Z99Q 1/00"], None),  # replaced below by the classifier's own words
    ("patent", "publication_number", "CN 12", None),
    ("patent", "title_en", "Lithium battery, plain", None),
    ("project", "funding_amount", "0", MONEY),
    ("project", "funding_amount", "100.1234", MONEY),
    ("project", "funding_amount", "100.12", None),
    ("project", "trl", "10", "Must be between 1 and 9."),
    ("project", "title_zh", "中试\u202a线", BIDI),
    ("project", "team", ["w" * 301], "Each item has at most 300 characters."),
    ("expert", "name", "王\u202e平", BIDI),
    ("expert", "languages", ["eng"], "Use two-letter language codes such as zh, en (not eng)."),
    ("expert", "fee_amount", "0", MONEY),
]
BASE = {"patent": GOOD_PATENT, "project": {**GOOD_PROJECT, "seeking": []}, "expert": GOOD_EXPERT}
PATHS = {"patent": ("/patents/new", "/api/v1/patents"), "project": ("/projects/new", "/api/v1/projects"),
         "expert": ("/experts/new", "/api/v1/experts")}  # fmt: skip
FORM_FIELDS = {kind: set(form_class.__dict__) for kind, form_class in
               (("patent", PatentForm), ("project", ProjectForm), ("expert", ExpertForm))}  # fmt: skip
COUNTER = iter(range(100, 10_000))


def _input(kind: str, field: str, value) -> dict:
    data = {**BASE[kind], field: value}
    number = next(COUNTER)
    if kind == "patent" and field != "publication_number":
        data["publication_number"] = f"CN 118866{number:03d} A"
    if kind == "expert":
        data["reference"] = f"EXP-T{number}"
    if kind == "project":
        data["reference"] = f"PRJ-T{number}"
    return data


def _as_text(value, separator: str) -> str:
    return separator.join(value) if isinstance(value, list) else str(value)


def _form(client, kind: str, data: dict) -> tuple[bool, dict[str, str]]:
    separators = {"inventors": "\n", "applicants": "\n", "owners": "\n", "team": "\n", "linked_patents": "\n"}
    form = {
        k: _as_text(v, separators.get(k, "; ")) for k, v in data.items() if v != [] and k in FORM_FIELDS[kind]
    }
    response = client.post(PATHS[kind][0], data=form, headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    errors = re.findall(r'<p class="error" id="([\w]+)-error">([^<]*)</p>', page)
    return response.status_code == 302, {name: html.unescape(text) for name, text in errors}


def _api(client, headers: dict, kind: str, data: dict) -> tuple[bool, dict[str, str]]:
    response = client.post(PATHS[kind][1], json=data, headers={**headers, "Accept-Language": "en"})
    if response.status_code == 201:
        return True, {}
    assert response.status_code == 422, response.get_json()
    return False, response.get_json()["error"]["fields"]


def _import(tmp_path, user, kind: str, data: dict) -> tuple[bool, dict[str, str]]:
    row = {IMPORT_COLUMNS.get(k, k): _as_text(v, "; ") for k, v in data.items()}
    row = {k: v for k, v in row.items() if k in {column.name for column in COLUMNS[kind]}}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    path = tmp_path / f"{kind}-{next(COUNTER)}.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    outcome = run_import(path, user)
    db.session.commit()
    inverse = {v: k for k, v in IMPORT_COLUMNS.items()}
    return outcome.ok, {inverse.get(e.field, e.field): e.reason for e in outcome.errors}


@pytest.fixture
def entries(client, auth, make_user, tmp_path):
    user = make_user(email="entry@example.com", roles=(Role.RIGHTS_HOLDER, Role.ADMIN))
    _token, plaintext = create_api_token(user, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {plaintext}", "Accept": "application/json"}
    auth.login(user)
    return {
        "form": lambda kind, data: _form(client, kind, data),
        "api": lambda kind, data: _api(client, headers, kind, data),
        "import": lambda kind, data: _import(tmp_path, user, kind, data),
    }


@pytest.mark.parametrize(
    ("kind", "field", "value", "expected"),
    CASES,
    ids=[f"{k}-{f}-{i}" for i, (k, f, _v, _e) in enumerate(CASES)],
)
def test_form_api_and_import_give_the_same_verdict_and_message(entries, kind, field, value, expected):
    verdicts = {name: entry(kind, _input(kind, field, value)) for name, entry in entries.items()}
    oks = {name: ok for name, (ok, _errors) in verdicts.items()}
    messages = {name: errors.get(field) for name, (_ok, errors) in verdicts.items()}
    accepted = expected is None and field not in ("ipc_codes", "publication_number")
    assert oks == dict.fromkeys(entries, accepted), verdicts
    if not accepted:
        assert len(set(messages.values())) == 1, messages
        assert messages["form"] == expected or expected is None, messages
        assert messages["form"], verdicts
