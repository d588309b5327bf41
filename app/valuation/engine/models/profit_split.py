"""The Chinese profit-split method (分成率法): sales x sales-based split rate, after tax, discounted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import Msg
from ..result import Text
from ..schema import CHOICE, FLOAT, ParamSpec
from .common import heuristic_warning
from .rfr import INCOME_PARAMS, IncomeModel, mc_specs

HEURISTICS = {"one_third": 1.0 / 3.0, "one_quarter": 0.25}
UNIDO_BAND = (0.16, 0.27)
OPEN_LICENCE_PROFIT_CAP = 0.40


SPLIT_PARAMS = (
    *INCOME_PARAMS,
    ParamSpec(
        "basis",
        CHOICE,
        "",
        "sales",
        None,
        "分成基数：销售收入或利润",
        "Split basis: sales or profit",
        choices=("sales", "profit"),
        sensitivity=False,
    ),
    ParamSpec(
        "split_rate",
        FLOAT,
        "ratio",
        None,
        (0.0, 1.0),
        "分成率（销售或利润口径）",
        "Split rate (share of sales, or of profit when basis is profit)",
    ),
    ParamSpec(
        "profit_margin",
        FLOAT,
        "ratio",
        None,
        (0.0, 1.0),
        "利润率（利润口径时必填）",
        "Profit margin (required for the profit basis)",
    ),
    ParamSpec(
        "heuristic",
        CHOICE,
        "",
        "none",
        None,
        "经验法则（仅交叉检验）",
        "Rule of thumb (cross-check only)",
        choices=("none", "one_third", "one_quarter"),
        sensitivity=False,
    ),
)


class ProfitSplitModel(IncomeModel):
    """分成率法: the licensor's share of the sales (or of the profit, times the profit margin).

    2.0.0: distributions are offsets from (lognormal: multipliers of) the point estimates, as in rfr.
    """

    id = "profit_split"
    version = "2.0.0"
    name_zh = "分成率法"
    name_en = "Profit split (royalty-split rate)"
    rate_key = "split_rate"
    rate_bounds = (0.0, 1.0)
    limitations_zh = "分成率的选取依赖判断；三分法、四分法仅作经验交叉检验。"
    limitations_en = (
        "The split rate is a judgement; one-third and one-quarter rules are heuristic cross-checks only."
    )
    params_schema = (*SPLIT_PARAMS, *mc_specs("split_rate", (0.0, 1.0)))

    def check_params(self, params: Mapping[str, Any]) -> dict[str, str]:
        """Basis, margin and rate must fit together."""
        errors = super().check_params(params)
        if params["heuristic"] == "none" and params["split_rate"] is None:
            errors["split_rate"] = Msg("is required unless a heuristic is chosen", "未选择经验法则时必填")
        if params["basis"] == "profit" and params["profit_margin"] is None:
            errors["profit_margin"] = Msg("is required for the profit basis", "利润口径时必填")
        if params["heuristic"] != "none" and params["basis"] != "profit":
            errors["heuristic"] = Msg(
                "the one-third / one-quarter rules split profit: set basis to profit",
                "三分法、四分法分的是利润：请把分成基数设为利润",
            )
        if params["basis"] == "sales" and (params["split_rate"] or 0.0) > 0.5:
            errors["split_rate"] = Msg(
                "a sales-based split rate above 50 % is not credible", "销售口径分成率超过 50% 不可信"
            )
        return errors

    def share(self, params: Mapping[str, Any]) -> float:
        """The split rate, or the heuristic's share of profit."""
        return HEURISTICS.get(params["heuristic"], params["split_rate"])

    def rate_multiplier(self, params: Mapping[str, Any]) -> float:
        """Profit-based shares become sales-based rates through the profit margin."""
        return params["profit_margin"] if params["basis"] == "profit" else 1.0

    def _warnings(self, inputs: Mapping[str, Any], params: Mapping[str, Any]) -> list[Text]:
        out = super()._warnings(inputs, params)
        if params["heuristic"] != "none":
            out.append(heuristic_warning(params["heuristic"]))
        if params["basis"] == "profit":
            share = self.share(params)
            if share > OPEN_LICENCE_PROFIT_CAP:
                out.append(
                    Text(
                        "share_above_guidance",
                        "利润分成超过开放许可指引（一般不高于利润的40%）",
                        "Profit share above CNIPA open-licence guidance (generally at most 40 % of profit)",
                    )
                )
            if not UNIDO_BAND[0] <= share <= UNIDO_BAND[1]:
                out.append(
                    Text(
                        "outside_unido",
                        "利润分成率在联合国工业发展组织研究引用的16%–27%区间之外",
                        "Profit share outside the 16-27 % range cited from UNIDO studies",
                    )
                )
        return out

    def _assumptions(self, params: Mapping[str, Any]) -> list[Text]:
        out = super()._assumptions(params)
        if params["basis"] == "profit":
            out.append(
                Text(
                    "sales_rate",
                    "销售分成率 = 利润分成率 × 利润率",
                    "Sales-based rate = profit split rate x profit margin",
                )
            )
        return out


class ProfitSplitModelV1(ProfitSplitModel):
    """profit_split@1.0.0 (absolute distributions), kept so valuations stored with it replay exactly."""

    version = "1.0.0"
    relative_dists = False
    params_schema = (*SPLIT_PARAMS, *mc_specs("split_rate", (0.0, 1.0), relative=False))
