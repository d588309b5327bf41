"""Jurisdiction and currency (issue 9): the administrators' dated FX table, a US patent shown in CNY and
USD with the rate its valuation used, a missing rate explained (never a 500), and one conclusion (the
P50 of the combined distribution) wherever a single value is shown or added up."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select

from app.accounts.models import AuditEvent
from app.catalogue.search import index_patents
from app.catalogue.search.models import SearchDocument
from app.extensions import db
from app.main.figures import _count
from app.valuation import fx
from app.valuation.fx_models import FxRate
from app.valuation.services import current_rows, value_patent
from tests.market.listing_support import make_listing, make_seller
from tests.market.listing_support import make_patent as make_market_patent

TODAY = dt.date.today()  # noqa: DTZ011  (the app's clock is not frozen in these tests)
START = dt.date(2025, 1, 1)


def add_rate(actor, currency="USD", rate="7.1", day=START, source="PBOC central parity"):
    row = fx.add_rate(currency, Decimal(rate), day, source, actor)
    db.session.commit()
    return row


def usd(amount_cny, rate="7.1") -> Decimal:
    return (Decimal(amount_cny) / Decimal(rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ---- the administrators' table ---------------------------------------------------------------


def test_admin_adds_a_rate_listed_and_audited(client, auth, seeded):
    admin = seeded[2]
    auth.login(admin)
    form = {"currency": " usd ", "rate_to_cny": "7.2", "effective_on": "2026-01-02", "source": "PBOC"}
    response = client.post("/admin/fx-rates", data=form, headers={"Accept-Language": "en"})
    assert response.status_code == 302
    row = db.session.scalar(select(FxRate))
    assert (row.currency, row.rate_to_cny, row.effective_on, row.entered_by_id) == (
        "USD",
        Decimal("7.2"),
        dt.date(2026, 1, 2),
        admin.id,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fx_rate.added"))
    assert event.actor_id == admin.id
    assert event.details["rate_to_cny"] == "7.2"
    page = client.get("/admin/fx-rates", headers={"Accept-Language": "zh"}).text
    assert "汇率" in page
    assert "7.2" in page
    assert "PBOC" in page


@pytest.mark.parametrize(
    ("change", "field", "en", "zh"),
    [
        ({"rate_to_cny": "-1"}, "rate_to_cny", "must be positive", "汇率须为正数"),
        ({"rate_to_cny": "0"}, "rate_to_cny", "must be positive", "汇率须为正数"),
        ({"rate_to_cny": "5000"}, "rate_to_cny", "at most 1000", "不超过 1000"),
        ({"rate_to_cny": "seven"}, "rate_to_cny", "Give the rate as a number", "请以数字填写汇率"),
        ({"currency": "CNY"}, "currency", "base currency", "本位币"),
        ({"currency": "US1"}, "currency", "three-letter", "三个字母"),
        ({"effective_on": "2025-01-01"}, "effective_on", "exists already", "已有"),
        ({"effective_on": "2999-01-01"}, "effective_on", "in the future", "未来"),
    ],
)
def test_bad_rates_get_field_messages_in_both_languages(client, auth, seeded, change, field, en, zh):
    add_rate(seeded[2])
    auth.login(seeded[2])
    form = {"currency": "USD", "rate_to_cny": "7.3", "effective_on": "2026-02-02", "source": "PBOC"} | change
    for lang, text in (("en", en), ("zh", zh)):
        page = client.post("/admin/fx-rates", data=form, headers={"Accept-Language": lang})
        assert page.status_code == 422
        assert f'id="{field}-error"' in page.text
        assert text in page.text
    assert db.session.scalar(select(db.func.count(FxRate.id))) == 1


def test_only_administrators_keep_the_table(client, auth, seeded):
    auth.login(seeded[0])  # an assessor
    assert client.get("/admin/fx-rates").status_code == 403


def test_demo_rates_are_seeded_once_and_labelled(app, seeded):
    fx.seed_demo_rates(lambda _m: None)
    fx.seed_demo_rates(lambda _m: None)
    rows = fx.rates()
    assert sorted(r.currency for r in rows) == ["EUR", "JPY", "USD"]
    assert all(r.is_demo and r.effective_on == START for r in rows)


# ---- valuations in the patent's currency ------------------------------------------------------


def test_the_rate_on_or_before_the_valuation_date_is_used(app, seeded, make_patent):
    add_rate(seeded[2], rate="7.0", day=dt.date(2026, 1, 1))
    add_rate(seeded[2], rate="7.5", day=dt.date(2026, 6, 1))
    patent = make_patent(jurisdiction="US", family=["US"])
    march = value_patent(patent, on=dt.date(2026, 3, 1), store=False).rows[-1]["input_snapshot"]["facts"][
        "fx"
    ]
    june = value_patent(patent, on=dt.date(2026, 6, 1), store=False).rows[-1]["input_snapshot"]["facts"]["fx"]
    before = value_patent(patent, on=dt.date(2025, 12, 31), store=False).rows[-1]["input_snapshot"]["facts"]
    assert (march["currency"], march["rate"], march["effective_on"]) == ("USD", "7", "2026-01-01")
    assert (june["rate"], june["effective_on"]) == ("7.5", "2026-06-01")
    assert before["fx"] == {"currency": "USD", "missing": True, "on": "2025-12-31"}
    cn = make_patent()
    facts = value_patent(cn, store=False).rows[-1]["input_snapshot"]["facts"]
    assert facts["fx"] == {"currency": "CNY", "rate": "1"}


def test_a_new_rate_makes_the_stored_valuation_stale(app, seeded, make_patent):
    from app.core.clock import clock
    from app.valuation.services import facts_for, is_stale, load_config

    add_rate(seeded[2], rate="7.0")
    patent = make_patent(jurisdiction="US", family=["US"])
    value_patent(patent)
    db.session.commit()
    today = clock.now().date()  # the day value_patent used (TODAY, read at import, fails across midnight)
    head = current_rows(patent.id)[0]
    assert not is_stale(head, load_config(), facts_for(patent, today))
    add_rate(seeded[2], rate="7.2", day=today)
    assert is_stale(head, load_config(), facts_for(patent, today))


@pytest.mark.parametrize(("lang", "rate_text"), [("en", "yuan per US dollar"), ("zh", "元/美元")])
def test_report_and_patent_page_show_both_currencies(client, seeded, make_patent, lang, rate_text):
    add_rate(seeded[2], rate="7.1")
    patent = make_patent(jurisdiction="US", family=["US"])
    value_patent(patent)
    db.session.commit()
    head = current_rows(patent.id)[0]
    page = client.get(f"/valuation/patents/{patent.id}", headers={"Accept-Language": lang}).text
    assert 'data-testid="original-currency"' in page
    assert "2025" in page
    assert rate_text in page
    assert "7.1" in page
    mid_usd = f"{usd(head.mid):,.2f}"
    assert mid_usd in page
    detail = client.get(f"/patents/{patent.id}", headers={"Accept-Language": lang}).text
    assert 'data-testid="summary-original"' in detail
    assert f"{usd(head.low):,.2f}" in detail


@pytest.mark.parametrize(("lang", "text"), [("en", "No US dollar exchange rate"), ("zh", "没有美元")])
def test_a_missing_rate_is_explained_not_a_500(client, seeded, make_patent, lang, text):
    patent = make_patent(jurisdiction="US", family=["US"])
    page = client.get(f"/valuation/patents/{patent.id}", headers={"Accept-Language": lang})
    assert page.status_code == 200
    assert 'data-testid="fx-missing"' in page.text
    assert text in page.text
    data = client.get(f"/api/v1/patents/{patent.id}/valuation").json
    assert data["fx"]["missing"] is True
    assert data["original"] is None
    assert data["conclusion"] == data["range"]["mid"]


def test_api_gives_both_currencies_and_the_rate(client, seeded, make_patent):
    add_rate(seeded[2], rate="7.1")
    patent = make_patent(jurisdiction="US", family=["US"])
    value_patent(patent)
    db.session.commit()
    data = client.get(f"/api/v1/patents/{patent.id}/valuation").json
    assert data["fx"] == {
        "currency": "USD",
        "rate": "7.1",
        "effective_on": "2025-01-01",
        "source": "PBOC central parity",
        "demo": False,
    }
    assert data["range"]["currency"] == "CNY"
    assert data["conclusion"] == data["range"]["mid"]
    assert data["original"]["currency"] == "USD"
    for key in ("low", "mid", "high"):
        assert Decimal(data["original"][key]) == usd(data["range"][key])
    assert Decimal(data["original"]["mean"]) == usd(data["mean"])


# ---- the listing beside its ask ----------------------------------------------------------------


def test_a_usd_listing_is_compared_at_the_valuations_rate(client, seeded, make_user):
    from app.market import listing_valuation

    add_rate(seeded[2], rate="7.1")
    seller = make_seller(make_user)
    patent = make_market_patent(seller, jurisdiction="US", publication_number="US11111111")
    db.session.commit()
    value_patent(patent, listing_type="licence")
    db.session.commit()
    head = current_rows(patent.id, "licence")[0]
    ask_usd = usd(head.mid)
    listing = make_listing(seller, [patent], "published", currency="USD", ask_amount=str(ask_usd))
    value = listing_valuation.listing_value(listing)
    assert value.currency == "USD"
    assert (value.low, value.mid, value.high) == (usd(head.low), usd(head.mid), usd(head.high))
    assert value.placement == "within"
    assert Decimal("0.45") < value.prob_below_ask < Decimal("0.55")  # the ask is the P50
    assert value.mean == usd(head.result["mean"])
    page = client.get(f"/market/listings/{listing.id}", headers={"Accept-Language": "en"}).text
    assert 'data-testid="prob-below-ask"' in page
    assert "7.1" in page
    report = client.get(
        f"/valuation/patents/{patent.id}?listing_type=licence", headers={"Accept-Language": "en"}
    ).text
    assert 'data-testid="prob-below-ask"' in report


# ---- one conclusion ---------------------------------------------------------------------------------


def test_the_conclusion_is_the_p50_everywhere(client, seeded, make_patent):
    """Home total, search value, API conclusion, listing midpoint and report all use the stored P50."""
    add_rate(seeded[2], rate="7.1")
    patents = [make_patent(claims=4 + 4 * i) for i in range(2)] + [
        make_patent(jurisdiction="US", family=["US"])
    ]
    for patent in patents:
        value_patent(patent)
    index_patents(db.session, [p.id for p in patents])
    db.session.commit()
    heads = {p.id: current_rows(p.id)[0] for p in patents}
    docs = {
        d.record_id: d.value_cny
        for d in db.session.scalars(select(SearchDocument).where(SearchDocument.doc_type == "patent"))
    }
    assert docs == {pid: head.mid for pid, head in heads.items()}
    assert _count().total_value == sum(h.mid for h in heads.values())
    for patent in patents:
        head = heads[patent.id]
        assert head.value == head.mid
        data = client.get(f"/api/v1/patents/{patent.id}/valuation").json
        assert Decimal(data["conclusion"]) == head.mid
        page = client.get(f"/valuation/patents/{patent.id}", headers={"Accept-Language": "en"}).text
        assert "P50 of the combined distribution" in page
        assert 'data-testid="fair-mean"' in page


def test_printed_report_shows_both_currencies(client, seeded, make_patent):
    add_rate(seeded[2], rate="7.1")
    patent = make_patent(jurisdiction="US", family=["US"])
    value_patent(patent)
    db.session.commit()
    head = current_rows(patent.id)[0]
    printed = client.get(f"/valuation/patents/{patent.id}/print", headers={"Accept-Language": "en"}).text
    assert 'data-testid="original-currency"' in printed
    assert f"{usd(head.mid):,.2f}" in printed


def test_a_usd_ask_counts_in_cny_in_the_search_price_filter(app, seeded, make_user):
    add_rate(seeded[2], rate="7.1")
    seller = make_seller(make_user)
    patent = make_market_patent(seller, jurisdiction="US", publication_number="US22222222")
    db.session.commit()
    make_listing(seller, [patent], "published", currency="USD", ask_amount="100000")
    doc = db.session.scalar(
        select(SearchDocument).where(
            SearchDocument.doc_type == "patent", SearchDocument.record_id == patent.id
        )
    )
    assert doc.price_cny == Decimal("710000.00")
