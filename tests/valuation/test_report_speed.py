"""Report views reuse what earlier views computed, and never write (the data version stays put)."""

from collections import OrderedDict

from app.core.page_cache import data_version
from app.valuation import engine, report


def test_sensitivity_is_computed_once_for_the_report_and_its_charts(
    app, seeded, make_patent, client, monkeypatch
):
    calls = []
    real = engine.tornado

    def counting(model, inputs, params):
        calls.append(model.id)
        return real(model, inputs, params)

    monkeypatch.setattr(engine, "tornado", counting)
    monkeypatch.setattr(report, "_TORNADO", OrderedDict())  # nothing from earlier tests in this process
    patent = make_patent()
    first = client.get(f"/valuation/patents/{patent.id}", headers={"Accept-Language": "en"})
    assert first.status_code == 200
    # read after the first view: the fixture's commit moves the version once more when its connection
    # is next used (page_cache's second bump), which may fall inside that view
    version = data_version(app)
    assert calls  # the first view computes each model's sensitivity once
    assert len(calls) == len(set(calls))
    computed = len(calls)
    for path in ("", "/charts/tornado-rfr.svg", "/print", "/charts/range.svg"):
        assert (
            client.get(f"/valuation/patents/{patent.id}{path}", headers={"Accept-Language": "zh"}).status_code
            == 200
        )
    assert len(calls) == computed  # later views, in any language, reuse it
    assert data_version(app) == version  # and none of them wrote
