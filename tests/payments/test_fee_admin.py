"""The administrators' fee-schedule form, its versions, and the fee shown before listing and paying."""

from decimal import Decimal

import pytest

from app.core.audit_chain import verify_chain
from app.core.lifecycle import InvalidTransition, status_history
from app.core.money import Money
from app.extensions import db
from app.payments import fee_schedule
from app.payments.models import FeeScheduleVersion
from tests.market.deal_support import build_market
from tests.payments.support import signed_deal


@pytest.fixture
def market(make_user, frozen_clock):
    return build_market(make_user)


def _row(index: int, right="", mechanism="", rate="", minimum="") -> dict:
    prefix = f"rules-{index}-"
    return {f"{prefix}right_type": right, f"{prefix}price_mechanism": mechanism,
            f"{prefix}rate_percent": rate, f"{prefix}minimum_amount": minimum}  # fmt: skip


def _form(*rows: dict, action="activate", note="spring prices") -> dict:
    data = {"action": action, "note": note}
    for index in range(8):
        data.update(rows[index] if index < len(rows) else _row(index))
    return data


def cny(text: str) -> Money:
    return Money(Decimal(text), "CNY")


def test_an_administrator_saves_a_version_that_applies_and_older_ones_are_kept(client, auth, market):
    auth.login(market.admin)
    page = client.get("/payments/admin/fees", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "built-in default of 5%" in page
    saved = client.post("/payments/admin/fees", data=_form(_row(0, rate="4", minimum="500"),
                        _row(1, right="assignment", mechanism="fixed", rate="2.5", minimum="1,000")))  # fmt: skip
    assert saved.status_code == 302
    assert fee_schedule.quote(cny("100000"), "assignment", "fixed").fee == cny("2500.00")
    assert fee_schedule.quote(cny("100000"), "exclusive_licence", "negotiable").fee == cny("4000.00")
    again = client.post("/payments/admin/fees", data=_form(_row(0, rate="3", minimum="0")))
    assert again.status_code == 302
    versions = db.session.scalars(db.select(FeeScheduleVersion).order_by(FeeScheduleVersion.version)).all()
    assert [(v.version, v.status) for v in versions] == [(1, "retired"), (2, "active")]
    assert [e.action for e in status_history(versions[0])] == ["activate", "retire"]
    page = client.get("/payments/admin/fees", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Version 1" in page
    assert "Retired" in page
    assert 'value="3"' in page
    assert verify_chain() is None


def test_a_draft_does_not_apply_until_an_administrator_applies_it(client, auth, market):
    auth.login(market.admin)
    client.post("/payments/admin/fees", data=_form(_row(0, rate="4", minimum="500")))
    client.post("/payments/admin/fees", data=_form(_row(0, rate="9", minimum="500"), action="draft"))
    draft = db.session.scalar(db.select(FeeScheduleVersion).where(FeeScheduleVersion.status == "draft"))
    assert fee_schedule.quote(cny("100000"), "assignment", "fixed").terms.version == 1
    assert client.post(f"/payments/admin/fees/{draft.id}/activate").status_code == 302
    assert fee_schedule.quote(cny("100000"), "assignment", "fixed").fee == cny("9000.00")
    db.session.refresh(draft)
    with pytest.raises(InvalidTransition):
        fee_schedule.activate_schedule(draft, market.admin)


@pytest.mark.parametrize(
    ("lang", "row", "message"),
    [
        (
            "en",
            _row(0, rate="120", minimum="0"),
            "Enter a percentage between 0 and 100, at most three decimals.",
        ),
        ("zh", _row(0, rate="abc", minimum="0"), "请输入 0 到 100 之间的百分比，最多三位小数。"),
        ("en", _row(0, rate="1.2345", minimum="0"), "at most three decimals"),
        ("en", _row(0, rate="5", minimum="-3"), "Enter an amount of zero or more."),
        ("zh", _row(0, rate="5", minimum="很多"), "金额"),
    ],
)
def test_bad_rules_re_render_with_field_messages_in_both_languages(client, auth, market, lang, row, message):
    auth.login(market.admin)
    bad = client.post("/payments/admin/fees", data=_form(row), headers={"Accept-Language": lang})
    assert bad.status_code == 422
    assert message in bad.get_data(as_text=True)
    assert fee_schedule.latest_schedule() is None


def test_duplicate_and_empty_schedules_are_refused(client, auth, market):
    auth.login(market.admin)
    empty = client.post("/payments/admin/fees", data=_form(), headers={"Accept-Language": "en"})
    assert "Fill in at least one rule." in empty.get_data(as_text=True)
    twice = client.post("/payments/admin/fees", data=_form(_row(0, rate="4"), _row(1, rate="5")),
                        headers={"Accept-Language": "en"})  # fmt: skip
    assert twice.status_code == 422
    assert "Another row already covers this right type and price mechanism." in twice.get_data(as_text=True)


def test_the_seller_sees_the_fee_before_listing_and_the_buyer_before_paying(client, auth, market):
    fee_schedule.publish_schedule([{"rate_percent": "4", "minimum_amount": "500"}], market.admin)
    market.listing.ask_amount = Decimal("250000")
    db.session.commit()
    auth.login(market.seller)
    en = {"Accept-Language": "en"}
    edit = client.get(f"/market/listings/{market.listing.id}/edit", headers=en).get_data(as_text=True)
    assert "Platform fee at your asking price: CN¥10,000.00 (4%, at least CN¥500.00)" in edit
    assert "You receive CN¥240,000.00." in edit
    detail = client.get(f"/market/listings/{market.listing.id}", headers=en).get_data(as_text=True)
    assert "Platform fee at your asking price: CN¥10,000.00" in detail
    quote = client.get(f"/api/v1/fees/quote?listing={market.listing.id}").get_json()
    assert quote["fee"] == {"amount": "10000.00", "currency": "CNY"}  # the same calculation
    auth.logout()
    deal = signed_deal(market)
    auth.login(market.buyer)
    page = client.get(f"/market/deals/{deal.id}", headers=en).get_data(as_text=True)
    assert "Platform fee" in page
    assert "CN¥16,000.00" in page


def test_only_administrators_change_the_schedule(market):
    from app.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        fee_schedule.publish_schedule([{"rate_percent": "1"}], market.seller)
    draft = fee_schedule.publish_schedule([{"rate_percent": "1"}], market.admin, activate=False)
    with pytest.raises(PermissionDenied):
        fee_schedule.activate_schedule(draft, market.seller)
