"""Every model's detail page, for assessors and administrators, in zh: labels and units in words, no
Python types or identifiers (QA saw float, list[float] and snake_case names there; fixed by the label
table, kept so for every registered model, not only the five the page test visits)."""

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.seed import seed_accounts
from app.extensions import db
from app.valuation import paramsets
from app.valuation.seed import seed_parameter_sets
from tests.valuation.test_zh_valuation_pages import _leaks


@pytest.mark.parametrize("email", ["assessor@ipex.demo", "admin@ipex.demo"])
def test_every_model_page_speaks_chinese(client, auth, email):
    seed_accounts(lambda _line: None)
    seed_parameter_sets(lambda _line: None)
    db.session.commit()
    assert db.session.scalar(select(User).where(User.email == email)) is not None
    auth.login(email, "demo-pass-2026")
    found = {}
    for model_id in paramsets.known_model_ids():
        response = client.get(f"/valuation/workbench/models/{model_id}", headers={"Accept-Language": "zh-CN"})
        assert response.status_code == 200, model_id
        html = response.get_data(as_text=True)
        if leaks := _leaks(html):
            found[model_id] = leaks
    assert found == {}
    rfr = client.get("/valuation/workbench/models/rfr", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    for words in ("数值列表", "元/年", "年百分比", "概率分布"):  # list[float], CNY/yr, 1/yr, distribution
        assert words in rfr
