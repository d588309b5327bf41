"""Pure valuation engine (stdlib, numpy, scipy): models, registry, results, weighting, sensitivity.

Run a model:  model = get("rfr"); result = model.value(inputs, params, seed); result.to_dict()
Batch:        model.value_batch({"remaining_years": [...], ...}, params, seed) -> BatchResult
"""

from __future__ import annotations

from typing import Any

from .backtest import BacktestStats, backtest
from .base import MONETARY, SCORE_KIND, Model
from .ensemble import Calibration, Combined, FairValueRange, fair_value_range, in_force, scale_range
from .errors import (
    EngineError,
    InconsistentMatrixError,
    InputError,
    ParameterError,
    RequestError,
    UnknownModelError,
)
from .high_value import high_value_flag
from .registry import ENTRY_POINT_GROUP, available, discover, get, register, unregister
from .result import BatchResult, Driver, Provenance, Step, Text, ValuationResult, diff_results
from .schema import InputSpec, ParamSpec, rows_to_columns, validate_inputs, validate_params
from .sensitivity import TornadoBar, sobol_indices, tornado
from .version import ENGINE_VERSION, engine_version
from .weighting import AhpResult, FuzzyResult, ahp, combine_weights, entropy_weights, fuzzy_evaluate


def run(
    model_id: str, inputs: dict[str, Any] | None, params: dict[str, Any] | None, seed: int = 0
) -> ValuationResult:
    """One call for the CLI and API: look up, validate, value."""
    return get(model_id).value(inputs, params, seed)


def replay(stored: dict[str, Any], *, ignore_engine: bool = False) -> tuple[ValuationResult, list[str]]:
    """Re-run a stored result from its provenance; the list of differing paths must be empty."""
    prov = stored["provenance"]
    model = get(prov["model_id"], prov["model_version"])
    fresh = model.value(prov["inputs"], prov["params"], prov["seed"])
    return fresh, diff_results(stored, fresh.to_dict(), ignore_engine=ignore_engine)


__all__ = [
    "ENGINE_VERSION",
    "ENTRY_POINT_GROUP",
    "MONETARY",
    "SCORE_KIND",
    "AhpResult",
    "BacktestStats",
    "BatchResult",
    "Calibration",
    "Combined",
    "Driver",
    "EngineError",
    "FairValueRange",
    "FuzzyResult",
    "InconsistentMatrixError",
    "InputError",
    "InputSpec",
    "Model",
    "ParamSpec",
    "ParameterError",
    "RequestError",
    "Provenance",
    "Step",
    "Text",
    "TornadoBar",
    "UnknownModelError",
    "ValuationResult",
    "ahp",
    "available",
    "backtest",
    "combine_weights",
    "diff_results",
    "discover",
    "engine_version",
    "entropy_weights",
    "fair_value_range",
    "in_force",
    "scale_range",
    "fuzzy_evaluate",
    "get",
    "high_value_flag",
    "register",
    "replay",
    "rows_to_columns",
    "run",
    "sobol_indices",
    "tornado",
    "unregister",
    "validate_inputs",
    "validate_params",
]
