"""Report views reuse what earlier views computed, and never write."""

from collections import OrderedDict

from sqlalchemy import event

from app.extensions import db
from app.valuation import engine, report

WRITES = ("INSERT", "UPDATE", "DELETE")


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
    assert calls  # the first view computes each model's sensitivity once
    assert len(calls) == len(set(calls))
    computed = len(calls)
    written = []

    def spy(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip()[:6].upper() in WRITES:
            written.append(statement[:120])

    # The statements themselves, not the page cache's data version: that also moves when another
    # connection's earlier commit is settled, which says nothing about these views.
    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        for path in ("", "/charts/tornado-rfr.svg", "/print", "/charts/range.svg"):
            response = client.get(f"/valuation/patents/{patent.id}{path}", headers={"Accept-Language": "zh"})
            assert response.status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)
    assert len(calls) == computed  # later views, in any language, reuse it
    assert written == []  # and none of them wrote
