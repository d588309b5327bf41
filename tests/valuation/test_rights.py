"""Rights in force from facts on the valuation date: term, fees, invalidation outcomes (issue 9)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from app.valuation.inputs import patent_facts
from app.valuation.rights import FULL, PARTIAL, PENDING, UPHELD, invalidation_outcome, rights_on
from tests.valuation.test_inputs import patent as full_patent


def patent(**over):
    base = {
        "jurisdiction": "CN",
        "patent_type": "invention",
        "legal_status": "granted",
        "filing_date": dt.date(2016, 5, 1),
        "grant_date": dt.date(2018, 5, 1),
        "expiry_date": None,
        "annual_fee_paid_year": None,
        "events": [],
    }
    return SimpleNamespace(**(base | over))


def test_granted_patent_past_its_computed_term_is_expired_whatever_the_status_word():
    old = patent(filing_date=dt.date(2004, 3, 1), grant_date=dt.date(2006, 3, 1))
    rights = rights_on(old, dt.date(2026, 5, 1))
    assert (rights.status, rights.in_force, rights.expiry) == ("expired", False, dt.date(2024, 3, 1))
    assert "1 Mar 2024" in rights.reason.en
    assert "法定保护期已于2024年3月1日届满" in rights.reason.zh  # a Chinese date in Chinese text
    assert "2024-03-01" not in rights.reason.zh + rights.reason.en
    facts = patent_facts(full_patent(**vars(old)), on=dt.date(2026, 5, 1))
    assert (facts["remaining_years"], facts["legal_status"]) == (0.0, "expired")
    assert facts["rights"]["reason"]["code"] == "expired_term"


@pytest.mark.parametrize(
    ("filed", "on", "in_force"),
    [
        (dt.date(2015, 3, 1), dt.date(2026, 5, 1), False),  # before 2021-06-01: 10 years, ended 2025
        (dt.date(2021, 6, 1), dt.date(2032, 5, 1), True),  # on or after: 15 years
    ],
)
def test_cn_design_term_depends_on_filing_date(filed, on, in_force):
    design = patent(patent_type="design", filing_date=filed, grant_date=filed + dt.timedelta(days=200))
    assert rights_on(design, on).in_force is in_force


def test_us_design_uses_us_term_from_grant():
    design = patent(
        jurisdiction="US",
        patent_type="design",
        filing_date=dt.date(2010, 1, 1),
        grant_date=dt.date(2012, 2, 7),
    )
    assert rights_on(design, dt.date(2026, 2, 6)).in_force
    assert rights_on(design, dt.date(2026, 2, 7)).status == "expired"  # 14 years from grant


def test_unpaid_annual_fee_lapses_after_the_grace_period():
    p = patent(filing_date=dt.date(2016, 5, 10), annual_fee_paid_year=8)  # year 9 due 2024-05-10
    assert rights_on(p, dt.date(2024, 11, 10)).in_force  # still within six months' grace
    lapsed = rights_on(p, dt.date(2024, 11, 11))
    assert lapsed.status == "lapsed"
    assert "year 9" in lapsed.reason.en
    assert "应于2024年5月10日缴纳，滞纳期已于2024年11月10日届满" in lapsed.reason.zh
    assert "fell due on 10 May 2024" in lapsed.reason.en


@pytest.mark.parametrize(
    ("lang", "shown"),
    [("zh", "法定保护期已于2024年3月1日届满"), ("en", "The legal term ended on 1 Mar 2024")],
)
def test_older_stored_notes_show_their_iso_dates_in_the_readers_format(app, lang, shown):
    from app.core.i18n import days_for_reader

    stored = {"zh": "法定保护期已于 2024-03-01届满", "en": "The legal term ended on 2024-03-01"}[lang]
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert days_for_reader(stored).replace("于 ", "于") == shown


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("维持有效 Upheld", UPHELD),
        ("宣告专利权全部无效", FULL),
        ("Invalidated in full", FULL),
        ("claims 1-3 held invalid", PARTIAL),
        ("部分无效，维持权利要求4-6有效", PARTIAL),
        ("", PENDING),
        (None, PENDING),
    ],
)
def test_invalidation_outcomes_are_read_from_the_decision(text, outcome):
    assert invalidation_outcome(text) == outcome


def test_invalidation_events_count_by_outcome():
    ev = [
        SimpleNamespace(
            event_type="invalidation", occurred_on=dt.date(2020, 1, 1), outcome="claims 1-2 held invalid"
        ),
        SimpleNamespace(event_type="invalidation", occurred_on=dt.date(2021, 1, 1), outcome=None),
    ]
    rights = rights_on(patent(events=ev), dt.date(2022, 1, 1))
    assert rights.in_force
    assert rights.status == "valid"
    assert rights.invalidations == {PARTIAL: 1, PENDING: 1}
    assert {w.code for w in rights.warnings} == {"partially_invalidated", "invalidation_pending"}
    full = SimpleNamespace(event_type="invalidation", occurred_on=dt.date(2021, 6, 1), outcome="全部无效")
    gone = rights_on(patent(events=[full]), dt.date(2022, 1, 1))
    assert (gone.status, gone.reason.code) == ("invalid", "invalidated_in_full")


def test_missing_filing_date_estimates_the_term_from_the_grant_and_says_so():
    us = patent(jurisdiction="US", filing_date=None, grant_date=dt.date(2014, 6, 3))
    rights = rights_on(us, dt.date(2026, 5, 1))
    assert rights.in_force
    assert rights.expiry_basis == "estimated"
    assert "expiry_estimated" in {w.code for w in rights.warnings}
