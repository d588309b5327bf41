"""Cost approach: replacement cost less obsolescence, the 倍加系数法 multiplier, and the renewal-fee floor."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..base import Model
from ..errors import Msg
from ..result import BatchResult, Text, ValuationResult
from ..schema import BOOL, CHOICE, FLOAT, INT, ParamSpec
from ..tables import LEGAL_TERM_YEARS, annual_fee
from .common import FEE_YEAR_INPUT, OFFICE_INPUT, PATENT_TYPE_INPUT, REMAINING_INPUT, money, yuan

# A patent type as readers name it, (Chinese, English): step texts never show the identifier.
KIND_NAMES = {
    "invention": ("发明", "invention"),
    "utility_model": ("实用新型", "utility model"),
    "design": ("外观设计", "design"),
}

MAX_COST = 1e12


def current_fee_year(patent_type: str, remaining_years: float, fee_year: int | None) -> int:
    """The fee year now due: given, or inferred from the remaining term."""
    if fee_year is not None:
        return int(fee_year)
    term = LEGAL_TERM_YEARS[patent_type]
    return max(1, min(term, term - math.ceil(remaining_years) + 1))


def renewal_floor(
    patent_type: str, fee_year: int, reduction: float, reduction_years: int, office: str = "CN"
) -> float:
    """The annual fee the owner must pay to keep the patent: a revealed lower bound on its value to them.
    The CN fee reduction applies to CN fees only."""
    fee = annual_fee(patent_type, fee_year, office)
    return fee * (1.0 - reduction) if office == "CN" and fee_year <= reduction_years else float(fee)


class CostModel(Model):
    """Replacement cost or the cost-multiplier formula, always shown beside the renewal-fee floor."""

    id = "cost"
    version = "1.0.0"
    name_zh = "成本法"
    name_en = "Cost approach"
    limitations_zh = "成本不等于价值；仅作下限与合理性检验，不得与市场价值混合。"
    limitations_en = (
        "Cost is not value: a floor and sanity check, never blended silently into a market value."
    )
    input_schema = (REMAINING_INPUT, PATENT_TYPE_INPUT, FEE_YEAR_INPUT, OFFICE_INPUT)
    params_schema = (
        ParamSpec(
            "method",
            CHOICE,
            "",
            "replacement",
            None,
            "方法",
            "Method",
            choices=("replacement", "multiplier", "floor_only"),
            sensitivity=False,
        ),
        ParamSpec("replacement_cost", FLOAT, "CNY", None, (0.0, MAX_COST), "重置成本", "Replacement cost"),
        ParamSpec(
            "functional_obsolescence",
            FLOAT,
            "ratio",
            0.0,
            (0.0, 1.0),
            "功能性贬值率",
            "Functional obsolescence",
        ),
        ParamSpec(
            "economic_obsolescence", FLOAT, "ratio", 0.0, (0.0, 1.0), "经济性贬值率", "Economic obsolescence"
        ),
        ParamSpec(
            "use_remaining_life_ratio",
            BOOL,
            "",
            True,
            None,
            "按剩余寿命比例计算成新率",
            "Scale by remaining / total legal term",
            sensitivity=False,
        ),
        ParamSpec("material_cost", FLOAT, "CNY", None, (0.0, MAX_COST), "物化劳动消耗 C", "Material cost C"),
        ParamSpec("labour_cost", FLOAT, "CNY", None, (0.0, MAX_COST), "活劳动消耗 V", "Labour cost V"),
        ParamSpec(
            "researcher_multiplier",
            FLOAT,
            "x",
            1.5,
            (1.0, 10.0),
            "科研人员倍加系数 β1",
            "Researcher multiplier b1",
        ),
        ParamSpec("return_rate", FLOAT, "ratio", 0.1, (0.0, 2.0), "投资报酬率 L", "Return rate L"),
        ParamSpec("risk_rate", FLOAT, "ratio", 0.1, (0.0, 0.95), "研发风险系数 β2", "R&D risk b2"),
        ParamSpec(
            "fee_reduction",
            FLOAT,
            "ratio",
            0.0,
            (0.0, 0.85),
            "年费减缴比例",
            "Annual-fee reduction (0.85 or 0.70)",
        ),
        ParamSpec(
            "fee_reduction_years",
            INT,
            "yr",
            10,
            (0, 20),
            "减缴适用年度",
            "Fee years the reduction covers",
            sensitivity=False,
        ),
    )

    def check_params(self, params: Mapping[str, Any]) -> dict[str, str]:
        """Each method needs its own cost figures."""
        if params["method"] == "replacement" and params["replacement_cost"] is None:
            return {"replacement_cost": Msg("is required for the replacement method", "重置成本法时必填")}
        if params["method"] == "multiplier":
            missing = [k for k in ("material_cost", "labour_cost") if params[k] is None]
            return dict.fromkeys(missing, Msg("is required for the multiplier method", "倍加系数法时必填"))
        return {}

    def _gross(self, params: Mapping[str, Any]) -> float:
        if params["method"] == "replacement":
            return (
                params["replacement_cost"]
                * (1 - params["functional_obsolescence"])
                * (1 - params["economic_obsolescence"])
            )
        if params["method"] == "multiplier":
            c, v, b1 = params["material_cost"], params["labour_cost"], params["researcher_multiplier"]
            return (c + b1 * v) * (1 + params["return_rate"]) / (1 - params["risk_rate"])
        return 0.0

    def _life_ratio(self, params: Mapping[str, Any], patent_type: str, remaining: np.ndarray) -> np.ndarray:
        if not params["use_remaining_life_ratio"] or params["method"] == "floor_only":
            return np.ones_like(remaining)
        return np.minimum(remaining / LEGAL_TERM_YEARS[patent_type], 1.0)

    def evaluate_batch(
        self, columns: dict[str, Any], n: int, params: dict[str, Any], seed: int
    ) -> BatchResult:
        """Vectorised over patents; the floor is returned as an extra column, never blended."""
        remaining = columns["remaining_years"]
        types = columns["patent_type"]
        fee_years = columns.get("annual_fee_year")
        offices = columns.get("jurisdiction")
        offices = ["CN"] * n if offices is None else [o or "CN" for o in offices]
        ratio = np.empty(n)
        floors = np.empty(n)
        for kind, office in set(zip(types, offices, strict=True)):
            mask = np.fromiter(
                (t == kind and o == office for t, o in zip(types, offices, strict=True)), bool, n
            )
            ratio[mask] = self._life_ratio(params, kind, remaining[mask])
            term = LEGAL_TERM_YEARS[kind]
            inferred = np.clip(term - np.ceil(remaining[mask]) + 1, 1, term)
            years = (
                inferred
                if fee_years is None
                else np.where(np.isnan(fee_years[mask]), inferred, fee_years[mask])
            )
            fees = np.array([annual_fee(kind, y, office) for y in range(term + 2)], dtype=float)
            due = fees[np.clip(years.astype(np.intp), 0, term + 1)]
            reduced = (years <= params["fee_reduction_years"]) & (office == "CN")
            floors[mask] = np.where(reduced, due * (1.0 - params["fee_reduction"]), due)
        values = floors.copy() if params["method"] == "floor_only" else self._gross(params) * ratio
        return self.batch(
            values,
            np.ones(n, dtype=bool),
            params,
            seed,
            flags={"below_floor": values < floors},
            extra={"renewal_fee_floor": floors},
        )

    def evaluate(self, inputs: dict[str, Any], params: dict[str, Any], seed: int) -> ValuationResult:
        """One patent with its cost build-up and the labelled floor."""
        kind, remaining = inputs["patent_type"], inputs["remaining_years"]
        fee_year = current_fee_year(kind, remaining, inputs["annual_fee_year"])
        office = inputs["jurisdiction"]
        floor = renewal_floor(kind, fee_year, params["fee_reduction"], params["fee_reduction_years"], office)
        ratio = float(self._life_ratio(params, kind, np.array([remaining]))[0])
        gross = self._gross(params)
        value = floor if params["method"] == "floor_only" else gross * ratio
        drivers, steps = self._explain(params, gross, ratio, value)
        steps.append(
            (
                "floor",
                f"续费下限：第{fee_year}年年费（{office}，{KIND_NAMES.get(kind, (kind, kind))[0]}）",
                f"Renewal-fee floor: fee year {fee_year} ({office}, {KIND_NAMES.get(kind, (kind, kind))[1]})",
                floor,
                "CNY",
            )
        )
        warnings = [
            Text(
                "floor_label",
                f"续费下限 {yuan(floor)} 仅为下限，不代表市场价值",
                f"Renewal-fee floor {yuan(floor)} is a floor only, not a market value",
            )
        ]
        if value < floor:
            warnings.append(
                Text("below_floor", "成本估计低于续费下限", "Cost estimate is below the renewal-fee floor")
            )
        assumptions = [
            Text(
                "cost_not_value",
                "成本法结果为下限与合理性检验，不与市场法结果混合",
                "The cost result is a floor and sanity check, not blended with market value",
            )
        ]
        if params["method"] == "multiplier":
            assumptions.append(
                Text(
                    "b2_sign",
                    "采用 (C+β1V)(1+L)/(1-β2)：研发风险提高重置成本（文献对β2符号有分歧）",
                    "Uses (C+b1V)(1+L)/(1-b2): R&D risk raises the cost (sources differ on the sign of b2)",
                )
            )
        return self.make_result(
            inputs,
            params,
            seed,
            value=value,
            drivers=drivers,
            steps=steps,
            assumptions=assumptions,
            warnings=warnings,
            details={
                "renewal_fee_floor": money(floor),
                "fee_year": fee_year,
                "floor_label": "floor",
                "method": params["method"],
            },
        )

    def _explain(
        self, params: Mapping[str, Any], gross: float, ratio: float, value: float
    ) -> tuple[list, list]:
        method = params["method"]
        if method == "floor_only":
            return [("floor", "续费下限", "Renewal-fee floor", value)], []
        if method == "replacement":
            rc = params["replacement_cost"]
            steps = [
                ("replacement_cost", "重置成本", "Replacement cost", rc, "CNY"),
                (
                    "after_obsolescence",
                    "扣除功能性与经济性贬值",
                    "Less functional and economic obsolescence",
                    gross,
                    "CNY",
                ),
            ]
            drivers = [
                ("replacement_cost", "重置成本", "Replacement cost", rc * ratio),
                ("obsolescence", "贬值扣减", "Obsolescence", (gross - rc) * ratio),
            ]
        else:
            c, v, b1 = params["material_cost"], params["labour_cost"], params["researcher_multiplier"]
            base = c + b1 * v
            with_return = base * (1 + params["return_rate"])
            steps = [
                ("base", "C + β1×V", "C + b1 x V", base, "CNY"),
                ("with_return", "× (1 + L)", "x (1 + L)", with_return, "CNY"),
                ("with_risk", "÷ (1 - β2)", "/ (1 - b2)", gross, "CNY"),
            ]
            drivers = [
                ("material", "物化劳动", "Material cost", c * ratio),
                ("labour", "活劳动（含倍加）", "Labour (with multiplier)", b1 * v * ratio),
                ("return", "投资报酬", "Return uplift", (with_return - base) * ratio),
                ("risk", "研发风险", "R&D risk uplift", (gross - with_return) * ratio),
            ]
        steps.append(("life_ratio", "成新率（剩余期限/法定期限）", "Remaining-life ratio", ratio, "ratio"))
        steps.append(("value", "成本法价值", "Cost-approach value", value, "CNY"))
        return drivers, steps
