"""Indicator trees as data: loading, validation, derivation rules and flattened leaf weights."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from .errors import InputError, Msg, ParameterError, msg

RULES = ("linear", "log", "lookup", "offices", "weighted_sum")
ENTERED, DERIVED, DEFAULT = "entered", "derived", "default"


@dataclass(frozen=True)
class Leaf:
    """A scored indicator with its path and optional derivation rule."""

    key: str
    name_zh: str
    name_en: str
    path: tuple[str, ...]
    derive: Mapping[str, Any] | None


@dataclass(frozen=True)
class Tree:
    """A validated indicator tree; node weights are relative among siblings."""

    data: Mapping[str, Any]
    leaves: tuple[Leaf, ...]
    scale: float

    @property
    def keys(self) -> tuple[str, ...]:
        """Leaf keys in tree order."""
        return tuple(leaf.key for leaf in self.leaves)

    def node_keys(self) -> set[str]:
        """Every node key (inner and leaf), for weight overrides."""
        out: set[str] = set()
        _walk(self.data["children"], (), lambda node, _p: out.add(node["key"]))
        return out

    def leaf_weights(self, overrides: Mapping[str, float] | None = None) -> np.ndarray:
        """Effective leaf weights: product of sibling-normalised weights along each path; sums to 1."""
        overrides = overrides or {}
        weights = np.array(
            [_path_weight(self.data["children"], leaf.path, overrides) for leaf in self.leaves]
        )
        total = weights.sum()
        if not total > 0:
            raise ParameterError.single("weights", "all weights are zero", "所有权重均为零")
        return weights / total


def _walk(children: Sequence[Mapping[str, Any]], path: tuple[str, ...], visit: Any) -> None:
    for node in children:
        visit(node, path)
        _walk(node.get("children", ()), (*path, node["key"]), visit)


def _path_weight(
    children: Sequence[Mapping[str, Any]], path: tuple[str, ...], overrides: Mapping[str, float]
) -> float:
    weight = 1.0
    for key in path:
        sibling = {c["key"]: float(overrides.get(c["key"], c.get("weight", 1.0))) for c in children}
        total = sum(sibling.values())
        weight *= sibling[key] / total if total > 0 else 0.0
        children = next(c for c in children if c["key"] == key).get("children", ())
    return weight


def _check_rule(rule: Any, where: str, problems: list[str]) -> None:
    if not isinstance(rule, Mapping) or rule.get("rule") not in RULES:
        problems.append(f"{where}: derive.rule must be one of {', '.join(RULES)}")
    elif rule["rule"] != "weighted_sum" and not isinstance(rule.get("input"), str):
        problems.append(f"{where}: derive.input must name a patent fact")


def _check_node(node: Any, path: tuple[str, ...], seen: set[str], problems: list[str]) -> None:
    where = "/".join((*path, str(node.get("key") if isinstance(node, Mapping) else "?")))
    if not isinstance(node, Mapping) or not isinstance(node.get("key"), str):
        problems.append(Msg(f"{where}: every node needs a text key", f"{where}：每个节点都需要文本 key"))
        return
    if node["key"] in seen:
        problems.append(Msg(f"{where}: duplicate key", f"{where}：key 重复"))
    seen.add(node["key"])
    weight = node.get("weight", 1.0)
    if (
        isinstance(weight, bool)
        or not isinstance(weight, int | float)
        or not math.isfinite(weight)
        or weight < 0
    ):
        problems.append(
            Msg(f"{where}: weight must be a finite number >= 0", f"{where}：权重必须是不小于 0 的有限数值")
        )
    if not (node.get("name_zh") and node.get("name_en")):
        problems.append(Msg(f"{where}: needs name_zh and name_en", f"{where}：需要 name_zh 和 name_en"))
    if node.get("derive") is not None:
        _check_rule(node["derive"], where, problems)
    for child in node.get("children", ()):
        _check_node(child, (*path, node["key"]), seen, problems)


def load_tree(data: Mapping[str, Any], field: str = "tree") -> Tree:
    """Validate a tree (built-in JSON or an assessor's override) and list its leaves."""
    problems: list[str] = []
    children = data.get("children") if isinstance(data, Mapping) else None
    if not isinstance(children, list) or not children:
        raise ParameterError.single(field, "needs a non-empty children list", "需要非空的 children 列表")
    scale = data.get("scale", 10)
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not scale > 0:
        problems.append(Msg("scale must be a positive number", "scale 必须为正数"))
    seen: set[str] = set()
    for node in children:
        _check_node(node, (), seen, problems)
    if problems:
        raise ParameterError.single(
            field, "; ".join(msg(p).en for p in problems), "；".join(msg(p).zh for p in problems)
        )
    leaves: list[Leaf] = []
    _walk(
        children,
        (),
        lambda node, path: (
            leaves.append(
                Leaf(node["key"], node["name_zh"], node["name_en"], (*path, node["key"]), node.get("derive"))
            )
            if not node.get("children")
            else None
        ),
    )
    return Tree(data, tuple(leaves), float(scale))


def builtin_tree(name: str) -> dict[str, Any]:
    """A tree shipped in the package's data folder."""
    return json.loads(
        resources.files(__package__).joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    )


def _numeric(column: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    if column is None:
        return np.zeros(n), np.zeros(n, dtype=bool)
    if isinstance(column, np.ndarray):
        known = ~np.isnan(column)
        return np.where(known, column, 0.0), known
    arr = np.array([math.nan if x is None else float(x) for x in column])
    known = ~np.isnan(arr)
    return np.where(known, arr, 0.0), known


def derive(
    rule: Mapping[str, Any], columns: Mapping[str, Any], n: int, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Score one indicator for every patent from its facts; also says where the facts were present."""
    cap = float(rule.get("cap", scale))
    kind = rule["rule"]
    if kind == "weighted_sum":
        total, known = np.zeros(n), np.zeros(n, dtype=bool)
        for name, coef in rule["terms"].items():
            x, k = _numeric(columns.get(name), n)
            total, known = total + coef * x, known | k
        return np.minimum(total, cap), known
    column = columns.get(rule["input"])
    if kind == "lookup":
        table = rule["map"]
        known = np.array([x is not None for x in column]) if column is not None else np.zeros(n, dtype=bool)
        values = [table.get(x, rule.get("default", 0.0)) for x in column] if column is not None else [0.0] * n
        return np.minimum(np.array(values, dtype=float), cap), known
    if kind == "offices":
        points, other = rule["points"], float(rule.get("other", 0.0))
        skip = set(rule.get("ignore", ()))
        if column is None:
            return np.zeros(n), np.zeros(n, dtype=bool)
        values = [0.0 if c is None else sum(points.get(o, other) for o in set(c) - skip) for c in column]
        return np.minimum(np.array(values, dtype=float), cap), np.array([c is not None for c in column])
    x, known = _numeric(column, n)
    if kind == "log":
        return np.minimum(float(rule["factor"]) * np.log2(1.0 + np.maximum(x, 0.0)), cap), known
    return np.minimum(float(rule["per_unit"]) * x, cap), known


def score_matrix(
    tree: Tree, columns: Mapping[str, Any], n: int, entered: Mapping[str, float], default_score: float
) -> tuple[np.ndarray, np.ndarray]:
    """(patents x leaves) scores and a status code per cell: 0 entered, 1 derived, 2 default."""
    scores = np.full((n, len(tree.leaves)), float(default_score))
    status = np.full((n, len(tree.leaves)), 2, dtype=np.int8)
    for j, leaf in enumerate(tree.leaves):
        if leaf.derive is not None:
            values, known = derive(leaf.derive, columns, n, tree.scale)
            scores[:, j] = np.where(known, values, scores[:, j])
            status[known, j] = 1
        if leaf.key in entered:
            scores[:, j], status[:, j] = float(entered[leaf.key]), 0
    _apply_per_patent(tree, columns.get("assessor_scores"), scores, status)
    return scores, status


def _apply_per_patent(
    tree: Tree, rows: Sequence[Mapping[str, float] | None] | None, scores: np.ndarray, status: np.ndarray
) -> None:
    if rows is None:
        return
    index = {key: j for j, key in enumerate(tree.keys)}
    for i, row in enumerate(rows):
        for key, value in (row or {}).items():
            if key not in index:
                raise InputError.single(
                    "assessor_scores", f"row {i}: unknown indicator {key}", f"第 {i} 行：未知指标 {key}"
                )
            if not 0.0 <= value <= tree.scale:
                raise InputError.single(
                    "assessor_scores",
                    f"row {i}: {key} must lie in [0, {tree.scale:g}]",
                    f"第 {i} 行：{key} 必须在 [0, {tree.scale:g}] 之内",
                )
            scores[i, index[key]], status[i, index[key]] = float(value), 0


def check_entered(tree: Tree, entered: Mapping[str, float]) -> dict[str, str]:
    """Entered scores must name leaves and stay on the tree's scale."""
    unknown = sorted(set(entered) - set(tree.keys))
    if unknown:
        return {"scores": Msg(f"unknown indicators: {', '.join(unknown)}", f"未知指标：{', '.join(unknown)}")}
    bad = sorted(k for k, v in entered.items() if not 0.0 <= v <= tree.scale)
    if not bad:
        return {}
    return {
        "scores": Msg(
            f"scores must lie in [0, {tree.scale:g}]: {', '.join(bad)}",
            f"评分必须在 [0, {tree.scale:g}] 之内：{', '.join(bad)}",
        )
    }


STATUS_NAMES = (ENTERED, DERIVED, DEFAULT)
