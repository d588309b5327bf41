"""Pages: who may open the workbench, forms that answer bad input next to the field, the HTTP flow."""

import datetime as dt

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.valuation import charts, paramsets
from app.valuation.models import ENSEMBLE_ID

WORKBENCH_PAGES = ["/valuation/workbench", "/valuation/workbench/models/rfr", "/valuation/workbench/backtest"]


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        (None, 302),
        ((Role.BUYER,), 403),
        ((Role.RIGHTS_HOLDER,), 403),
        ((Role.ASSESSOR,), 200),
        ((Role.ADMIN,), 200),
    ],
)
@pytest.mark.parametrize("url", WORKBENCH_PAGES)
def test_workbench_permissions(client, auth, make_user, seeded, roles, status, url):
    if roles is not None:
        auth.login(make_user(roles=roles))
    assert client.get(url).status_code == status


def test_nav_item_for_assessors_only(client, auth, make_user, seeded):
    auth.login(make_user(roles=(Role.BUYER,)))
    assert "/valuation/workbench" not in client.get("/").text
    auth.logout()
    auth.login(seeded[0])
    assert "/valuation/workbench" in client.get("/").text


def test_report_public_and_printable(client, seeded, make_patent):
    patent = make_patent()
    page = client.get(f"/valuation/patents/{patent.id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    for text in ("Fair value range", "P10", "<svg", "Relief from royalty", "2.0.0", "Comparable deals"):
        assert text in page.text
    printed = client.get(f"/valuation/patents/{patent.id}/print", headers={"Accept-Language": "zh"}).text
    for text in ("评估目的", "价值类型", "假设", "敏感性", "局限", "2.0.0"):
        assert text in printed
    svg = client.get(f"/valuation/patents/{patent.id}/charts/tornado-rfr.svg")
    assert svg.mimetype == "image/svg+xml"
    assert svg.text.startswith("<svg")
    assert client.get(f"/valuation/patents/{patent.id}/charts/nope.svg").status_code == 404
    assert client.get("/valuation/patents/999999").status_code == 404


@pytest.mark.parametrize(
    ("model_id", "data", "field"),
    [
        ("rfr", {"royalty_rate": "0.9"}, "royalty_rate"),
        ("rfr", {"discount_rate": "nan"}, "discount_rate"),
        ("rfr", {"royalty_rate_dist": "{not json"}, "royalty_rate_dist"),
        ("rfr", {"growth_dist": '{"dist": "pert", "low": 0.3, "mode": 0.1, "high": 0.2}'}, "growth_dist"),
        (ENSEMBLE_ID, {"w__default__rfr": "-5"}, "w__default__rfr"),
        (ENSEMBLE_ID, {"cal__cnipa_pvd__median": "0"}, "cal__cnipa_pvd__median"),
    ],
)
def test_bad_input_is_shown_next_to_the_field(client, auth, seeded, model_id, data, field):
    from app.valuation.forms import params_to_data

    auth.login(seeded[0])
    draft = paramsets.create_draft(model_id, seeded[0], "x")
    db.session.commit()
    form = {
        k: ("y" if v is True else v)
        for k, v in params_to_data(model_id, draft.params).items()
        if v is not None and v is not False
    }
    response = client.post(f"/valuation/workbench/sets/{draft.id}/edit", data=form | data | {"reason": "try"})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text


def test_http_flow_edit_preview_submit_approve(client, auth, seeded, make_patent):
    from app.valuation.services import current_rows, value_patent

    a1, a2, _ = seeded
    patent = make_patent()
    value_patent(patent, a1)  # stored by a write (the batch or an assessor), never by viewing
    db.session.commit()
    before = current_rows(patent.id)[0].mid
    auth.login(a1)
    response = client.post("/valuation/workbench/models/ensemble/drafts", data={"reason": ""})
    set_id = int(response.headers["Location"].split("/")[-2])
    ps = paramsets.get_set(set_id)
    from app.valuation.forms import params_to_data

    form = dict(params_to_data(ENSEMBLE_ID, ps.params).items())
    form |= {
        "w__default__rfr": "0.1",
        "w__default__market_comps": "0.1",
        "w__default__cnipa_pvd": "0.8",
        "reason": "trust the indicators more",
    }
    assert client.post(f"/valuation/workbench/sets/{set_id}/edit", data=form).status_code == 302
    assert "preview-table" in client.get(f"/valuation/workbench/sets/{set_id}/preview").text
    client.post(f"/valuation/workbench/sets/{set_id}/submit", data={"reason": "please"})
    denied = client.post(f"/valuation/workbench/sets/{set_id}/approve", data={}, follow_redirects=True)
    assert "Four eyes" in denied.text or "四眼" in denied.text
    auth.logout()
    auth.login(a2)
    assert client.post(f"/valuation/workbench/sets/{set_id}/reject", data={"reason": ""}).status_code == 302
    client.post(f"/valuation/workbench/sets/{set_id}/approve", data={"reason": "ok"})
    db.session.expire_all()
    assert paramsets.active_set(ENSEMBLE_ID).id == set_id
    after = current_rows(patent.id)[0]
    assert after.parameter_set_id == set_id
    assert after.mid != before


def test_charts_are_plain_accessible_svg():
    fmt = "{:,.0f}".format

    def pairs(items):
        return "; ".join(f"{label}: {value}" for label, value in items)

    out = [
        charts.range_chart(
            "r",
            10,
            20,
            40,
            fmt,
            {"title": "范围 <x>", "low": "P10", "mid": "P50", "high": "P90", "floor": "floor", "ask": "ask"},
            floor=5,
            ask=30,
        ),
        charts.waterfall("w", [("a", 5.0), ("b", -2.0)], "total", fmt, "t", pairs),
        charts.tornado("t", [("rate", 8.0, 12.0)], 10.0, fmt, "t", "low", "high", pairs),
        charts.histogram("h", [0, 1, 2], [3, 4], fmt, "t", {"P50": 1.0}),
        charts.backtest_plot(
            "b",
            [(1.0, 2.0, 3.0, 2.5), (1.0, 2.0, 3.0, 9.0)],
            fmt,
            "t",
            {"x": "x", "y": "y", "inside": "in", "outside": "out"},
            pairs,
        ),
    ]
    for svg in out:
        assert svg.startswith("<svg")
        assert "<title" in svg
        assert "<desc" in svg
        assert "style=" not in svg
    assert "范围 &lt;x&gt;" in out[0]
    assert "−2" in out[1]
    assert "pattern" in out[1]


def test_edit_form_explains_distributions_around_the_point(client, auth, seeded):
    auth.login(seeded[0])
    draft = paramsets.create_draft("rfr", seeded[0], "x")
    db.session.commit()
    url = f"/valuation/workbench/sets/{draft.id}/edit"
    en = client.get(url, headers={"Accept-Language": "en"}).text
    assert "Rate distribution (around the point estimate)" in en
    assert "offsets added to the point" in en
    assert "&#34;low&#34;: -0.02" in en or '"low": -0.02' in en
    zh = client.get(url, headers={"Accept-Language": "zh"}).text
    assert "费率分布（围绕点估计）" in zh
    assert "加到点估计上的偏移" in zh


@pytest.mark.parametrize(("language", "expected"), [("zh", "超出允许范围"), ("en", "is outside")])
def test_form_errors_speak_the_page_language(client, auth, seeded, language, expected):
    from app.valuation.forms import params_to_data

    auth.login(seeded[0])
    draft = paramsets.create_draft("rfr", seeded[0], "x")
    db.session.commit()
    form = {
        k: ("y" if v is True else v)
        for k, v in params_to_data("rfr", draft.params).items()
        if v is not None and v is not False
    }
    response = client.post(
        f"/valuation/workbench/sets/{draft.id}/edit",
        data=form | {"royalty_rate": "0.9", "reason": "try"},
        headers={"Accept-Language": language},
    )
    assert response.status_code == 422
    assert expected in response.text


def test_anonymous_report_view_values_without_storing(app, seeded, make_patent, client):
    """Issue 7: an anonymous GET computed and stored a valuation; it may value, never write."""
    from sqlalchemy import func, select

    from app.valuation.models import StoredValuation

    patent = make_patent()
    count = select(func.count()).select_from(StoredValuation)
    before = db.session.scalar(count)
    page = client.get(f"/valuation/patents/{patent.id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Fair value range" in page.text
    assert client.get(f"/valuation/patents/{patent.id}/charts/range.svg").status_code == 200
    assert db.session.scalar(count) == before


def test_report_reconciles_the_approaches_and_names_the_right_and_provenance(
    app, seeded, make_patent, client
):
    patent = make_patent(filing=dt.date(2003, 1, 1))  # past its 20-year term
    alive = make_patent()
    page = client.get(f"/valuation/patents/{alive.id}", headers={"Accept-Language": "en"}).text
    assert "Reconciliation" in page
    assert "Weight used" in page
    assert "the P50 of the combined range" in page
    assert "illustrative" in page  # the income approaches without the patent's own revenue
    printed = client.get(f"/valuation/patents/{alive.id}/print", headers={"Accept-Language": "en"}).text
    for text in ("Data provenance", "not a statutory appraisal report", "Qualification", "Right valued"):
        assert text in printed
    expired = client.get(f"/valuation/patents/{patent.id}", headers={"Accept-Language": "en"}).text
    assert "The legal term ended on 1 Jan 2023" in expired
    zh = client.get(f"/valuation/patents/{patent.id}", headers={"Accept-Language": "zh"}).text
    assert "法定保护期已于2023年1月1日" in zh
    assert "2023-01-01" not in zh
