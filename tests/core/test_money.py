"""Money and the one parser for amounts people type."""

from decimal import Decimal

import pytest

from app.core.money import CurrencyMismatch, Money, MoneyError, parse_money


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("125000", "125000"),
        ("125,000.00", "125000"),
        ("¥125000", "125000"),
        ("￥125,000", "125000"),
        ("CNY 125000", "125000"),
        ("RMB125000", "125000"),
        ("12.5万", "125000"),
        ("12.5 万元", "125000"),
        ("1.2亿", "120000000"),
        ("0.35亿", "35000000"),
        ("1.23456万", "12345.6"),
        ("125000元", "125000"),
        ("１２５，０００", "125000"),  # full-width digits and comma from a Chinese IME
        ("0", "0"),
        ("0.5", "0.5"),
        ("1，250，000", "1250000"),
    ],
)
def test_parse_money_table(app, text, amount):
    if amount is None:
        with pytest.raises(MoneyError):
            parse_money(text)
        return
    money = parse_money(text)
    assert money == Money(Decimal(amount), "CNY")
    assert money.amount == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "format"),
        ("abc", "format"),
        ("12,50", "format"),  # not a thousands grouping
        ("1.2.3", "format"),
        ("万", "format"),
        ("-5", "negative"),
        ("1.234", "places"),
        ("1.2345678万", "places"),  # 12345.678
        ("99999999999999999", "too_large"),
        ("$100", "currency"),
        ("NaN", "format"),
        ("Infinity", "format"),
        ("1e5", "format"),
    ],
)
def test_parse_money_refusals(app, text, code):
    with pytest.raises(MoneyError) as caught:
        parse_money(text)
    assert caught.value.code == code
    assert caught.value.message


def test_parse_money_other_currency_and_decimal_input(app):
    assert parse_money("$1,000.50", "USD") == Money(Decimal("1000.50"), "USD")
    assert parse_money(Decimal("12.30")).amount == Decimal("12.30")
    assert parse_money(7).amount == Decimal(7)
    assert parse_money("1.2345", places=4).amount == Decimal("1.2345")


def test_money_message_is_translated(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("zh"), pytest.raises(MoneyError) as caught:
        parse_money("-1")
    assert caught.value.message == "请输入零或更大的金额。"


def test_arithmetic_and_comparison_within_one_currency():
    a, b = Money(Decimal("100.10")), Money(Decimal("0.90"))
    assert a + b == Money(Decimal("101.00"))
    assert a - b == Money(Decimal("99.20"))
    assert a * 3 == Money(Decimal("300.30"))
    assert b < a
    assert a >= b
    assert max(a, b) == a
    with pytest.raises(CurrencyMismatch):
        a + Money(Decimal(1), "USD")
    with pytest.raises(CurrencyMismatch):
        assert a < Money(Decimal(1), "USD")
    with pytest.raises(TypeError):
        a * 1.5


def test_minor_units_only_exact():
    assert Money(Decimal("125000.50")).to_minor_units() == 12500050
    assert Money.from_minor_units(12500050) == Money(Decimal("125000.50"))
    assert Money(Decimal(500), "JPY").to_minor_units() == 500
    with pytest.raises(MoneyError):
        Money(Decimal("1.005")).to_minor_units()
    assert Money(Decimal("1.5")).to_json() == {"amount": "1.50", "currency": "CNY"}


def test_money_refuses_bad_currency_and_nan():
    with pytest.raises(MoneyError):
        Money(Decimal("NaN"))
    with pytest.raises(MoneyError):
        Money(Decimal(1), "yuan")
