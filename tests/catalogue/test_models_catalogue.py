"""Database invariants of the catalogue tables, on SQLite and PostgreSQL."""

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.catalogue.models import (
    Expert,
    InnovationProject,
    Patent,
    PatentClassification,
    PatentParty,
    PatentPledge,
)
from app.extensions import db


def _patent(**fields) -> Patent:
    values = {"jurisdiction": "US", "publication_number": "US7123456", "patent_type": "invention"}
    return Patent(**{**values, **fields})


def test_patent_identity_is_unique_per_jurisdiction(app):
    db.session.add_all([_patent(), _patent(jurisdiction="CN", publication_number="US7123456")])
    db.session.commit()
    db.session.add(_patent())
    with pytest.raises(IntegrityError):
        db.session.commit()


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Patent, {"jurisdiction": "US", "publication_number": "US1", "patent_type": "gadget"}),
        (
            Patent,
            {"jurisdiction": "US", "publication_number": "US1", "patent_type": "design", "legal_status": "x"},
        ),
        (
            Patent,
            {"jurisdiction": "US", "publication_number": "US1", "patent_type": "design", "claims_count": -1},
        ),
        (InnovationProject, {"reference": "P1", "funding_amount": Decimal("-1"), "funding_currency": "CNY"}),
        (InnovationProject, {"reference": "P1", "funding_amount": Decimal("10")}),
        (InnovationProject, {"reference": "P1", "trl": 10}),
        (Expert, {"reference": "E1", "name": "X", "fee_amount": Decimal("-5"), "fee_currency": "CNY"}),
        (Expert, {"reference": "E1", "name": "X", "moderation_status": "deleted"}),
    ],
)
def test_check_constraints_refuse_impossible_rows(app, model, fields):
    db.session.add(model(**fields))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_money_is_exact(app):
    db.session.add(
        InnovationProject(reference="P1", funding_amount=Decimal("1234567.89"), funding_currency="CNY")
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(select(InnovationProject.funding_amount)) == Decimal("1234567.89")


def test_children_go_with_the_patent(app):
    patent = _patent()
    patent.classifications = [
        PatentClassification(scheme="ipc", code="H01M 10/0525", search_key="H01M0010/0525")
    ]
    patent.parties = [PatentParty(role="inventor", name="Ada")]
    patent.pledges = [PatentPledge(pledgee="Bank", amount=Decimal("100.00"), currency="CNY")]
    db.session.add(patent)
    db.session.commit()
    db.session.delete(patent)
    db.session.commit()
    assert db.session.scalar(select(PatentClassification)) is None
    assert db.session.scalar(select(PatentParty)) is None


def test_json_lists_round_trip(app):
    db.session.add(_patent(family_countries=["US", "CN"], generated_fields=["legal_status"]))
    db.session.commit()
    db.session.expire_all()
    patent = db.session.scalar(select(Patent))
    assert patent.family_countries == ["US", "CN"]
    assert patent.generated_fields == ["legal_status"]
