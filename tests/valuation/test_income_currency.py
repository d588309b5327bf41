"""Income inputs in the currency the patent earns in (issue 9): a US owner enters dollars, the engine
values in yuan at the dated rate, the report says how; without a rate the form says what to do."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.valuation import fx
from app.valuation.income import ILLUSTRATIVE
from app.valuation.models import IncomeInput
from app.valuation.services import value_patent
from tests.valuation.test_income_pages import GOOD


def _income(patent, currency: str, forecast: list[str]) -> IncomeInput:
    record = IncomeInput(
        patent_id=patent.id,
        currency=currency,
        revenue_forecast=forecast,
        attribution=Decimal("0.4"),
        royalty_rate=Decimal("0.05"),
        economic_life_years=Decimal("3"),
        risk_free_rate=Decimal("0.025"),
        technology_premium=Decimal("0.04"),
        entered_as="owner",
    )
    db.session.add(record)
    db.session.commit()
    return record


def _rate(admin, currency="USD", rate="7.2000"):
    fx.add_rate(currency, Decimal(rate), dt.date(2025, 1, 1), "PBOC central parity", admin)
    db.session.commit()


def test_dollars_are_valued_as_the_same_yuan_at_the_dated_rate(app, seeded, make_patent, make_user):
    _rate(make_user(email="fx-admin@example.com", roles=(Role.ADMIN,)))
    in_usd, in_cny = make_patent(jurisdiction="US"), make_patent(jurisdiction="US")
    _income(in_usd, "USD", ["1000000", "1200000", "1500000"])
    _income(in_cny, "CNY", ["7200000", "8640000", "10800000"])
    usd, cny = value_patent(in_usd), value_patent(in_cny)
    assert usd.results["rfr"].provenance.params["revenues"] == [2.88e6, 3.456e6, 4.32e6]
    assert usd.results["rfr"].value == cny.results["rfr"].value


def test_without_a_rate_dollar_income_stays_out_and_the_report_says_why(app, seeded, make_patent, client):
    patent = make_patent(jurisdiction="US")
    _income(patent, "USD", ["1000000"])
    outcome = value_patent(patent)
    db.session.commit()
    assert ILLUSTRATIVE in outcome.range.warnings  # the dollars could not count
    assert "rfr" not in {c["model"].split("@")[0] for c in outcome.range.components}
    report = client.get(f"/valuation/patents/{patent.id}", headers={"Accept-Language": "en"}).text
    assert "entered in US dollars, but no exchange rate" in report, re.findall(r"income[^<]{0,200}", report)


@pytest.fixture
def us_owner(seeded, make_patent, make_user):
    owner = make_user(email="us-owner@example.com", roles=(Role.RIGHTS_HOLDER,))
    patent = make_patent(owner_id=owner.id, jurisdiction="US")
    return owner, patent


def test_the_form_offers_the_patents_currency_and_refuses_one_without_a_rate(client, auth, us_owner):
    owner, patent = us_owner
    auth.login(owner)
    url = f"/valuation/patents/{patent.id}/inputs"
    page = client.get(url, headers={"Accept-Language": "en"}).text
    assert '<option selected value="USD">' in page
    for lang, text in (("en", "No exchange rate for USD"), ("zh", "尚无USD汇率")):
        refused = client.post(url, data=GOOD | {"currency": "USD"}, headers={"Accept-Language": lang})
        assert refused.status_code == 422
        assert text in refused.text
        assert "500万 600万 700万" in refused.text  # what was typed stays
    assert db.session.query(IncomeInput).count() == 0


def test_an_owner_saves_dollars_and_the_report_names_the_rate(client, auth, us_owner, make_user):
    owner, patent = us_owner
    _rate(make_user(email="fx-admin@example.com", roles=(Role.ADMIN,)))
    auth.login(owner)
    url = f"/valuation/patents/{patent.id}/inputs"
    saved = client.post(url, data=GOOD | {"currency": "USD", "revenue_forecast": "100万 120万 150万"})
    assert saved.status_code == 302
    record = db.session.query(IncomeInput).one()
    assert (record.currency, record.revenue_forecast) == ("USD", ["1000000.00", "1200000.00", "1500000.00"])
    report = client.get(f"/valuation/patents/{patent.id}", headers={"Accept-Language": "en"}).text
    assert "entered in US dollars and converted at 7.2 yuan per unit" in report
    again = client.get(url, headers={"Accept-Language": "en"}).text
    assert '<option selected value="USD">' in again
