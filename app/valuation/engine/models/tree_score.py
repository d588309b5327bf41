"""Shared machinery of the indicator-tree score models (CNIPA value degree, GB/T 42748 template)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np

from .. import indicators
from ..base import SCORE_KIND, Model
from ..errors import Msg, ParameterError
from ..result import BatchResult, Text, ValuationResult
from ..schema import MAPPING, InputSpec
from .common import (
    BWD_INPUT,
    CLAIMS_INPUT,
    FAMILY_INPUT,
    FWD_INPUT,
    INDEP_INPUT,
    LEGAL_STATUS_INPUT,
    PATENT_TYPE_INPUT,
    REMAINING_INPUT,
    VALID_STATUSES,
)

TREE_INPUTS = (
    dataclasses.replace(REMAINING_INPUT, required=False),
    LEGAL_STATUS_INPUT,
    PATENT_TYPE_INPUT,
    FAMILY_INPUT,
    CLAIMS_INPUT,
    INDEP_INPUT,
    FWD_INPUT,
    BWD_INPUT,
    InputSpec(
        "assessor_scores",
        MAPPING,
        "score",
        None,
        (0.0, 100.0),
        "评估师对本专利的指标打分",
        "Assessor's indicator scores for this patent",
    ),
)

MOSTLY_DEFAULTED = "mostly_defaulted"  # more than half the indicators fell back to the default score


@cache
def _builtin(name: str) -> indicators.Tree:
    return indicators.load_tree(indicators.builtin_tree(name))


class TreeScoreModel(Model):
    """A weighted sum of indicator scores over a data-defined tree."""

    kind = SCORE_KIND
    input_schema = TREE_INPUTS
    tree_name = ""

    def tree(self, params: Mapping[str, Any]) -> indicators.Tree:
        """The built-in tree, or the assessor's override when given."""
        override = params.get("tree")
        return _builtin(self.tree_name) if override is None else indicators.load_tree(override)

    def leaf_weights(self, tree: indicators.Tree, params: Mapping[str, Any]) -> np.ndarray:
        """Effective leaf weights for these parameters."""
        raise NotImplementedError

    def entered(self, params: Mapping[str, Any]) -> Mapping[str, float]:
        """Scores the assessor entered in the parameters."""
        return params.get("scores") or {}

    def default_score(self, tree: indicators.Tree, params: Mapping[str, Any]) -> float:
        """Score used for indicators neither derived nor entered."""
        value = params.get("default_score")
        return tree.scale / 2.0 if value is None else float(value)

    def check_params(self, params: Mapping[str, Any]) -> dict[str, str]:
        """Tree override, weight keys and entered scores must agree with each other."""
        try:
            tree = self.tree(params)
            self.leaf_weights(tree, params)
        except ParameterError as exc:
            return exc.errors
        errors = indicators.check_entered(tree, self.entered(params))
        unknown = sorted(set(params.get("weights") or {}) - tree.node_keys())
        if unknown:
            errors["weights"] = Msg(
                f"unknown indicator or group keys: {', '.join(unknown)}",
                f"未知的指标或分组键：{', '.join(unknown)}",
            )
        if not 0.0 <= self.default_score(tree, params) <= tree.scale:
            errors["default_score"] = Msg(
                f"must lie in [0, {tree.scale:g}]", f"必须在 [0, {tree.scale:g}] 之内"
            )
        return errors

    def _core(self, columns: Mapping[str, Any], n: int, params: Mapping[str, Any]) -> tuple[Any, ...]:
        tree = self.tree(params)
        weights = self.leaf_weights(tree, params)
        scores, status = indicators.score_matrix(
            tree, columns, n, self.entered(params), self.default_score(tree, params)
        )
        return tree, weights, scores, status, (scores * weights).sum(axis=1)

    def _dimensions(
        self, tree: indicators.Tree, weights: np.ndarray, scores: np.ndarray
    ) -> dict[str, np.ndarray]:
        out = {}
        for top in tree.data["children"]:
            mask = np.array([leaf.path[0] == top["key"] for leaf in tree.leaves])
            total = weights[mask].sum()
            out[top["key"]] = (
                (scores[:, mask] * weights[mask]).sum(axis=1) / total
                if total > 0
                else np.zeros(scores.shape[0])
            )
        return out

    def evaluate_batch(
        self, columns: dict[str, Any], n: int, params: dict[str, Any], seed: int
    ) -> BatchResult:
        """Score matrix x weights for the whole batch."""
        tree, weights, scores, status, values = self._core(columns, n, params)
        status_col = columns.get("legal_status")
        in_force = (
            np.ones(n, dtype=bool)
            if status_col is None
            else np.array([s in VALID_STATUSES for s in status_col])
        )
        return self.batch(
            values,
            np.ones(n, dtype=bool),
            params,
            seed,
            extra=self._dimensions(tree, weights, scores),
            flags={
                "not_in_force": ~in_force,
                "uses_defaults": (status == 2).any(axis=1),
                MOSTLY_DEFAULTED: (status == 2).mean(axis=1) > 0.5,
            },
        )

    def point_value(self, inputs: Mapping[str, Any], params: Mapping[str, Any]) -> float:
        """The score (deterministic)."""
        return float(self._core({k: [v] for k, v in inputs.items()}, 1, params)[4][0])

    def evaluate(self, inputs: dict[str, Any], params: dict[str, Any], seed: int) -> ValuationResult:
        """One patent, every indicator shown with its weight and whether it was derived, entered or defaulted."""
        tree, weights, scores, status, values = self._core({k: [v] for k, v in inputs.items()}, 1, params)
        names = indicators.STATUS_NAMES
        rows = [
            {
                "key": leaf.key,
                "name_zh": leaf.name_zh,
                "name_en": leaf.name_en,
                "group": "/".join(leaf.path[:-1]),
                "score": float(scores[0, j]),
                "weight": float(weights[j]),
                "status": names[status[0, j]],
            }
            for j, leaf in enumerate(tree.leaves)
        ]
        drivers = [
            (leaf.key, leaf.name_zh, leaf.name_en, float(weights[j] * scores[0, j]))
            for j, leaf in enumerate(tree.leaves)
        ]
        dims = {k: float(v[0]) for k, v in self._dimensions(tree, weights, scores).items()}
        steps = [(k, f"{k} 维度得分", f"{k} dimension score", v, "score") for k, v in dims.items()]
        steps.append(("total", "加权总分", "Weighted total score", float(values[0]), "score"))
        return self.make_result(
            inputs,
            params,
            seed,
            value=float(values[0]),
            drivers=drivers,
            steps=steps,
            assumptions=self.assumptions(tree),
            warnings=self._warnings(inputs, rows),
            details={
                "indicators": rows,
                "dimensions": dims,
                "scale": tree.scale,
                MOSTLY_DEFAULTED: bool((status[0] == 2).mean() > 0.5),
            },
        )

    def assumptions(self, tree: indicators.Tree) -> list[Text]:
        """Model-specific labels of the template."""
        return []

    def _warnings(self, inputs: Mapping[str, Any], rows: list[dict[str, Any]]) -> list[Text]:
        out = []
        defaulted = [r for r in rows if r["status"] == indicators.DEFAULT]
        if defaulted:
            out.append(
                Text(
                    "defaulted",
                    f"以下指标未打分，使用默认分：{'、'.join(r['name_zh'] for r in defaulted)}",
                    f"Not scored, default used: {', '.join(r['name_en'] for r in defaulted)}",
                )
            )
        if inputs.get("legal_status") not in (None, *VALID_STATUSES):
            out.append(Text("not_in_force", "专利不处于有效状态", "The patent is not in force"))
        return out
