"""Three-level indicator template based on GB/T 42748-2023, with scenario weight presets; the tree is data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import indicators
from ..errors import ParameterError
from ..result import Text
from ..schema import CHOICE, FLOAT, MAPPING, ParamSpec
from .tree_score import TreeScoreModel

SCENARIOS = ("licensing_transfer", "finance_pledge", "tax_reporting", "infringement", "management")


class GbtTemplateModel(TreeScoreModel):
    """Weighted 0-100 score over 3 first-level, 14 second-level and 27 third-level indicators."""

    id = "gbt42748"
    version = "1.0.0"
    name_zh = "专利评估指标体系（基于 GB/T 42748-2023）"
    name_en = "Patent evaluation indicators (based on GB/T 42748-2023)"
    tree_name = "gbt42748"
    limitations_zh = "模板“基于”标准，二级分组与情景权重为平台默认值，尚未与标准原文逐条核对。"
    limitations_en = "Based on the standard; second-level grouping and scenario weights are platform defaults not yet checked against its text."
    params_schema = (
        ParamSpec(
            "scenario",
            CHOICE,
            "",
            "licensing_transfer",
            None,
            "评估情景",
            "Evaluation scenario",
            choices=SCENARIOS,
            sensitivity=False,
        ),
        ParamSpec(
            "weights",
            MAPPING,
            "",
            None,
            (0.0, 100.0),
            "节点权重覆盖（任意层级）",
            "Node weight overrides (any level)",
        ),
        ParamSpec(
            "scores", MAPPING, "score", None, (0.0, 100.0), "评估师打分（0-100）", "Assessor scores (0-100)"
        ),
        ParamSpec(
            "default_score",
            FLOAT,
            "score",
            None,
            (0.0, 100.0),
            "未打分指标的默认分（默认为量程一半）",
            "Score for unscored indicators (default: half the scale)",
        ),
        ParamSpec(
            "tree",
            MAPPING,
            "",
            None,
            None,
            "自定义指标树（JSON）",
            "Custom indicator tree (JSON)",
            value_type="any",
            sensitivity=False,
        ),
    )

    def leaf_weights(self, tree: indicators.Tree, params: Mapping[str, Any]) -> np.ndarray:
        """Scenario preset, then the assessor's overrides."""
        presets = tree.data.get("presets") or {}
        if params["scenario"] not in presets:
            raise ParameterError.single(
                "scenario",
                f"the tree has no preset for {params['scenario']}",
                f"指标树没有场景 {params['scenario']} 的预设权重",
            )
        return tree.leaf_weights(dict(presets[params["scenario"]]) | dict(params.get("weights") or {}))

    def assumptions(self, tree: indicators.Tree) -> list[Text]:
        """Say plainly that the template is based on the standard."""
        return [
            Text(
                "based_on",
                tree.data.get("label_zh", "基于 GB/T 42748-2023"),
                tree.data.get("label_en", "Based on GB/T 42748-2023"),
            )
        ]
