"""Every registered model on empty, tiny and huge inputs: a value or an engine error, nothing else (issue 9)."""

import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.valuation.engine import EngineError, available
from app.valuation.engine.errors import InputError
from app.valuation.engine.registry import get as get_model
from app.valuation.engine.schema import BOOL, FLOAT, FLOAT_LIST, INT, RECORDS, STR, STR_LIST
from app.valuation.models import StoredValuation

MODELS = sorted(m.id for m in available())
MONEY_DIGITS = StoredValuation.__table__.c.high.type.precision - StoredValuation.__table__.c.high.type.scale


def _number(spec, integer: bool):
    low, high = spec.bounds or (0.0, 1e12)
    picks = [low, high, 0.0 if low <= 0 <= high else low, min(max(1e-9, low), high)]
    picks = [int(p) for p in picks] if integer else picks
    return st.sampled_from(picks)


def _value(spec):
    if spec.type in (FLOAT, INT):
        return _number(spec, spec.type == INT)
    if spec.type == BOOL:
        return st.booleans()
    if spec.type == STR:
        return st.sampled_from(spec.choices or ("", "H01M", "x" * 300))
    if spec.type == STR_LIST:
        return st.sampled_from(([], ["CN"], ["CN", "US", "EP", "JP", "KR", "DE", "FR", "GB"]))
    if spec.type == FLOAT_LIST:
        return st.lists(_number(spec, False), max_size=25)
    if spec.type == RECORDS:
        huge = {
            "id": "big",
            "price": 1e13,
            "remaining_years": 20.0,
            "family_size": 500,
            "claims_count": 10_000,
        }
        tiny = {"id": "tiny", "price": 0.01, "remaining_years": 0.0, "family_size": 0, "claims_count": 0}
        return st.sampled_from(([], [tiny], [huge], [tiny, huge] * 5))
    return st.none()


def _record(specs):
    return st.fixed_dictionaries({}, optional={s.name: _value(s) for s in specs})


def _finite(data) -> bool:
    if isinstance(data, dict):
        return all(_finite(v) for v in data.values())
    if isinstance(data, list | tuple):
        return all(_finite(v) for v in data)
    if isinstance(data, float | Decimal):
        return math.isfinite(float(data))
    return True


@pytest.mark.parametrize("model_id", MODELS)
def test_no_model_raises_anything_but_an_engine_error(model_id):
    model = next(m for m in available() if m.id == model_id)
    inputs = model.input_schema
    param_specs = tuple(s for s in model.params_schema if s.type in (FLOAT, INT, BOOL))

    @settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(_record(inputs), _record(param_specs), st.integers(0, 2**32 - 1))
    def check(raw_inputs, raw_params, seed):
        for name in model.shared_inputs:
            raw_inputs.setdefault(name, [])
        try:
            result = model.value(raw_inputs, raw_params, seed)
        except EngineError:
            return
        data = result.to_dict()
        assert _finite(data)
        if result.kind == "monetary" and result.value is not None:
            figures = [result.value, *(result.percentiles or {}).values()]
            assert all(abs(x) < Decimal(10) ** MONEY_DIGITS for x in figures)  # fits the stored columns

    check()


def test_a_value_beyond_the_stored_columns_is_refused_with_a_field_message():
    """Found by a random draw: CNY 10 trillion revenue doubling for 20 years overflowed NUMERIC(18, 2)."""
    model = get_model("rfr")
    with pytest.raises(InputError) as refused:
        model.value(
            {"remaining_years": 20.0},
            {
                "revenue": 1e13,
                "growth": 1.0,
                "royalty_rate": 0.5,
                "discount_rate": 0.1,
                "years": 20,
                "draws": 0,
            },
            0,
        )
    assert refused.value.field == "revenue"
