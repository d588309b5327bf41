"""Statutory terms and date consistency."""

import datetime as dt

import pytest

from app.catalogue.terms import (
    InconsistentDates,
    PatentDates,
    add_years,
    check_dates,
    date_problems,
    expiry_date,
    remaining_years,
)

D = dt.date


@pytest.mark.parametrize(
    ("jurisdiction", "patent_type", "filing", "grant", "expected"),
    [
        ("CN", "invention", D(2015, 3, 20), None, D(2035, 3, 20)),
        ("CN", "utility_model", D(2015, 3, 20), None, D(2025, 3, 20)),
        ("CN", "design", D(2021, 5, 31), None, D(2031, 5, 31)),
        ("CN", "design", D(2021, 6, 1), None, D(2036, 6, 1)),
        ("US", "invention", D(2005, 2, 1), D(2008, 1, 1), D(2025, 2, 1)),
        ("US", "design", D(2015, 5, 12), D(2016, 1, 5), D(2030, 1, 5)),
        ("US", "design", D(2015, 5, 13), D(2016, 1, 5), D(2031, 1, 5)),
        ("US", "design", D(2015, 5, 13), None, None),
        ("EP", "invention", D(2010, 1, 1), None, D(2030, 1, 1)),
        ("JP", "invention", D(2010, 1, 1), None, D(2030, 1, 1)),
        ("KR", "invention", D(2010, 1, 1), None, D(2030, 1, 1)),
        ("WO", "invention", D(2010, 1, 1), None, None),
        ("CN", "invention", None, None, None),
    ],
)
def test_expiry_rules(jurisdiction, patent_type, filing, grant, expected):
    assert expiry_date(jurisdiction, patent_type, filing, grant) == expected


def test_leap_day_anniversary_falls_back():
    assert add_years(D(2004, 2, 29), 20) == D(2024, 2, 29)
    assert add_years(D(2004, 2, 29), 10) == D(2014, 2, 28)


def test_remaining_years():
    assert remaining_years(D(2035, 3, 20), D(2025, 3, 20)) == pytest.approx(10.0, abs=0.01)
    assert remaining_years(D(2020, 1, 1), D(2025, 1, 1)) == 0.0
    assert remaining_years(None, D(2025, 1, 1)) is None


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        (PatentDates(filing_date=D(2010, 5, 1), grant_date=D(2009, 1, 1)), "grant_date"),
        (PatentDates(filing_date=D(2010, 5, 1), publication_date=D(2010, 4, 30)), "publication_date"),
        (PatentDates(filing_date=D(2010, 5, 1), priority_date=D(2010, 5, 2)), "priority_date"),
    ],
)
def test_inconsistent_dates_name_the_field(dates, field):
    assert [p.field for p in date_problems(dates)] == [field]
    with pytest.raises(InconsistentDates, match=field):
        check_dates(dates)


def test_consistent_and_partial_dates_pass():
    check_dates(PatentDates(D(2010, 5, 1), D(2009, 5, 1), D(2011, 11, 1), D(2013, 1, 1)))
    check_dates(PatentDates(grant_date=D(2013, 1, 1)))
    assert date_problems(PatentDates()) == []
