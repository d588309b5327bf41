"""CNIPA patent value degree (专利价值度): PVD = a*LVD + b*TVD + c*EVD over 18 indicators scored 0-10."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import indicators
from ..errors import Msg
from ..result import Text
from ..schema import FLOAT, MAPPING, ParamSpec
from .tree_score import TreeScoreModel

ONE_THIRD = 1.0 / 3.0


class CnipaPvdModel(TreeScoreModel):
    """Legal, technical and economic value degrees weighted by alpha, beta and gamma."""

    id = "cnipa_pvd"
    version = "1.0.0"
    name_zh = "专利价值度（CNIPA）"
    name_en = "Patent value degree (CNIPA)"
    tree_name = "cnipa_pvd"
    limitations_zh = "打分法结果为分数而非金额；可推导指标为公开代码中的经验代理。"
    limitations_en = "A score, not money; derived indicators use ad hoc public proxies."
    params_schema = (
        ParamSpec("alpha", FLOAT, "", ONE_THIRD, (0.0, 1.0), "法律价值度权重 α", "Weight of LVD (alpha)"),
        ParamSpec("beta", FLOAT, "", ONE_THIRD, (0.0, 1.0), "技术价值度权重 β", "Weight of TVD (beta)"),
        ParamSpec("gamma", FLOAT, "", ONE_THIRD, (0.0, 1.0), "经济价值度权重 γ", "Weight of EVD (gamma)"),
        ParamSpec(
            "indicator_weights",
            MAPPING,
            "",
            None,
            (0.0, 100.0),
            "指标相对权重（维度内归一）",
            "Relative indicator weights (normalised within each dimension)",
        ),
        ParamSpec(
            "scores", MAPPING, "score", None, (0.0, 10.0), "评估师打分（0-10）", "Assessor scores (0-10)"
        ),
        ParamSpec(
            "default_score",
            FLOAT,
            "score",
            5.0,
            (0.0, 10.0),
            "未打分指标的默认分",
            "Score for unscored indicators",
        ),
    )

    def check_params(self, params: Mapping[str, Any]) -> dict[str, str]:
        """alpha + beta + gamma must equal 1."""
        errors = super().check_params(params)
        total = params["alpha"] + params["beta"] + params["gamma"]
        if abs(total - 1.0) > 1e-6:
            errors["alpha"] = Msg(
                f"alpha + beta + gamma must equal 1 (got {total:.6f})",
                f"alpha + beta + gamma 必须等于 1（实际为 {total:.6f}）",
            )
        unknown = sorted(set(params.get("indicator_weights") or {}) - set(self.tree(params).keys))
        if unknown:
            errors["indicator_weights"] = Msg(
                f"unknown indicators: {', '.join(unknown)}", f"未知指标：{', '.join(unknown)}"
            )
        return errors

    def leaf_weights(self, tree: indicators.Tree, params: Mapping[str, Any]) -> np.ndarray:
        """alpha/beta/gamma times sibling-normalised indicator weights."""
        overrides = dict(params.get("indicator_weights") or {})
        overrides |= {"legal": params["alpha"], "technical": params["beta"], "economic": params["gamma"]}
        return tree.leaf_weights(overrides)

    def assumptions(self, tree: indicators.Tree) -> list[Text]:
        """State the formula and the status of the derived indicators."""
        return [
            Text(
                "pvd",
                "PVD = α×LVD + β×TVD + γ×EVD，指标0-10分",
                "PVD = a x LVD + b x TVD + c x EVD, indicators scored 0-10",
            ),
            Text(
                "proxies",
                "剩余期限每年0.5分（上限10）、多国申请按局计分（US 5, EP 4, JP 4, KR 3，上限10）等为经验代理",
                "Remaining term 0.5 points a year (cap 10), filing offices US 5, EP 4, JP 4, KR 3 (cap 10) etc. are ad hoc proxies",
            ),
        ]
