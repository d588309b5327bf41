"""The assessors' disagreement factor (a validated field of the ensemble form, read by the report's
sentence) and the bulk path's refusal of figures the stored NUMERIC(18, 2) columns cannot hold."""

import datetime as dt

import pytest

from app.extensions import db
from app.valuation import paramsets
from app.valuation.batch import revalue
from app.valuation.defaults import DEFAULT_PARAMS
from app.valuation.forms import params_to_data
from app.valuation.models import ENSEMBLE_ID
from app.valuation.report import build_report
from app.valuation.services import current_rows, load_config, value_patent
from app.valuation.weights import DISAGREEMENT_KEY


def _ensemble_form(draft) -> dict:
    return {k: v for k, v in params_to_data(ENSEMBLE_ID, draft.params).items() if v is not None}


@pytest.mark.parametrize(
    ("value", "en", "zh"),
    [
        ("1", "needs a number above 1", "须为大于 1"),
        ("0.5", "needs a number above 1", "须为大于 1"),
        ("5000", "at most 1000", "不超过 1000"),
    ],
)
def test_a_bad_disagreement_factor_gets_a_field_message_in_both_languages(
    client, auth, seeded, value, en, zh
):
    auth.login(seeded[0])
    draft = paramsets.create_draft(ENSEMBLE_ID, seeded[0], "x")
    db.session.commit()
    form = _ensemble_form(draft) | {DISAGREEMENT_KEY: value, "reason": "try"}
    for lang, text in (("en", en), ("zh", zh)):
        page = client.post(
            f"/valuation/workbench/sets/{draft.id}/edit", data=form, headers={"Accept-Language": lang}
        )
        assert page.status_code == 422
        assert f'id="{DISAGREEMENT_KEY}-error"' in page.text
        assert text in page.text


def test_the_assessors_factor_is_saved_and_drives_the_reports_sentence(client, auth, seeded, make_patent):
    a1, a2, _ = seeded
    patent = make_patent()
    value_patent(patent)  # a score is placed among stored scores: the first pass stores one
    db.session.commit()
    auth.login(a1)
    draft = paramsets.create_draft(ENSEMBLE_ID, a1, "x")
    db.session.commit()
    assert f'name="{DISAGREEMENT_KEY}"' in client.get(f"/valuation/workbench/sets/{draft.id}/edit").text
    form = _ensemble_form(draft) | {DISAGREEMENT_KEY: "1.01", "reason": "any disagreement is worth a word"}
    assert client.post(f"/valuation/workbench/sets/{draft.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert paramsets.current_params(draft)[DISAGREEMENT_KEY] == 1.01
    edit = client.get(f"/valuation/workbench/sets/{draft.id}/edit").text
    assert 'value="1.01"' in edit
    paramsets.submit(draft, a1, "please")
    paramsets.approve(draft, a2, "ok")
    db.session.commit()
    page = client.get(f"/valuation/patents/{patent.id}", headers={"Accept-Language": "en"}).text
    assert 'data-testid="disagree"' in page
    assert "the factor of 1.01 the assessors set" in page


def _huge_rfr(actor):
    """Found by a random draw: CNY 10 trillion revenue doubling every year overflows NUMERIC(18, 2)."""
    params = DEFAULT_PARAMS["rfr"] | {"revenue": 1e13, "growth": 1.0, "royalty_rate": 0.3, "years": 20.0}
    draft = paramsets.create_draft("rfr", actor, "stress", params=params)
    db.session.commit()
    return draft


def test_bulk_revaluation_refuses_an_overflowing_patent_and_goes_on(app, seeded, make_patent):
    young = make_patent(filing=dt.date(2024, 1, 1))  # about 18 years left: the doubling overflows
    old = make_patent(filing=dt.date(2007, 6, 1))  # a few months left: a large but storable value
    config = load_config(override=_huge_rfr(seeded[0]))
    failures: dict = {}
    assert revalue([young.id, old.id], config, failures=failures) == 2
    db.session.commit()
    assert set(failures) == {young.id}
    assert set(failures[young.id]) == {"rfr"}
    assert "1,000 trillion" in failures[young.id]["rfr"]["en"]
    assert "一千万亿" in failures[young.id]["rfr"]["zh"]
    young_rows = {r.model_id: r for r in current_rows(young.id)}
    assert "rfr" not in young_rows
    assert young_rows[ENSEMBLE_ID].mid is not None  # the other approaches still make its range
    assert young_rows[ENSEMBLE_ID].input_snapshot["refused"] == failures[young.id]
    old_rows = {r.model_id: r for r in current_rows(old.id)}
    assert old_rows["rfr"].value > 0
    assert "refused" not in old_rows[ENSEMBLE_ID].input_snapshot
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "1,000 trillion" in build_report(current_rows(young.id)).refused[0]


def test_the_interactive_path_refuses_the_same_patent(app, seeded, make_patent):
    young = make_patent(filing=dt.date(2024, 1, 1))
    outcome = value_patent(young, config=load_config(override=_huge_rfr(seeded[0])), store=False)
    assert "rfr" in outcome.errors
    assert "rfr" not in outcome.results
