"""Patent services: validation, ownership, history, moderation and idempotent upserts."""

import datetime as dt

import pytest

from app.catalogue import services
from app.catalogue.errors import ValidationFailed
from app.catalogue.models import HIDDEN, PUBLISHED
from app.catalogue.records import Classification, PatentRecord, SourceRef
from app.core.errors import PermissionDenied
from app.extensions import db

from .conftest import GOOD_PATENT


def test_create_normalises_numbers_codes_and_computes_expiry(holder):
    patent = services.create_patent(holder, GOOD_PATENT)
    db.session.commit()
    assert (patent.jurisdiction, patent.publication_number, patent.kind_code) == ("CN", "CN118866379", "A")
    assert patent.application_number == "CN201710601862.3"
    assert patent.codes("ipc") == ["H01M 10/0525", "H01M 4/00"]
    assert patent.main_classification.code == "H01M 10/0525"
    assert patent.classifications[0].search_key == "H01M0010/0525"
    assert patent.expiry_date == dt.date(2037, 7, 20)
    assert patent.family_countries == ["CN", "US"]
    assert patent.family_size == 2
    assert patent.party_names("inventor") == ["张三", "李四"]
    assert patent.owner == holder
    assert patent.organisation_id == holder.organisation_id
    assert [c.action for c in services.history(patent)] == ["create"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"publication_number": "CN 12 A"}, "publication_number"),
        ({"application_number": "201710601862.4"}, "application_number"),
        ({"jurisdiction": "XX"}, "jurisdiction"),
        ({"grant_date": "2016-01-01"}, "grant_date"),
        ({"priority_date": "2018-01-01"}, "priority_date"),
        ({"filing_date": "2017-02-30"}, "filing_date"),
        ({"ipc_codes": ["Z99Q 1/00"]}, "ipc_codes"),
        ({"independent_claims_count": 11}, "independent_claims_count"),
        ({"title_zh": None, "title_en": ""}, "title_en"),
        ({"legal_status": "alive"}, "legal_status"),
        ({"annual_fee_paid_year": 40}, "annual_fee_paid_year"),
        ({"family_countries": ["USA"]}, "family_countries"),
    ],
)
def test_bad_input_names_the_field(holder, change, field):
    with pytest.raises(ValidationFailed) as caught:
        services.create_patent(holder, {**GOOD_PATENT, **change})
    assert field in caught.value.fields


def test_duplicate_number_is_a_field_error(holder, make_patent):
    make_patent(holder)
    with pytest.raises(ValidationFailed) as caught:
        services.create_patent(holder, {**GOOD_PATENT, "publication_number": "CN118866379B"})
    assert "publication_number" in caught.value.fields


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("owner", True), ("other", False), ("admin", True), ("buyer", False)],
)
def test_only_owner_or_admin_edits(make_patent, holder, other_holder, admin, buyer, who, allowed):
    patent = make_patent(holder)
    actor = {"owner": holder, "other": other_holder, "admin": admin, "buyer": buyer}[who]
    if allowed:
        changes = services.update_patent(patent, actor, {"title_en": "Better battery"})
        assert changes["title_en"] == ("Lithium-ion battery", "Better battery")
    else:
        with pytest.raises(PermissionDenied):
            services.update_patent(patent, actor, {"title_en": "Better battery"})


def test_buyers_cannot_add_patents(buyer):
    with pytest.raises(PermissionDenied):
        services.create_patent(buyer, GOOD_PATENT)


def test_only_admins_add_for_someone_else(holder, other_holder, admin):
    with pytest.raises(PermissionDenied):
        services.create_patent(holder, GOOD_PATENT, owner=other_holder)
    patent = services.create_patent(admin, GOOD_PATENT, owner=other_holder)
    assert patent.owner == other_holder


def test_update_keeps_history_and_logs_status_change(make_patent, holder):
    patent = make_patent(holder)
    services.update_patent(patent, holder, {"legal_status": "granted", "grant_date": "2019-03-01"})
    db.session.commit()
    assert patent.legal_status_date is not None
    assert [e.event_type for e in patent.events] == ["legal_status"]
    last = services.history(patent)[0]
    assert last.action == "update"
    assert last.actor_id == holder.id
    assert last.changes["legal_status"] == ["pending", "granted"]
    assert last.changes["grant_date"] == [None, "2019-03-01"]
    assert services.update_patent(patent, holder, {"title_en": "Lithium-ion battery"}) == {}


def test_code_changes_replace_rows_and_main_mark(make_patent, holder):
    patent = make_patent(holder)
    services.update_patent(patent, holder, {"ipc_codes": ["H01M 4/00", "H01M 10/0525"]})
    db.session.commit()
    assert patent.main_classification.code == "H01M 4/00"


def test_moderation_is_admin_only_and_needs_a_reason(make_patent, holder, admin):
    patent = make_patent(holder)
    with pytest.raises(PermissionDenied):
        services.moderate(patent, holder, "hide", "spam")
    with pytest.raises(ValidationFailed) as caught:
        services.moderate(patent, admin, "hide", "  ")
    assert "reason" in caught.value.fields
    services.moderate(patent, admin, "hide", "Duplicate listing")
    db.session.commit()
    assert (patent.moderation_status, patent.moderation_reason) == (HIDDEN, "Duplicate listing")
    assert patent.can_view(holder)
    assert patent.can_view(admin)
    assert not patent.can_view(None)
    services.moderate(patent, admin, "publish")
    assert patent.moderation_status == PUBLISHED
    assert [c.action for c in services.history(patent)][:2] == ["publish", "hide"]


def _record(**fields) -> PatentRecord:
    values = {
        "jurisdiction": "US",
        "publication_number": "US7123456",
        "kind_code": "B2",
        "patent_type": "invention",
        "source": SourceRef("f.xml", "document 1"),
        "title_en": "Widget",
        "classifications": (Classification("cpc", "H01M 10/0525", True),),
        "inventors": ("Ada",),
        "filing_date": dt.date(2004, 1, 2),
        "grant_date": dt.date(2006, 10, 17),
        "legal_status": "granted",
    }
    return PatentRecord(**{**values, **fields})


def test_upsert_is_idempotent_and_keeps_owner(holder, other_holder):
    patent, outcome = services.upsert_patent_record(_record(), None, owner=holder)
    assert outcome == "created"
    assert patent.owner == holder
    assert patent.expiry_date == dt.date(2024, 1, 2)
    assert services.upsert_patent_record(_record(), None, owner=other_holder)[1] == "unchanged"
    again, outcome = services.upsert_patent_record(_record(title_en="Better widget", abstract_en=None), None)
    assert outcome == "updated"
    assert again is patent
    assert patent.owner == holder
    assert patent.title_en == "Better widget"


def test_upsert_refuses_someone_elses_patent(holder, other_holder):
    services.upsert_patent_record(_record(), holder)
    with pytest.raises(PermissionDenied):
        services.upsert_patent_record(_record(title_en="Mine now"), other_holder)


def test_related_patents_share_the_main_subclass(make_patent, holder):
    first = make_patent(holder)
    second = make_patent(holder, publication_number="CN118866380A", ipc_codes=["H01M 2/00"])
    make_patent(holder, publication_number="CN118866381A", ipc_codes=["G06F 17/00"])
    assert services.related_patents(first) == [second]
