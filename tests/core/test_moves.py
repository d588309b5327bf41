"""What moved onto the shared pieces: the catalogue's three money readers use parse_money, and
moderation and import jobs go through the lifecycle (event row + audit entry). Each test fails on
the code before the move."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.catalogue import services
from app.catalogue.models import Patent
from app.catalogue.search.query import SearchQuery
from app.catalogue.validation import _Checker
from app.core.audit_chain import AuditLogEntry, verify_chain
from app.core.lifecycle import StatusEvent
from app.extensions import db


@pytest.mark.parametrize(
    ("text", "amount"), [("12.5万", "125000.00"), ("¥1,250,000", "1250000.00"), ("1.2亿", "120000000.00")]
)
def test_catalogue_money_readers_accept_what_people_type(app, text, amount):
    query, errors = SearchQuery.from_args({"price_min": text})
    assert errors == {}
    assert query.price_min == Decimal(amount)
    checker = _Checker({"fee_amount": text, "fee_currency": "CNY"})
    assert checker.money("fee_amount", "fee_currency") == (Decimal(amount), "CNY")
    assert checker.errors == {}


def test_readers_keep_their_own_messages_for_bad_amounts(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        _query, errors = SearchQuery.from_args({"price_min": "-3"})
        checker = _Checker({"fee_amount": "1.234", "fee_currency": "CNY"})
        checker.money("fee_amount", "fee_currency")
    assert errors == {"price_min": "Enter an amount in yuan, e.g. 500000."}
    assert list(checker.errors) == ["fee_amount"]  # the one validation path (forms, API, imports)


def test_moderation_goes_through_the_lifecycle(app, make_user):
    admin = make_user(roles=(Role.ADMIN,))
    patent = Patent(jurisdiction="CN", publication_number="CN100000001", patent_type="invention")
    db.session.add(patent)
    db.session.commit()
    services.moderate(patent, admin, "hide", "Duplicate record")
    services.moderate(patent, None, "publish")  # the command line acts as the system actor
    db.session.commit()
    events = db.session.scalars(select(StatusEvent).where(StatusEvent.subject_type == "patents")).all()
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("hide", "published", "hidden"),
        ("publish", "hidden", "published"),
    ]
    assert events[0].reason == "Duplicate record"
    assert events[1].actor.email == "system@ipex.internal"
    kinds = db.session.scalars(select(AuditLogEntry.kind)).all()
    assert kinds == ["moderation.hide", "moderation.publish"]
    assert verify_chain() is None
