"""Locale and time-zone selection, plus locale-aware formatting of money and dates."""

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale, get_translations, to_user_timezone
from flask_login import current_user

from app.extensions import babel

TEN_THOUSAND = Decimal(10_000)
HUNDRED_MILLION = Decimal(100_000_000)


def select_locale() -> str:
    """The user's explicit choice first, then the browser's preference; zh by default."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        preferred = getattr(current_user, "locale", None)
        if preferred in languages:
            return preferred
    if not request.accept_languages:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return request.accept_languages.best_match(languages) or "en"


def select_timezone() -> str:
    if has_request_context() and current_user and getattr(current_user, "is_authenticated", False):
        return getattr(current_user, "timezone", None) or current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _babel_context():
    """Flask-Babel's per-request namespace, or None before its first lookup / outside a context."""
    try:
        return g.get("_flask_babel")
    except RuntimeError:  # no application context
        return None


def request_translations():
    """The catalogue of the request's locale, found once per locale: Flask-Babel looks it up again
    (locale, domain, cache key) for every string a template translates. force_locale() and
    refresh() change the locale object, so the memo follows them."""
    ctx = _babel_context()
    memo = getattr(ctx, "ipex_translations", None)
    if memo is not None and memo[0] is getattr(ctx, "babel_locale", None) and memo[1] is ctx.babel_domain:
        return memo[2]
    translations = get_translations()
    ctx = _babel_context()
    locale = getattr(ctx, "babel_locale", None)
    if locale is not None and getattr(ctx, "babel_domain", None) is not None:
        ctx.ipex_translations = (locale, ctx.babel_domain, translations)
    return translations


def locale_code() -> str:
    """The request's locale as text ("zh", "en"), memoised per locale object like the catalogue."""
    ctx = _babel_context()
    memo = getattr(ctx, "ipex_locale_code", None)
    if memo is not None and memo[0] is getattr(ctx, "babel_locale", None):
        return memo[1]
    locale = get_locale()
    code = str(locale or "zh")
    ctx = _babel_context()
    if locale is not None and ctx is not None:
        ctx.ipex_locale_code = (locale, code)
    return code


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["money_exact"] = format_money_exact
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["enumeration"] = enumeration
    app.jinja_env.globals["colon"] = colon
    app.jinja_env.globals["localized"] = localized
    app.jinja_env.globals["pairs_text"] = pairs_text
    app.jinja_env.globals["current_locale"] = locale_code


def enumeration(items, label=str) -> str:
    """A list's words in the reader's language, each through ``label``: 独占许可、转让 in Chinese,
    "a, b" in English."""
    return ("、" if locale_code().startswith("zh") else ", ").join(str(label(item)) for item in items)


def localized(zh: str | None, en: str | None) -> str:
    """The text in the reader's language when a record has it, else the other one."""
    first, second = (zh, en) if locale_code().startswith("zh") else (en, zh)
    return first or second or ""


def colon() -> str:
    """The colon after a label: full-width in Chinese (估值报告：…), ": " in English."""
    return "：" if locale_code().startswith("zh") else ": "


def pairs_text(pairs) -> str:
    """(label, value) pairs as one line in the reader's language: 标签：值；标签：值 or "a: 1; b: 2"."""
    separator = "；" if locale_code().startswith("zh") else "; "
    return separator.join(f"{label}{colon()}{value}" for label, value in pairs)


def _locale_name() -> str:
    return "zh_Hans_CN" if locale_code().startswith("zh") else "en"


def format_money_exact(amount: Decimal | int | None, currency: str = "CNY") -> str:
    """The exact figure, e.g. ¥12,500,000.00 / CN¥12,500,000.00."""
    if amount is None:
        return "—"
    return _formatted_exact(isinstance(amount, float), str(amount), currency, _locale_name())


def _decimal(is_float: bool, text: str) -> Decimal:
    """The amount back from its cache key: a float's repr gives back that very float."""
    return Decimal(float(text)) if is_float else Decimal(text)


@lru_cache(maxsize=4096)
def _formatted_exact(is_float: bool, text: str, currency: str, locale: str) -> str:
    return format_currency(_decimal(is_float, text), currency, locale=locale)


def format_money(amount: Decimal | int | None, currency: str = "CNY") -> str:
    """Short money text: zh uses 万/亿 for large CNY amounts, en uses thousands separators."""
    if amount is None:
        return "—"
    return _formatted(isinstance(amount, float), str(amount), currency, _locale_name())


@lru_cache(maxsize=4096)
def _formatted(is_float: bool, text: str, currency: str, locale: str) -> str:
    """Babel's formatting is slow and a page repeats its amounts: memoised by the exact amount text."""
    amount = _decimal(is_float, text)
    if locale.startswith("zh") and currency == "CNY" and abs(amount) >= TEN_THOUSAND:
        unit, divisor = ("亿", HUNDRED_MILLION) if abs(amount) >= HUNDRED_MILLION else ("万", TEN_THOUSAND)
        scaled = (amount / divisor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
        return f"¥{format_decimal(scaled, locale=locale)}{unit}"
    return format_currency(amount, currency, locale=locale)


def format_day(value: date | datetime | None, fmt: str = "medium") -> str:
    """2026年11月25日 in zh, 25 Nov 2026 in en."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = to_user_timezone(value)
    if locale_code().startswith("zh"):
        return day_in(value, "zh")
    return format_date(value, "d MMM y")


def day_in(value: date, language: str) -> str:
    """A day in one language without a request (texts stored in both): 2026年5月1日 / 1 May 2026."""
    if language.startswith("zh"):
        return f"{value.year}年{value.month}月{value.day}日"
    return babel_format_date(value, "d MMM y", locale="en")


ISO_DAY = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")  # \b fails beside CJK letters


def days_for_reader(text: str) -> str:
    """ISO dates inside a stored sentence (e.g. older valuation notes) in the reader's format."""

    def one(match: re.Match) -> str:
        try:
            return format_day(date(*(int(part) for part in match.groups())))
        except ValueError:
            return match.group(0)

    return ISO_DAY.sub(one, text)


def format_moment(value: datetime | None) -> str:
    """Date and time in the user's time zone: 2026年11月25日 14:05 / 25 Nov 2026, 14:05."""
    if value is None:
        return "—"
    local = to_user_timezone(value)
    if locale_code().startswith("zh"):
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return format_datetime(value, "d MMM y, HH:mm")
