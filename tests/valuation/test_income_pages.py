"""The owner's income-input form on the valuation page: the range moves after saving; bad input gets
field messages in both languages, never a 500 (issue 9)."""

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.valuation.services import current_rows, value_patent

GOOD = {
    "listing_type": "default",
    "revenue_forecast": "500万 600万 700万",
    "attribution": "40",
    "royalty_rate": "5",
    "royalty_evidence_kind": "industry_table",
    "royalty_evidence": "UNIDO electrical 3-4.5 %",
    "economic_life_years": "3",
    "discount_method": "build_up",
    "risk_free_rate": "2.5",
    "technology_premium": "4",
    "market_premium": "3",
    "financial_premium": "1",
    "management_premium": "1",
}


@pytest.fixture
def owned(seeded, make_patent, make_user):
    owner = make_user(email="owner@example.com", roles=(Role.RIGHTS_HOLDER,))
    patent = make_patent(owner_id=owner.id)
    value_patent(patent)
    db.session.commit()
    return owner, patent


def test_owner_enters_revenue_and_the_range_moves(client, auth, owned):
    owner, patent = owned
    before = current_rows(patent.id)[0].mid
    auth.login(owner)
    page = client.get(f"/valuation/patents/{patent.id}/inputs", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Revenue forecast per year" in page.text
    response = client.post(f"/valuation/patents/{patent.id}/inputs", data=GOOD)
    assert response.status_code == 302
    db.session.expire_all()
    head = current_rows(patent.id)[0]
    assert head.mid != before
    assert "rfr" in head.result["weights"]
    report = client.get(f"/valuation/patents/{patent.id}", headers={"Accept-Language": "en"}).text
    assert "Income inputs entered by the owner" in report


@pytest.mark.parametrize(
    ("field", "value", "en", "zh"),
    [
        ("revenue_forecast", "500万 -3", "revenue cannot be negative", "收入不能为负"),
        ("revenue_forecast", "9e20", "not plausible", "不合理"),
        ("probability_of_grant", "150", "between 0 and 100", "0 到 100"),
        ("technology_premium", "-2", "between 0 and 30", "0 到 30"),
        ("risk_free_rate", "", "risk-free rate", "无风险利率"),
    ],
)
def test_bad_input_gets_field_messages_in_both_languages(client, auth, owned, field, value, en, zh):
    owner, patent = owned
    auth.login(owner)
    for lang, text in (("en", en), ("zh", zh)):
        page = client.post(
            f"/valuation/patents/{patent.id}/inputs",
            data=GOOD | {field: value},
            headers={"Accept-Language": lang},
        )
        assert page.status_code == 422
        assert text in page.text


def test_strangers_cannot_enter_inputs(client, auth, owned, make_user):
    _, patent = owned
    auth.login(make_user(email="buyer@example.com"))
    assert client.get(f"/valuation/patents/{patent.id}/inputs").status_code == 403
    assert client.post(f"/valuation/patents/{patent.id}/inputs", data=GOOD).status_code in (400, 403)


def test_a_licence_valuation_never_replaces_the_ownership_value(client, auth, owned):
    owner, patent = owned
    ownership = current_rows(patent.id)[0]
    auth.login(owner)
    data = GOOD | {"listing_type": "licence", "field_of_use": "batteries", "territory": "CN"}
    assert client.post(f"/valuation/patents/{patent.id}/inputs", data=data).status_code == 302
    db.session.expire_all()
    assert current_rows(patent.id)[0].id == ownership.id
    assert current_rows(patent.id, "licence")[0].listing_type == "licence"
