"""Catalogue writes keep the search index in step, in the same transaction."""

from app.catalogue import services
from app.catalogue.search import SearchQuery, search
from app.extensions import db


def found(text: str) -> list[int]:
    return [hit.record_id for hit in search(db.session, SearchQuery(text=text, types=("patent",))).hits]


def test_created_patent_is_searchable_after_commit(make_patent, holder):
    patent = make_patent(holder, title_en="Sodium sulphur flow battery")
    assert found("sulphur") == [patent.id]


def test_edit_and_hide_update_the_index(make_patent, holder, admin):
    patent = make_patent(holder, title_en="Sodium sulphur flow battery")
    services.update_patent(patent, holder, {"title_en": "Zinc bromine flow battery"})
    db.session.commit()
    assert found("sulphur") == []
    assert found("bromine") == [patent.id]
    services.moderate(patent, admin, "hide", "duplicate listing")
    db.session.commit()
    assert found("bromine") == []


def test_rolled_back_write_leaves_the_index_alone(make_patent, holder):
    patent = make_patent(holder, title_en="Sodium sulphur flow battery")
    services.update_patent(patent, holder, {"title_en": "Vanadium redox flow battery"})
    db.session.rollback()
    db.session.commit()
    assert found("vanadium") == []
    assert found("sulphur") == [patent.id]
