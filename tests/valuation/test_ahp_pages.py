"""AHP pairwise form for alpha/beta/gamma: consistency ratio, the worst pair, 0.33 refused (issue 9)."""

import pytest

from app.valuation import paramsets


@pytest.mark.parametrize(
    ("value", "en", "zh"),
    [
        ("0.33", "not as 0.33", "不要写成 0.33"),
        ("12", "1–9 scale", "1–9 标度"),
        ("abc", "1–9 scale", "1–9 标度"),
    ],
)
def test_bad_judgements_get_field_messages_in_both_languages(client, auth, seeded, value, en, zh):
    auth.login(seeded[0])
    for lang, text in (("en", en), ("zh", zh)):
        data = {"legal_technical": value, "legal_economic": "3", "technical_economic": "1", "check": "1"}
        page = client.post("/valuation/workbench/ahp", data=data, headers={"Accept-Language": lang})
        assert page.status_code == 422
        assert text in page.text


def test_inconsistent_judgements_name_the_pair_and_save_nothing(client, auth, seeded):
    auth.login(seeded[0])
    before = len(paramsets.versions("cnipa_pvd"))
    data = {"legal_technical": "9", "legal_economic": "1/9", "technical_economic": "9", "save": "1"}
    page = client.post("/valuation/workbench/ahp", data=data, headers={"Accept-Language": "en"})
    assert page.status_code == 422
    assert "Consistency ratio" in page.text
    assert len(paramsets.versions("cnipa_pvd")) == before


def test_consistent_judgements_create_a_draft_for_approval(client, auth, seeded):
    auth.login(seeded[0])
    data = {"legal_technical": "2", "legal_economic": "4", "technical_economic": "2", "save": "1"}
    response = client.post("/valuation/workbench/ahp", data=data)
    assert response.status_code == 302
    draft = paramsets.versions("cnipa_pvd")[0]
    assert draft.status == "draft"
    assert (draft.params["alpha"], draft.params["beta"], draft.params["gamma"]) == pytest.approx(
        (4 / 7, 2 / 7, 1 / 7), abs=1e-6
    )
