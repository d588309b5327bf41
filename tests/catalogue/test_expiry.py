"""A granted patent whose term has run out is expired: on writes, on its page, in search, and by
the daily `flask catalogue expire-terms` for patents that were granted when they were saved."""

import datetime as dt

from sqlalchemy import select

from app.catalogue import services
from app.catalogue.models import CatalogueChange, Patent
from app.catalogue.search import SearchQuery, search
from app.extensions import db

# A CN utility model lasts 10 years from filing: filed 2012, it ended in 2022.
OLD_UTILITY_MODEL = {"publication_number": "CN 202345678 U", "application_number": None, "kind_code": "U",
                     "filing_date": "2012-03-01", "publication_date": "2012-10-01", "grant_date": "2012-10-01",
                     "legal_status": "granted"}  # fmt: skip


def _expired_in_search() -> list[int]:
    result = search(db.session, SearchQuery(types=("patent",), statuses=("expired",)))
    return [hit.record_id for hit in result.hits]


def test_saving_a_granted_patent_past_its_term_stores_it_as_expired(make_patent, holder):
    patent = make_patent(holder, **OLD_UTILITY_MODEL)
    assert patent.expiry_date == dt.date(2022, 3, 1)
    assert (patent.legal_status, patent.legal_status_date) == ("expired", patent.expiry_date)
    assert _expired_in_search() == [patent.id]


def test_expire_terms_marks_what_ran_out_with_history_and_index(make_patent, holder):
    patent = make_patent(holder, **{**OLD_UTILITY_MODEL, "filing_date": "2020-03-01",
                                    "publication_date": "2020-10-01", "grant_date": "2020-10-01"})  # fmt: skip
    current = make_patent(
        holder, publication_number="CN 118866390 A", legal_status="granted", grant_date="2019-06-01"
    )
    assert patent.legal_status == "granted"  # until 2030-03-01
    assert services.expire_terms(None, dt.date(2030, 3, 1)) == 0
    assert services.expire_terms(None, dt.date(2030, 3, 2)) == 1
    db.session.commit()
    assert (patent.legal_status, patent.legal_status_date) == ("expired", dt.date(2030, 3, 1))
    assert current.legal_status == "granted"
    assert [e.summary for e in patent.events] == ["granted → expired"]
    last = db.session.scalars(
        select(CatalogueChange)
        .where(CatalogueChange.record_id == patent.id)
        .order_by(CatalogueChange.id.desc())
    ).first()
    assert last.changes["legal_status"] == ["granted", "expired"]
    assert _expired_in_search() == [patent.id]


def test_patent_page_shows_expired_before_the_daily_run(client, make_patent, holder):
    patent = make_patent(holder, **{**OLD_UTILITY_MODEL, "filing_date": "2020-03-01",
                                    "publication_date": "2020-10-01", "grant_date": "2020-10-01"})  # fmt: skip
    db.session.execute(
        db.update(Patent).where(Patent.id == patent.id).values(expiry_date=dt.date(2020, 1, 1))
    )
    db.session.commit()
    page = client.get(f"/patents/{patent.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Expired" in page
    assert "Granted" not in page
    assert "no longer in force" in page
