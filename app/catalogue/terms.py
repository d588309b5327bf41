"""Statutory terms: computed expiry, remaining term and date-consistency checks.

Rules implemented (term adjustments, extensions, terminal disclaimers and unpaid fees are
not modelled; legal_status carries those facts):

* CN: invention 20 years from filing, utility model 10 years, design 10 years from filing,
  or 15 years for designs filed on or after 2021-06-01 (Patent Law, 4th amendment).
* US: utility and plant 20 years from the earliest non-provisional filing; design 14 years
  from grant, or 15 years from grant if filed on or after 2015-05-13 (Hague implementation).
* EP, JP, KR: 20 years from filing for inventions; JP/KR utility models 10 years.
* WO (a PCT application is not a patent) and other combinations: no expiry (``None``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from app.catalogue.messages import N_, FieldError, Message, MessageError, message

CN_DESIGN_15Y_FROM = dt.date(2021, 6, 1)
US_DESIGN_15Y_FROM = dt.date(2015, 5, 13)

# (jurisdiction, patent_type) -> years counted from filing
_YEARS_FROM_FILING = {
    ("CN", "invention"): 20,
    ("CN", "utility_model"): 10,
    ("US", "invention"): 20,
    ("EP", "invention"): 20,
    ("JP", "invention"): 20,
    ("KR", "invention"): 20,
    ("JP", "utility_model"): 10,
    ("KR", "utility_model"): 10,
}


class InconsistentDates(FieldError):
    """Dates that cannot all be true; names the field to correct (reason: a translatable Message)."""


def add_years(start: dt.date, years: int) -> dt.date:
    """Anniversary date; 29 February falls back to 28 February; past year 9999, the last date."""
    if start.year + years > dt.MAXYEAR:
        return dt.date.max
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def expiry_date(
    jurisdiction: str,
    patent_type: str,
    filing_date: dt.date | None,
    grant_date: dt.date | None = None,
) -> dt.date | None:
    """Nominal end of term, or None when the rule or the dates needed are unknown."""
    if jurisdiction == "CN" and patent_type == "design":
        if filing_date is None:
            return None
        return add_years(filing_date, 15 if filing_date >= CN_DESIGN_15Y_FROM else 10)
    if jurisdiction == "US" and patent_type == "design":
        if grant_date is None:
            return None
        long_term = filing_date is not None and filing_date >= US_DESIGN_15Y_FROM
        return add_years(grant_date, 15 if long_term else 14)
    years = _YEARS_FROM_FILING.get((jurisdiction, patent_type))
    if years is None or filing_date is None:
        return None
    return add_years(filing_date, years)


def remaining_years(expiry: dt.date | None, on: dt.date) -> float | None:
    """Years of protection left at a date (0.0 once expired), for sorting and valuation."""
    if expiry is None:
        return None
    return round(max((expiry - on).days, 0) / 365.25, 2)


@dataclass(frozen=True, slots=True)
class PatentDates:
    """The dates whose order the law fixes."""

    filing_date: dt.date | None = None
    priority_date: dt.date | None = None
    publication_date: dt.date | None = None
    grant_date: dt.date | None = None


def date_problems(dates: PatentDates) -> list[InconsistentDates]:
    """Every ordering violation, so an import report can list them all at once."""
    problems = []
    filing = dates.filing_date
    if filing and dates.grant_date and dates.grant_date < filing:
        problems.append(InconsistentDates("grant_date", _before_filing(dates.grant_date, filing)))
    if filing and dates.publication_date and dates.publication_date < filing:
        problems.append(InconsistentDates("publication_date", _before_filing(dates.publication_date, filing)))
    if filing and dates.priority_date and dates.priority_date > filing:
        problems.append(
            InconsistentDates(
                "priority_date",
                message(
                    N_("%(date)s is after filing date %(filing)s"),
                    date=dates.priority_date.isoformat(),
                    filing=filing.isoformat(),
                ),
            )
        )
    return problems


def _before_filing(day: dt.date, filing: dt.date):
    return message(
        N_("%(date)s is before filing date %(filing)s"), date=day.isoformat(), filing=filing.isoformat()
    )


def check_dates(dates: PatentDates) -> None:
    """Raise the first ordering violation; for forms that show one message per field."""
    problems = date_problems(dates)
    if problems:
        raise problems[0]


def status_on(legal_status: str | None, expiry: dt.date | None, today: dt.date) -> str | None:
    """A granted right whose term has run out is expired, whatever the record last said."""
    if legal_status == "granted" and expiry is not None and expiry < today:
        return "expired"
    return legal_status


class InvalidValue(MessageError):
    """A value that cannot be read as its type (a date)."""


def parse_date(value: str | None) -> dt.date | None:
    """Accept ISO dates and the compact YYYYMMDD of patent XML; ValueError otherwise."""
    value = (value or "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d{8}", value):
        parts = (value[:4], value[4:6], value[6:])
    elif re.fullmatch(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}", value):
        parts = tuple(re.split(r"[-/.]", value))
    else:
        raise InvalidValue(message(N_("%(value)s is not a date (use YYYY-MM-DD)"), value=repr(value)))
    try:
        return dt.date(*(int(p) for p in parts))
    except ValueError as exc:
        raise InvalidValue(
            message(N_("%(value)s is not a real date (%(error)s)"), value=repr(value), error=_date_error(exc))
        ) from None


def _date_error(exc: ValueError) -> Message:
    """datetime's English reasons, as translatable templates."""
    known = {
        "month must be in 1..12": N_("month must be in 1..12"),
        "day is out of range for month": N_("day is out of range for month"),
    }
    text = str(exc)
    return message(known.get(text, text))
