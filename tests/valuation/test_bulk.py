"""The fast bulk path stores exactly what the slower, ORM-based mapping would: facts, snapshots, results."""

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy import func, select

from app.catalogue.models import PatentClassification, PatentEvent, PatentPledge
from app.extensions import db
from app.valuation import engine, paramsets
from app.valuation.batch import load_patents, patent_ids, revalue
from app.valuation.engine.result import canonical_json
from app.valuation.inputs import model_inputs, patent_facts
from app.valuation.loading import facts_by_id
from app.valuation.models import ENSEMBLE_ID, ENSEMBLE_ROW, StoredValuation
from app.valuation.replay import replay
from app.valuation.services import current_rows, is_stale, load_config, model_for

DAY = dt.date(2026, 11, 25)


def _varied(make_patent):
    plain = make_patent()
    rich = make_patent(family=["CN", "US", "EP"], ipc="G06F", claims=None)
    rich.classifications.append(
        PatentClassification(
            scheme="cpc", code="G06N 3/08", search_key="G06N3/08", subclass="G06N", position=1
        )
    )
    rich.pledges = [
        PatentPledge(pledgee="Bank", amount=Decimal("1500000.10"), currency="CNY"),
        PatentPledge(
            pledgee="Bank", amount=Decimal("99.99"), currency="CNY", released_on=dt.date(2020, 1, 1)
        ),
        PatentPledge(pledgee="Bank", amount=Decimal("5"), currency="USD"),
    ]
    rich.events = [
        PatentEvent(
            event_type="invalidation",
            occurred_on=dt.date(2022, 3, 1),
            summary="kept",
            outcome="维持有效 Upheld",
        )
    ]
    rich.annual_fee_paid_year = 11  # year 12 falls due 2027-05-01
    lapsed = make_patent(status="lapsed", patent_type="utility_model")
    pending = make_patent(status="pending", filing=dt.date(2024, 2, 29))
    pending.expiry_date = None
    db.session.commit()
    return [plain, rich, lapsed, pending]


def test_core_loader_gives_the_same_facts_as_the_orm_mapping(app, make_patent):
    patents = _varied(make_patent)
    loaded = facts_by_id([p.id for p in patents], DAY)
    assert [pid for pid, _ in loaded] == sorted(p.id for p in patents)
    by_id = dict(loaded)
    for patent in load_patents([p.id for p in patents]):
        assert by_id[patent.id] == patent_facts(patent, on=DAY)
    assert by_id[patents[1].id]["pledge_amount"] == 1500000.1
    assert by_id[patents[1].id]["legal_status"] == "valid_after_invalidation"
    assert by_id[patents[1].id]["ipc_classes"] == ["G06F", "G06N"]


def test_bulk_rows_hold_the_model_inputs_and_refer_to_the_ensemble_set(app, seeded, make_patent):
    patents = _varied(make_patent)
    config = load_config()
    revalue(patent_ids(), config)
    revalue(patent_ids(), config)  # the second run retires the first run's rows
    db.session.commit()
    for patent in load_patents([p.id for p in patents]):
        rows = current_rows(patent.id)
        assert len(rows) == 5
        facts = patent_facts(patent, on=dt.datetime.now(dt.UTC).date())
        head = rows[0]
        assert head.kind == ENSEMBLE_ROW
        assert head.input_snapshot == {
            "facts": json.loads(canonical_json(facts)),
            "parameter_sets": config.set_ids(),
            "listing_type": "default",
        }
        assert not is_stale(head, config, facts)
        for row in rows[1:]:
            model = model_for(config.sets[row.model_id])
            expected = model_inputs(model, facts)
            if "comparables" in model.shared_inputs:
                expected["comparables"] = config.comparables_ref
            assert row.input_snapshot == json.loads(json.dumps(expected))
            assert row.result["provenance"]["model_id"] == row.model_id
            assert row.result["model_version"] == row.model_version
    total = db.session.scalar(select(func.count(StoredValuation.id)))
    assert total == 2 * 5 * len(patents)
    assert replay(only_current=False).ok


def test_replay_reads_the_ensemble_weights_from_the_referenced_set(app, seeded, make_patent):
    make_patent()
    revalue(patent_ids(), load_config())
    db.session.commit()
    assert replay().ok
    ensemble = paramsets.active_set(ENSEMBLE_ID)
    weights = json.loads(json.dumps(ensemble.params))
    weights["weights"]["default"]["market_comps"] = (
        0.9  # what replay must notice if a version were ever edited
    )
    ensemble.params = weights
    db.session.commit()
    report = replay()
    assert {d.model for d in report.differences} == {f"{ENSEMBLE_ID}@1.0.0"}


def test_bulk_equals_the_engine_for_a_patent_with_no_term_left(app, seeded, make_patent):
    expired = make_patent(filing=dt.date(2000, 1, 1))
    revalue(patent_ids(), load_config())
    db.session.commit()
    market = next(r for r in current_rows(expired.id) if r.model_id == "market_comps")
    assert market.input_snapshot["remaining_years"] == 0.0
    assert market.value is None
    assert "insufficient_comparables" in market.result["flags"]
    assert engine.get("market_comps").version == market.model_version


def test_spliced_results_parse_to_the_row_and_odd_rows_are_encoded_whole():
    from app.valuation.storing import ModelPlan, encode, shared_prefix

    shared = {"model_id": "rfr", "model_version": "2.0.0", "kind": "monetary", "currency": "CNY"}
    shared["provenance"] = {"model_id": "rfr", "params_hash": "abc", "seed": 1}
    plan = ModelPlan.__new__(ModelPlan)
    plan.shared, plan.prefix = shared, shared_prefix(shared)
    row = shared | {"value": "12.50", "percentiles": None, "flags": ["no_ask"]}
    assert json.loads(plan.result_json(row)) == row
    odd = row | {"provenance": {"model_id": "rfr", "params_hash": "other", "seed": 1}}
    assert plan.result_json(odd) == encode(odd)
    assert json.loads(plan.result_json(dict(shared))) == shared
