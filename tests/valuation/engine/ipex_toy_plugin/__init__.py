"""A third-party model found only through the ipex.valuation_models entry point (test fixture)."""

from __future__ import annotations

from typing import Any

from app.valuation.engine import Model, ParamSpec, ValuationResult
from app.valuation.engine.schema import FLOAT


class ToyFlatModel(Model):
    """Values every patent at a flat fee."""

    id = "toy_flat"
    version = "0.1.0"
    name_zh = "固定价格（测试）"
    name_en = "Flat price (test)"
    params_schema = (ParamSpec("price", FLOAT, "CNY", 1000.0, (0.0, 1e9)),)

    def evaluate(self, inputs: dict[str, Any], params: dict[str, Any], seed: int) -> ValuationResult:
        """The flat price, as the single driver."""
        return self.make_result(
            inputs,
            params,
            seed,
            value=params["price"],
            drivers=[("flat", "固定价格", "Flat price", params["price"])],
        )
