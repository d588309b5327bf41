"""Money and dates are shown the way Chinese and English readers expect."""

from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask_babel import refresh

from app.core.i18n import format_day, format_moment, format_money, format_money_exact


@contextmanager
def speaking(app, language: str):
    """A request in that language (refresh: the test's app context would cache the locale)."""
    with app.test_request_context(headers={"Accept-Language": language}):
        refresh()
        yield


@pytest.mark.parametrize(
    ("amount", "zh", "en"),
    [
        (Decimal("12500000"), "¥1,250万", "CN¥12,500,000.00"),
        (Decimal("350000000"), "¥3.5亿", "CN¥350,000,000.00"),
        (Decimal("9800.50"), "¥9,800.50", "CN¥9,800.50"),
        (Decimal("12345"), "¥1.23万", "CN¥12,345.00"),
        (Decimal("0.1") + Decimal("0.2"), "¥0.30", "CN¥0.30"),
    ],
)
def test_money(app, amount, zh, en):
    with speaking(app, "zh-CN"):
        assert format_money(amount) == zh
    with speaking(app, "en"):
        assert format_money(amount) == en


def test_exact_money_in_zh(app):
    with speaking(app, "zh-CN"):
        assert format_money_exact(Decimal("12500000")) == "¥12,500,000.00"


def test_dates(app):
    moment = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
    with speaking(app, "zh-CN"):
        assert format_day(date(2026, 11, 25)) == "2026年11月25日"
        assert format_moment(moment) == "2026年11月25日 10:30"  # Asia/Shanghai
    with speaking(app, "en"):
        assert format_day(date(2026, 11, 25)) == "25 Nov 2026"
