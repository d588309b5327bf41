"""Contract templates: every right type renders in zh and en from the deal's snapshot only, the text
is hashed exactly, and tampering with a stored text is detected."""

import datetime as dt
from decimal import Decimal

import pytest

from app.market import contracts
from app.market.contracts import TEMPLATE_OF, render_contract, sha256_text, verify_contract
from app.market.deal_models import Contract, ContractSignature, Deal


def _deal(right_type: str, jurisdiction: str = "CN") -> Deal:
    return Deal(
        reference="D-2026-000042",
        right_type=right_type,
        price_amount=Decimal("1250000.00"),
        currency="CNY",
        parties={
            "seller": {"name": "陈教授", "organisation": "浙江大学技术转移中心"},
            "buyer": {"name": "刘总", "organisation": "宁波智造装备有限公司"},
        },
        patents=[{"id": 1, "number": "CN 112345678 B", "jurisdiction": jurisdiction, "title": "一种正极材料"}],
        terms={"field_of_use": "电动汽车", "territory": None, "term_months": 48, "sublicensing": False,
               "royalty_rate": "3.5", "minimum_annual_royalty": "100000.00",
               "milestones": [{"label": "首次销售", "amount": "200000.00"}]},
    )  # fmt: skip


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("right_type", sorted(TEMPLATE_OF))
def test_every_template_renders_every_right_type(app, frozen_clock, right_type, language):
    name, text = render_contract(_deal(right_type), language)
    assert name == f"{TEMPLATE_OF[right_type]}.{language}.txt"
    assert "D-2026-000042" in text
    assert "宁波智造装备有限公司" in text
    assert "CN 112345678 B" in text
    assert "CNY 1,250,000.00" in text
    assert ("2026年12月1日" if language == "zh" else "1 December 2026") in text
    assert "{{" not in text
    assert "{%" not in text


def test_assignment_names_the_registration_rules(app, frozen_clock):
    _name, cn = render_contract(_deal("assignment"), "en")
    _name, us = render_contract(_deal("assignment", "US"), "en")
    assert "takes effect on the date CNIPA registers it" in cn
    assert "35 U.S.C. 261" not in cn
    assert "35 U.S.C. 261" in us


def test_licence_terms_and_sole_versus_exclusive(app, frozen_clock):
    _name, sole = render_contract(_deal("sole_licence"), "zh")
    _name, exclusive = render_contract(_deal("exclusive_licence"), "zh")
    assert "排他实施许可" in sole
    assert "甲方自己可以实施" in sole
    assert "独占实施许可" in exclusive
    assert "甲方自己亦不得实施" in exclusive
    assert (
        "48 个月" in exclusive
    )
    assert (
        "3.5%" in exclusive
    )
    assert (
        "首次销售" in exclusive
    )
    assert (
        "三个月内" in exclusive
    )


def test_a_template_typo_fails_loudly(app, frozen_clock, tmp_path, monkeypatch):
    from jinja2 import FileSystemLoader
    from jinja2.exceptions import UndefinedError

    (tmp_path / "assignment.zh.txt").write_text("{{ buyer.nmae }}", encoding="utf-8")
    monkeypatch.setattr(contracts._env, "loader", FileSystemLoader(tmp_path))
    contracts._env.cache.clear()
    with pytest.raises(UndefinedError):
        render_contract(_deal("assignment"), "zh")
    contracts._env.cache.clear()


def test_hash_is_of_the_exact_utf8_text_and_tampering_is_detected():
    text = "合同正文\n第一条"
    contract = Contract(text=text, text_sha256=sha256_text(text))
    contract.signatures = [ContractSignature(side="seller", text_sha256=sha256_text(text), typed_name="x",
                                             signed_at=dt.datetime.now(dt.UTC))]  # fmt: skip
    assert verify_contract(contract)
    contract.text = text + " "
    assert not verify_contract(contract)
