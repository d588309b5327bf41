"""AHP for the CNIPA indicator weights per dimension (issue 9): consistency ratio, the most
inconsistent pair named, 0.33 refused with a clear message, saving into a draft through the
lifecycle, and entropy weights over the catalogue's data as a starting point that saves nothing."""

import re

import pytest

from app.valuation import paramsets
from app.valuation.engine.weighting import judgements_from_weights

URL = "/valuation/workbench/ahp/indicators"
EN = {"Accept-Language": "en"}


def _judgements(n, **over):
    data = {f"p_{i}_{j}": "1" for i in range(n) for j in range(i + 1, n)}
    return data | over


def test_an_inconsistent_matrix_names_the_pair_and_saves_nothing(client, auth, seeded):
    auth.login(seeded[0])
    before = len(paramsets.versions("cnipa_pvd"))
    data = _judgements(6, p_1_3="9") | {"dimension": "technical", "save": "1"}
    page = client.post(URL, data=data, headers=EN)
    assert page.status_code == 422
    assert (
        "revisit the judgement of Industry trend against Dependence on complementary technology" in page.text
    )
    zh = client.post(URL, data=data, headers={"Accept-Language": "zh"})
    assert "请先重新判断行业发展趋势与配套技术依存度的比较" in zh.text
    assert len(paramsets.versions("cnipa_pvd")) == before


@pytest.mark.parametrize(("lang", "text"), [("en", "not as 0.33"), ("zh", "不要写成 0.33")])
def test_a_reciprocal_typed_as_a_decimal_gets_a_clear_message(client, auth, seeded, lang, text):
    auth.login(seeded[0])
    data = _judgements(5, p_0_1="0.33") | {"dimension": "economic", "check": "1"}
    page = client.post(URL, data=data, headers={"Accept-Language": lang})
    assert page.status_code == 422
    assert text in page.text
    assert 'id="p_0_1-error"' in page.text


def test_consistent_judgements_go_into_one_draft_through_the_lifecycle(client, auth, seeded):
    a1 = seeded[0]
    auth.login(a1)
    data = _judgements(5, p_0_1="2", p_0_2="4", p_0_3="4", p_0_4="4", p_1_2="2", p_1_3="2", p_1_4="2") | {
        "dimension": "economic",
        "save": "1",
    }
    response = client.post(URL, data=data)
    assert response.status_code == 302
    draft = paramsets.versions("cnipa_pvd")[0]
    assert draft.status == "draft"
    assert draft.created_by_id == a1.id
    weights = draft.params["indicator_weights"]
    assert weights["market_application"] == pytest.approx(2 * weights["market_size"], rel=1e-3)
    assert weights["market_size"] == pytest.approx(2 * weights["market_share"], rel=1e-3)
    # a second dimension lands in the same draft (an edit event), not in a new version
    client.post(
        URL, data=_judgements(6, p_0_1="3", p_0_2="3", p_1_2="1") | {"dimension": "technical", "save": "1"}
    )
    assert paramsets.versions("cnipa_pvd")[0].id == draft.id
    assert {"market_application", "advancement"} <= set(
        paramsets.get_set(draft.id).params["indicator_weights"]
    )
    assert [e.action for e in draft.events] == ["create", "edit"]
    paramsets.submit(draft, a1, "AHP")  # the ordinary four-eyes path follows
    assert draft.status == "pending_approval"


def test_entropy_weights_are_a_suggestion_that_fills_the_form_without_saving(
    client, auth, seeded, make_patent
):
    for i in range(6):
        make_patent(family=["CN", "US", "EP", "JP"][: 1 + i % 4], status="granted" if i % 3 else "pending")
    auth.login(seeded[0])
    before = len(paramsets.versions("cnipa_pvd"))
    page = client.get(URL + "?dimension=legal", headers=EN)
    assert page.status_code == 200
    assert "Entropy suggestion" in page.text
    assert "no spread" in page.text
    filled = client.get(URL + "?dimension=legal&start=entropy", headers=EN)
    assert 'data-testid="ahp-started"' in filled.text
    values = dict(re.findall(r'name="(p_\d+_\d+)"[^>]*value="([^"]*)"', filled.text))
    assert len(values) == 21
    assert set(values.values()) - {"1"}
    assert len(paramsets.versions("cnipa_pvd")) == before  # a GET never writes


def test_judgements_from_weights_round_to_the_saaty_scale():
    out = judgements_from_weights([0.6, 0.2, 0.2, 0.0])
    assert (out[(0, 1)], out[(1, 2)], out[(0, 3)]) == (3.0, 1.0, 9.0)
    assert judgements_from_weights([0.1, 0.5])[(0, 1)] == pytest.approx(1 / 5)
