"""Stored valuations reach the catalogue search: filter and sort patents by their fair value."""

from decimal import Decimal

from app.catalogue.search import SearchQuery, index_patents, search
from app.extensions import db
from app.valuation.batch import patent_ids, revalue
from app.valuation.services import current_rows, load_config, value_patent


def found(**query) -> list[int]:
    return [hit.record_id for hit in search(db.session, SearchQuery(types=("patent",), **query)).hits]


def midpoint(patent) -> Decimal:
    return current_rows(patent.id)[0].mid


def test_bulk_revaluation_feeds_value_filters_and_sorting(app, seeded, make_patent):
    patents = [make_patent(claims=2 + 6 * i, family=["CN", "US", "EP", "JP"][: 1 + i]) for i in range(4)]
    index_patents(db.session, [p.id for p in patents])
    db.session.commit()
    assert found(value_min=Decimal(1)) == []  # not valued yet
    revalue(patent_ids(), load_config())
    db.session.commit()
    by_value = sorted(patents, key=lambda p: (midpoint(p), p.id), reverse=True)
    assert found(sort="value") == [p.id for p in by_value]
    cut = midpoint(by_value[1])
    assert set(found(value_min=cut)) == {p.id for p in patents if midpoint(p) >= cut}


def test_interactive_valuation_and_reindexing_keep_the_value(app, seeded, make_patent):
    patent = make_patent()
    index_patents(db.session, [patent.id])
    value_patent(patent)
    db.session.commit()
    mid = midpoint(patent)
    assert found(value_min=mid, value_max=mid) == [patent.id]
    index_patents(db.session, [patent.id])  # a rebuilt document asks the enricher for the value
    db.session.commit()
    assert found(value_min=mid, value_max=mid) == [patent.id]
