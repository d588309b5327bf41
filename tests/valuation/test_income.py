"""Patent-specific income inputs (issue 9): the income approaches count only with the patent's own revenue."""

import datetime as dt
from decimal import Decimal

from app.catalogue.models import PatentLicence
from app.extensions import db
from app.valuation.batch import patent_ids, revalue
from app.valuation.income import ILLUSTRATIVE
from app.valuation.models import IncomeInput
from app.valuation.replay import replay
from app.valuation.services import current_rows, load_config, value_patent


def _inputs(patent, **over):
    values = {
        "patent_id": patent.id,
        "revenue_forecast": ["5000000", "6000000", "7000000", "7000000", "7000000"],
        "attribution": Decimal("0.4"),
        "royalty_rate": Decimal("0.05"),
        "economic_life_years": Decimal("5"),
        "risk_free_rate": Decimal("0.025"),
        "technology_premium": Decimal("0.04"),
        "market_premium": Decimal("0.03"),
        "financial_premium": Decimal("0.01"),
        "management_premium": Decimal("0.01"),
        "entered_as": "owner",
    } | over
    record = IncomeInput(**values)
    db.session.add(record)
    db.session.commit()
    return record


def test_without_own_revenue_the_income_approaches_stay_out_of_the_range(app, seeded, make_patent):
    patent = make_patent()
    outcome = value_patent(patent)
    used = {c["model"].split("@")[0] for c in outcome.range.components}
    assert "rfr" not in used
    assert "rfr" in outcome.results  # still shown, as an illustration
    assert ILLUSTRATIVE in outcome.range.warnings


def test_own_revenue_brings_the_income_approach_in_and_moves_the_range(app, seeded, make_patent):
    patent = make_patent()
    before = value_patent(patent).range
    _inputs(patent)
    outcome = value_patent(patent)
    assert "rfr" in {c["model"].split("@")[0] for c in outcome.range.components}
    assert ILLUSTRATIVE not in outcome.range.warnings
    assert outcome.range.mid != before.mid
    params = outcome.results["rfr"].provenance.params
    # 40 % of the forecast, the owner's royalty rate, the build-up rate 2.5+4+3+1+1 = 11.5 %
    assert params["revenues"] == [2e6, 2.4e6, 2.8e6, 2.8e6, 2.8e6]
    assert (params["royalty_rate"], params["discount_rate"], params["years"]) == (0.05, 0.115, 5.0)


def test_bulk_and_replay_use_the_same_own_inputs(app, seeded, make_patent):
    patent = make_patent()
    _inputs(patent)
    value_patent(patent)  # stores a score: the calibration cohort both paths then rank in
    interactive = value_patent(patent).range
    revalue(patent_ids(), load_config())
    db.session.commit()
    head = current_rows(patent.id)[0]
    assert (head.low, head.mid, head.high) == (interactive.low, interactive.mid, interactive.high)
    report = replay(only_current=False)
    assert report.ok, report.differences


def test_pending_application_is_scaled_by_the_probability_of_grant(app, seeded, make_patent):
    pending = make_patent(status="pending")
    value_patent(pending)  # a stored score for the calibration to rank in
    default = value_patent(pending).range  # CN default: 50 %
    assert "probability_of_grant" in {w.code for w in default.warnings}
    _inputs(pending, revenue_forecast=None, probability_of_grant=Decimal("0.8"))
    entered = value_patent(pending).range
    assert abs(entered.mid - default.mid * Decimal("1.6")) <= Decimal("0.02")


def test_exclusive_licence_in_force_reduces_an_assignment(app, seeded, make_patent):
    free, licensed = make_patent(), make_patent()
    today = dt.datetime.now(dt.UTC).date()
    licensed.licences.append(
        PatentLicence(licence_type="exclusive", recorded_on=today - dt.timedelta(days=30), until=None)
    )
    db.session.commit()
    assert value_patent(licensed, listing_type="assignment").range.mid == Decimal("0.00")
    assert value_patent(free, listing_type="assignment").range.mid > 0
    assert value_patent(licensed, listing_type="licence").range.mid > 0  # a licence range is its own


def test_a_us_patent_with_own_inputs_uses_the_us_tax_rate(app, seeded, make_patent):
    patent = make_patent(jurisdiction="US")
    _inputs(patent)
    assert value_patent(patent).results["rfr"].provenance.params["tax_rate"] == 0.21
    cn = make_patent()
    _inputs(cn)
    assert value_patent(cn).results["rfr"].provenance.params["tax_rate"] == 0.25
