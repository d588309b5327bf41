"""Engine inputs from a patent: a pure mapping, tested on plain objects (no database, no HTTP)."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.valuation import engine
from app.valuation.inputs import model_inputs, patent_facts


def patent(**over):
    base = {
        "jurisdiction": "CN",
        "patent_type": "invention",
        "legal_status": "granted",
        "filing_date": dt.date(2016, 5, 1),
        "grant_date": dt.date(2018, 5, 1),
        "expiry_date": dt.date(2036, 5, 1),
        "family_countries": ["us", "EP"],
        "family_size": 3,
        "claims_count": 12,
        "independent_claims_count": 2,
        "forward_citations": 4,
        "backward_citations": 9,
        "annual_fee_paid_year": 10,
        "classifications": [
            SimpleNamespace(scheme="ipc", code="H01M 10/0525", subclass="H01M", is_main=True, position=0),
            SimpleNamespace(scheme="cpc", code="Y02E 60/10", subclass="Y02E", is_main=False, position=1),
        ],
        "pledges": [
            SimpleNamespace(amount=Decimal("2000000"), currency="CNY", released_on=None),
            SimpleNamespace(amount=Decimal("500000"), currency="CNY", released_on=dt.date(2020, 1, 1)),
        ],
        "events": [],
    }
    return SimpleNamespace(**(base | over))


def test_facts_from_typed_columns():
    facts = patent_facts(patent(), on=dt.date(2026, 5, 1), ask_price=Decimal("900000"))
    assert facts["remaining_years"] == 10.0
    assert facts["family_countries"] == ["CN", "EP", "US"]
    assert facts["family_size"] == 3
    assert facts["legal_status"] == "valid"
    assert facts["ipc_main"] == "H01M"
    assert facts["ipc_classes"] == ["H01M", "Y02E"]
    assert facts["annual_fee_year"] == 11
    assert facts["filing_year"] == 2016
    assert facts["pledge_amount"] == 2_000_000.0  # the released pledge does not count
    assert facts["ask_price"] == 900_000.0
    assert facts["deal_type"] == "assignment"


def event(outcome, on=dt.date(2020, 3, 1)):
    return SimpleNamespace(event_type="invalidation", occurred_on=on, outcome=outcome)


@pytest.mark.parametrize(
    ("over", "expected"),
    [
        ({}, "valid"),
        ({"events": [event("维持有效 Upheld")]}, "valid_after_invalidation"),
        ({"legal_status": "invalidated"}, "invalid"),
        ({"legal_status": "pending", "grant_date": None}, "pending"),
        ({"legal_status": None, "grant_date": None}, "pending"),
        ({"legal_status": None}, "valid"),
        ({"legal_status": "lapsed"}, "lapsed"),
    ],
)
def test_legal_status_mapping(over, expected):
    assert patent_facts(patent(**over), on=dt.date(2026, 5, 1))["legal_status"] == expected


def test_lapsed_patent_has_no_term_and_missing_expiry_uses_statute():
    assert patent_facts(patent(legal_status="lapsed"), on=dt.date(2026, 5, 1))["remaining_years"] == 0.0
    facts = patent_facts(
        patent(expiry_date=None, patent_type="utility_model", annual_fee_paid_year=None),
        on=dt.date(2020, 5, 1),
    )
    assert facts["remaining_years"] == pytest.approx(6.0, abs=0.01)


def test_model_inputs_are_valid_for_every_builtin_model():
    facts = patent_facts(patent(), on=dt.date(2026, 5, 1), listing_type="licence")
    shared = {"comparables": [{"id": "d1", "price": 100.0}], "cohort": []}
    for model in engine.available():
        inputs = model_inputs(model, facts, shared)
        assert set(inputs) <= {s.name for s in model.input_schema}
        engine.validate_inputs(model, inputs)  # raises if a mapped fact has the wrong type or bounds
    assert facts["deal_type"] == "licence"
    assert facts["exclusive"] is False
