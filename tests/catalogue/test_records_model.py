"""Records stay frozen, typed and framework-free."""

import ast
import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from app.catalogue.records import Classification, ImportReport, PatentRecord, RowError, SourceRef

CATALOGUE = Path(__file__).resolve().parents[2] / "app" / "catalogue"
PURE_MODULES = [
    CATALOGUE / name for name in ("records.py", "numbers.py", "classification.py", "terms.py")
] + sorted((CATALOGUE / "importers").glob("*.py"))

PATENT_FIELDS = {
    "jurisdiction", "publication_number", "application_number", "kind_code", "patent_type", "title_zh",
    "title_en", "abstract_zh", "abstract_en", "first_claim", "claims_count", "independent_claims_count",
    "classifications", "applicants", "owners", "inventors", "filing_date", "priority_date",
    "publication_date", "grant_date", "legal_status", "family_countries", "forward_citations",
    "backward_citations", "annual_fee_paid_year", "source",
}  # fmt: skip


def _patent(**overrides):
    fields = {
        "jurisdiction": "CN",
        "publication_number": "CN107123456",
        "kind_code": "B",
        "patent_type": "invention",
        "source": SourceRef("x.csv", "line 2"),
    }
    return PatentRecord(**{**fields, **overrides})


def test_patent_record_has_the_agreed_fields():
    names = {f.name for f in dataclasses.fields(PatentRecord)}
    assert names >= PATENT_FIELDS
    assert names - PATENT_FIELDS == {"title_derived"}


def test_records_are_frozen_and_hashable():
    record = _patent()
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.title_en = "changed"  # type: ignore[misc]
    assert hash(record) == hash(_patent())


def test_expiry_and_codes_helpers():
    record = _patent(
        filing_date=dt.date(2017, 7, 20),
        classifications=(Classification("ipc", "H01M 4/00"), Classification("ipc", "H01M 10/0525", True)),
    )
    assert record.expiry_date == dt.date(2037, 7, 20)
    assert record.codes("ipc") == ("H01M 10/0525", "H01M 4/00")
    assert record.key == ("CN", "CN107123456")


def test_import_report_collects_and_counts():
    error = RowError("x.csv", "line 3", "ipc", "bad")
    report = ImportReport.collect([_patent(), error])
    assert not report.ok
    assert report.counts == {"records": 1, "errors": 1, "PatentRecord": 1}
    assert str(error) == "x.csv, line 3, ipc: bad"


@pytest.mark.parametrize("module", PURE_MODULES, ids=lambda p: p.name)
def test_catalogue_core_imports_no_framework(module):
    tree = ast.parse(module.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {
        name for name in imported if name.split(".")[0] in ("flask", "sqlalchemy", "flask_sqlalchemy")
    }
