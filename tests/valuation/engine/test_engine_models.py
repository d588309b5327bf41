"""Cost, real options, market comparables, indicator models and the high-value flag against known values."""

import math
from decimal import Decimal

import numpy as np
import pytest

from app.valuation.engine import ParameterError, get, high_value_flag
from app.valuation.engine.indicators import builtin_tree, load_tree
from app.valuation.engine.models.oecd import cohort_percentiles
from app.valuation.engine.tables import ANNUAL_FEES

HULL = {
    "underlying_value": 42.0,
    "exercise_cost": 40.0,
    "volatility": 0.2,
    "risk_free_rate": 0.1,
    "years": 0.5,
}


def test_cost_multiplier_formula_and_renewal_floor():
    result = get("cost").value(
        {"remaining_years": 20, "patent_type": "invention", "annual_fee_year": 11},
        {
            "method": "multiplier",
            "material_cost": 100_000.0,
            "labour_cost": 200_000.0,
            "researcher_multiplier": 1.5,
            "return_rate": 0.1,
            "risk_rate": 0.1,
        },
    )
    assert result.value == Decimal("488888.89")  # (1e5 + 1.5 x 2e5) x 1.1 / 0.9
    assert sum(d.contribution for d in result.drivers) == result.value
    assert result.details["renewal_fee_floor"] == Decimal("4000.00")
    assert "floor" in next(w.en for w in result.warnings if w.code == "floor_label")


@pytest.mark.parametrize(
    ("kind", "year", "fee"),
    [
        ("invention", 1, 900),
        ("invention", 6, 1200),
        ("invention", 9, 2000),
        ("invention", 12, 4000),
        ("invention", 15, 6000),
        ("invention", 20, 8000),
        ("utility_model", 3, 600),
        ("utility_model", 5, 900),
        ("utility_model", 8, 1200),
        ("utility_model", 10, 2000),
        ("design", 10, 2000),
        ("design", 15, 3000),
    ],
)
def test_cn_annual_fee_table(kind, year, fee):
    assert ANNUAL_FEES[kind][year] == fee


def test_replacement_cost_with_obsolescence_and_fee_reduction():
    result = get("cost").value(
        {"remaining_years": 5, "patent_type": "utility_model"},
        {
            "replacement_cost": 1e6,
            "functional_obsolescence": 0.2,
            "economic_obsolescence": 0.1,
            "fee_reduction": 0.85,
        },
    )
    assert result.value == Decimal("360000.00")  # 1e6 x 0.8 x 0.9 x 5/10
    assert result.details["fee_year"] == 6
    assert result.details["renewal_fee_floor"] == Decimal("180.00")  # 1,200 less 85 %
    batch = get("cost").value_batch(
        {"remaining_years": [5.0, 18.5], "patent_type": ["utility_model", "invention"]},
        {
            "replacement_cost": 1e6,
            "functional_obsolescence": 0.2,
            "economic_obsolescence": 0.1,
            "fee_reduction": 0.85,
        },
    )
    assert np.allclose(batch.extra["renewal_fee_floor"], [180.0, 135.0])


def test_black_scholes_textbook_value():
    result = get("real_option_bs").value({"remaining_years": 5}, HULL)
    assert result.value == Decimal("4.76")  # Hull, Options, Futures and Other Derivatives, example 15.6
    assert sum(d.contribution for d in result.drivers) == result.value


def test_binomial_converges_to_black_scholes_for_a_call_without_dividends():
    bs = get("real_option_bs").point_value({"remaining_years": 5}, HULL)
    model = get("real_option_binomial")
    for exercise in ("european", "american"):
        tree = model.point_value(
            {"remaining_years": 5}, HULL | {"steps": 2000, "exercise": exercise, "abandonment_value": 0.0}
        )
        assert abs(tree - bs) < 2e-3
    assert abs(bs - 4.759422) < 1e-6


def test_abandonment_adds_value_and_time_is_capped_by_the_legal_term():
    model = get("real_option_binomial")
    params = HULL | {"underlying_value": 30.0, "steps": 300}
    plain = model.value({"remaining_years": 5}, params)
    with_exit = model.value({"remaining_years": 5}, params | {"abandonment_value": 5.0})
    assert with_exit.value > plain.value
    capped = get("real_option_bs").value({"remaining_years": 0.25}, HULL | {"years": 3.0})
    assert "t_capped" in {w.code for w in capped.warnings}


COMPS = [
    {
        "id": "d1",
        "price": 1e6,
        "remaining_years": 10,
        "family_size": 2,
        "claims_count": 10,
        "exclusive": True,
        "ipc_main": "H04L",
        "date": "2024-01-01",
    },
    {
        "id": "d2",
        "price": 2e6,
        "remaining_years": 12,
        "family_size": 4,
        "claims_count": 20,
        "exclusive": True,
        "ipc_main": "H04W",
        "date": "2023-01-01",
    },
    {
        "id": "d3",
        "price": 5e5,
        "remaining_years": 6,
        "family_size": 1,
        "claims_count": 8,
        "exclusive": False,
        "ipc_main": "G06F",
        "date": "2020-06-01",
    },
    {"id": "d4", "price": 5e5, "remaining_years": 6, "deal_type": "licence"},
]


def test_market_comps_lists_comparables_with_weights():
    result = get("market_comps").value(
        {
            "remaining_years": 10,
            "family_size": 2,
            "claims_count": 10,
            "ipc_main": "H04L",
            "comparables": COMPS,
        },
        {},
    )
    listed = result.details["comparables"]
    assert [c["id"] for c in listed] == ["d1", "d2", "d3"]
    assert abs(sum(c["weight"] for c in listed) - 1) < Decimal("0.00001")
    assert listed[0]["adjusted_price"] == Decimal("1000000.00")  # identical subject: no adjustment
    assert result.details["excluded"] == ["d4"]
    assert sum(d.contribution for d in result.drivers) == result.value
    assert result.percentiles["p10"] <= result.value <= result.percentiles["p90"]


def test_market_comps_says_insufficient_comparables_honestly():
    result = get("market_comps").value({"remaining_years": 10, "comparables": COMPS[:2]}, {})
    assert result.value is None
    assert result.warnings[0].code == "insufficient_comparables"
    assert "Insufficient comparables" in result.warnings[0].en
    assert len(result.details["comparables"]) == 2
    batch = get("market_comps").value_batch({"remaining_years": [10, 8], "comparables": COMPS[:2]}, {})
    assert batch.flags["insufficient_comparables"].all()
    assert batch.decimal_values() == [None, None]


def test_market_comps_reports_bad_deal_fields_by_path():
    from app.valuation.engine import InputError

    with pytest.raises(InputError) as err:
        get("market_comps").value({"remaining_years": 10, "comparables": [{"price": -1}]}, {})
    assert "comparables[0].price" in err.value.errors


def test_cnipa_pvd_derives_enters_and_weights():
    result = get("cnipa_pvd").value(
        {
            "remaining_years": 12,
            "family_countries": ["CN", "US", "EP", "KR"],
            "claims_count": 10,
            "independent_claims_count": 2,
            "forward_citations": 7,
            "legal_status": "valid",
        },
        {"scores": {"market_share": 8.0}, "alpha": 0.5, "beta": 0.3, "gamma": 0.2},
    )
    rows = {r["key"]: r for r in result.details["indicators"]}
    assert len(rows) == 18
    assert (rows["remaining_term"]["score"], rows["remaining_term"]["status"]) == (6.0, "derived")
    assert rows["multi_country"]["score"] == 10.0  # 5 + 4 + 3 capped at 10
    assert rows["scope_of_application"]["score"] == 4.0  # 0.2 x 10 + 1 x 2
    assert rows["advancement"]["score"] == 7.5  # 2.5 x log2(8)
    assert (rows["market_share"]["score"], rows["market_share"]["status"]) == (8.0, "entered")
    assert rows["design_around"]["status"] == "default"
    lvd = (6 + 5 + 5 + 5 + 6 + 10 + 5) / 7
    tvd = (7.5 + 5 + 4 + 5 + 5 + 5) / 6
    evd = (5 + 5 + 8 + 5 + 5) / 5
    assert abs(float(result.value) - (0.5 * lvd + 0.3 * tvd + 0.2 * evd)) < 5e-5
    assert sum(d.contribution for d in result.drivers) == result.value


def test_cnipa_weights_must_sum_to_one():
    with pytest.raises(ParameterError) as err:
        get("cnipa_pvd").value({}, {"alpha": 0.5, "beta": 0.5, "gamma": 0.5})
    assert "alpha" in err.value.errors


def test_gbt_template_is_data_with_3_14_27_levels_and_scenarios():
    tree = load_tree(builtin_tree("gbt42748"))
    first = tree.data["children"]
    assert len(first) == 3
    assert sum(len(n["children"]) for n in first) == 14
    assert len(tree.leaves) == 27
    assert set(tree.data["presets"]) == {
        "licensing_transfer",
        "finance_pledge",
        "tax_reporting",
        "infringement",
        "management",
    }
    model = get("gbt42748")
    values = {
        s: model.value({"remaining_years": 15}, {"scenario": s, "scores": {"policy_fit": 90.0}}).value
        for s in tree.data["presets"]
    }
    assert len(set(values.values())) > 1
    result = model.value({"remaining_years": 15}, {})
    assert "based on GB/T 42748-2023" in result.assumptions[0].en


def test_gbt_tree_override_is_validated_and_used():
    tree = {
        "scale": 100,
        "children": [
            {
                "key": "a",
                "name_zh": "甲",
                "name_en": "A",
                "children": [
                    {
                        "key": "x",
                        "name_zh": "x",
                        "name_en": "x",
                        "derive": {"rule": "linear", "input": "remaining_years", "per_unit": 10},
                    }
                ],
            },
            {
                "key": "b",
                "name_zh": "乙",
                "name_en": "B",
                "children": [{"key": "y", "name_zh": "y", "name_en": "y"}],
            },
        ],
        "presets": {"licensing_transfer": {"a": 3, "b": 1}},
    }
    result = get("gbt42748").value({"remaining_years": 5}, {"tree": tree, "scores": {"y": 20.0}})
    assert result.value == Decimal("42.5000")  # 0.75 x 50 + 0.25 x 20
    with pytest.raises(ParameterError) as err:
        get("gbt42748").value({}, {"tree": {"children": [{"key": "a", "weight": -1}]}})
    assert "tree" in err.value.errors


def test_cohort_percentiles_midrank_and_small_cohort_flag():
    pct = cohort_percentiles(np.array([1.0, 2.0, 2.0, 3.0, 10.0]), np.array([0, 0, 0, 0, 1]))
    assert pct.tolist() == [12.5, 50.0, 50.0, 87.5, 50.0]
    model = get("oecd_indicators")
    batch = model.value_batch(
        {
            "filing_year": [2015] * 4 + [2016],
            "ipc_main": ["H04L"] * 5,
            "forward_citations": [1, 2, 2, 3, 9],
            "claims_count": [5, 5, 5, 5, 5],
        },
        {"min_cohort": 3},
    )
    assert batch.extra["pct_forward_citations"].tolist() == [12.5, 50.0, 50.0, 87.5, 50.0]
    assert batch.flags["small_cohort"].tolist() == [False] * 4 + [True]
    assert math.isclose(batch.values[0], (12.5 + 50.0) / 2)


def test_oecd_single_valuation_needs_its_cohort():
    from app.valuation.engine import InputError

    model = get("oecd_indicators")
    with pytest.raises(InputError):
        model.value({"filing_year": 2015, "ipc_main": "H04L", "forward_citations": 3}, {})
    result = model.value(
        {
            "filing_year": 2015,
            "ipc_main": "H04L",
            "forward_citations": 3,
            "cohort": [{"forward_citations": c} for c in range(40)],
        },
        {},
    )
    assert result.details["cohort_size"] == 41
    assert not result.warnings


@pytest.mark.parametrize(
    ("facts", "flag", "code"),
    [
        ({"ipc_main": "H01M 10/05"}, True, "strategic_industry"),
        ({"family_countries": ["CN", "US"]}, True, "overseas_family"),
        ({"annual_fee_year": 12}, True, "maintained_10y"),
        ({"pledge_amount": 2e7}, True, "high_pledge"),
        ({"national_award": True}, True, "national_award"),
        ({"ipc_main": "F16H 1/00"}, False, "no_criterion"),
        ({"patent_type": "utility_model", "national_award": True}, False, "not_valid_invention"),
        ({"legal_status": "lapsed", "national_award": True}, False, "not_valid_invention"),
    ],
)
def test_high_value_flag(facts, flag, code):
    result, reasons = high_value_flag(facts)
    assert result is flag
    assert code in {r.code for r in reasons}


def test_indicator_batch_rows_equal_single_valuations():
    facts = [
        {
            "remaining_years": 12.0,
            "family_countries": ["CN", "US"],
            "claims_count": 9,
            "forward_citations": 3,
        },
        {"remaining_years": 2.0, "legal_status": "pending", "assessor_scores": {"maturity": 9.0}},
    ]
    model = get("cnipa_pvd")
    columns = {k: [f.get(k) for f in facts] for k in {k for f in facts for k in f}}
    batch = model.value_batch(columns, {"scores": {"competition": 7.0}})
    singles = [model.value(f, {"scores": {"competition": 7.0}}).value for f in facts]
    assert batch.decimal_values() == singles
    assert batch.flags["not_in_force"].tolist() == [False, True]


@pytest.mark.parametrize("life_elasticity", [0.8, 0.0])
def test_market_comps_expired_subject_is_compared_with_nothing_without_numpy_warnings(life_elasticity):
    params = {"life_elasticity": life_elasticity}
    result = get("market_comps").value({"remaining_years": 0, "comparables": COMPS}, params)
    assert result.value is None
    assert result.warnings[0].code == "insufficient_comparables"
    assert sorted(result.details["excluded"]) == ["d1", "d2", "d3", "d4"]
    batch = get("market_comps").value_batch(
        {
            "remaining_years": [0.0, 10.0],
            "family_size": [2, 2],
            "claims_count": [10, 10],
            "ipc_main": ["H04L", "H04L"],
            "comparables": COMPS,
        },
        params,
    )
    assert batch.flags["insufficient_comparables"].tolist() == [True, False]
    assert np.isfinite(batch.values).all()
