"""The report's calibration section: cohort, n, median, sigma, rho, source and date of the empirical
score-to-money map; the no-evidence case and the mostly-defaulted warning are visible."""

import datetime as dt

from app.extensions import db
from app.valuation.batch import patent_ids, revalue
from app.valuation.replay import replay
from app.valuation.seed import seed_parameter_sets
from app.valuation.services import current_rows, load_config
from tests.valuation.test_income import _inputs

EN = {"Accept-Language": "en"}


def _scored(make_patent, count=4):
    patents = [
        make_patent(filing=dt.date(2016 + i % 3, 5, 1), ipc="H01M" if i % 2 else "G06F") for i in range(count)
    ]
    revalue(patent_ids(), load_config())  # stores the scores the calibration ranks in
    revalue(patent_ids(), load_config())
    db.session.commit()
    return patents


def test_report_states_the_calibration_and_its_source(client, seeded, make_patent):
    patent = _scored(make_patent)[1]
    head = current_rows(patent.id)[0]
    component = next(c for c in head.result["components"] if c["model"].startswith("cnipa_pvd"))
    described = component["calibration"]
    assert described["method"] == "empirical percentile"
    assert described["cohort"]["n"] == 4  # widened: only 4 scored
    assert described["cohort"]["level"] == "all"
    assert described["deals"]["n"] >= 8
    page = client.get(f"/valuation/patents/{patent.id}", headers=EN).text
    assert "Calibration of scores to money" in page
    assert "not yet fitted" not in page
    assert 'data-testid="calibration-n">4<' in page
    assert "all scored patents" in page
    assert "built-in" not in page
    assert "generated for the demo" in page
    assert "Score-price correlation (rho)" in page
    assert "Fitted on" in page
    # 13 of 18 indicators default for these patents: a visible warning beside the calibration
    assert 'data-testid="calibration-defaulted"' in page
    assert replay(only_current=False).ok


def test_without_deals_the_score_has_no_money_and_the_report_says_so(client, assessors, make_patent):
    seed_parameter_sets(lambda _m: None)
    db.session.commit()
    patent = make_patent()
    _inputs(patent)  # the owner's revenue: the income approach makes the range
    revalue(patent_ids(), load_config())
    revalue(patent_ids(), load_config())
    db.session.commit()
    head = current_rows(patent.id)[0]
    assert [c["model"].split("@")[0] for c in head.result["components"]] == ["rfr"]
    page = client.get(f"/valuation/patents/{patent.id}", headers=EN).text
    assert 'data-testid="calibration-none"' in page
    assert "left out of the fair value range" in page
    assert replay(only_current=False).ok


def test_the_backtest_calibrates_without_the_deal_it_predicts(app, seeded, make_patent):
    from sqlalchemy import func, select

    from app.valuation.backtesting import run_backtest
    from app.valuation.calibration import calibrations_for
    from app.valuation.models import ClosedDeal

    _scored(make_patent)
    config = load_config()
    deal = db.session.scalar(select(ClosedDeal).where(ClosedDeal.deal_type == "assignment").limit(1))
    same = db.session.scalar(select(func.count(ClosedDeal.id)).where(ClosedDeal.deal_type == "assignment"))
    full = calibrations_for(config, {}, "assignment", "2026-11-25", 2026)["cnipa_pvd"]
    left_out = calibrations_for(config, {}, "assignment", "2026-11-25", 2026, exclude_deal=deal.id)[
        "cnipa_pvd"
    ]
    assert full.deals.n == same
    assert left_out.deals.n == same - 1
    ensemble = next(r for r in run_backtest(config) if r.model_id == "ensemble")
    assert ensemble.points
