"""OECD-style patent quality indicators as percentiles within filing-year x technology-field cohorts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..base import SCORE_KIND, Model
from ..errors import InputError
from ..result import BatchResult, Text, ValuationResult
from ..schema import CHOICE, FLOAT, INT, MAPPING, RECORDS, STR_LIST, InputSpec, ParamSpec
from .common import BWD_INPUT, CLAIMS_INPUT, FAMILY_INPUT, FILING_YEAR_INPUT, FWD_INPUT, IPC_INPUT

INDICATORS = (
    "forward_citations",
    "family_size",
    "claims_count",
    "scope",
    "backward_citations",
    "generality",
    "originality",
    "radicalness",
)
FIELD_WIDTH = {"section": 1, "class": 3, "subclass": 4}


def cohort_percentiles(values: np.ndarray, cohort: np.ndarray) -> np.ndarray:
    """Mid-rank percentile (0-100) of each value within its cohort: (below + half the ties) / size."""
    order = np.lexsort((values, cohort))
    c, v = cohort[order], values[order]
    n = c.shape[0]
    new_group = np.r_[True, c[1:] != c[:-1]]
    new_run = new_group | np.r_[True, v[1:] != v[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
    run_id = np.cumsum(new_run) - 1
    run_start = np.flatnonzero(new_run)
    run_len = np.diff(np.r_[run_start, n])
    group_id = np.cumsum(new_group) - 1
    group_size = np.diff(np.r_[np.flatnonzero(new_group), n])[group_id]
    below = run_start[run_id] - group_start
    out = np.empty(n)
    out[order] = 100.0 * (below + 0.5 * run_len[run_id]) / group_size
    return out


def cohort_ids(years: np.ndarray, ipc: list[str], width: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer cohort id per patent and the size of each patent's cohort."""
    fields = np.array([(x or "")[:width].upper() for x in ipc])
    _, field_idx = np.unique(fields, return_inverse=True)
    _, year_idx = np.unique(years, return_inverse=True)
    ids = year_idx.astype(np.int64) * (int(field_idx.max(initial=0)) + 1) + field_idx
    _, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
    return ids, counts[inverse]


class OecdIndicatorsModel(Model):
    """Composite of cohort percentiles (Squicciarini, Dernis & Criscuolo 2013 indicators)."""

    id = "oecd_indicators"
    version = "1.0.0"
    name_zh = "OECD 专利质量指标（同组百分位）"
    name_en = "OECD patent quality indicators (cohort percentiles)"
    kind = SCORE_KIND
    shared_inputs = ("cohort",)
    limitations_zh = "指标只能解释单件专利价值差异的很小部分（PatVal：2.7%）。"
    limitations_en = "Indicators explain little of one patent's value (PatVal: 2.7 % of variance)."
    input_schema = (
        FILING_YEAR_INPUT,
        IPC_INPUT,
        FWD_INPUT,
        BWD_INPUT,
        CLAIMS_INPUT,
        FAMILY_INPUT,
        InputSpec("family_size", INT, "", None, (0, 500), "同族规模", "Family size"),
        InputSpec(
            "ipc_classes", STR_LIST, "", None, None, "全部IPC分类号", "All IPC codes (for patent scope)"
        ),
        InputSpec("generality", FLOAT, "", None, (0.0, 1.0), "通用性指数", "Generality index"),
        InputSpec("originality", FLOAT, "", None, (0.0, 1.0), "原创性指数", "Originality index"),
        InputSpec("radicalness", FLOAT, "", None, (0.0, 1.0), "激进性指数", "Radicalness index"),
        InputSpec(
            "cohort",
            RECORDS,
            "",
            None,
            None,
            "同组专利（单件估值时需要）",
            "Peer patents of the same cohort (single valuation)",
        ),
    )
    params_schema = (
        ParamSpec(
            "field_level",
            CHOICE,
            "",
            "subclass",
            None,
            "技术领域粒度",
            "Technology field level",
            choices=tuple(FIELD_WIDTH),
            sensitivity=False,
        ),
        ParamSpec(
            "weights", MAPPING, "", None, (0.0, 100.0), "指标权重", "Indicator weights", keys=INDICATORS
        ),
        ParamSpec(
            "min_cohort",
            INT,
            "",
            30,
            (2, 100_000),
            "最小同组规模",
            "Smallest cohort not flagged",
            sensitivity=False,
        ),
    )

    def check_inputs(self, inputs: Mapping[str, Any]) -> dict[str, str]:
        """Percentiles need the cohort key."""
        return {
            k: "is required for cohort percentiles"
            for k in ("filing_year", "ipc_main")
            if inputs.get(k) is None
        }

    def _indicator_columns(self, columns: Mapping[str, Any], n: int) -> dict[str, np.ndarray]:
        out = {}
        derived = {
            "family_size": columns.get("family_size")
            if columns.get("family_size") is not None
            else (
                None
                if columns.get("family_countries") is None
                else [None if c is None else len(set(c)) for c in columns["family_countries"]]
            ),
            "scope": None
            if columns.get("ipc_classes") is None
            else [None if c is None else len({x[:4].upper() for x in c}) for c in columns["ipc_classes"]],
        }
        for key in INDICATORS:
            column = derived.get(key, columns.get(key))
            if column is not None:
                arr = (
                    np.array([np.nan if x is None else x for x in column], dtype=float)
                    if not isinstance(column, np.ndarray)
                    else column
                )
                if not np.isnan(arr).all():
                    out[key] = arr
        return out

    def _core(self, columns: Mapping[str, Any], n: int, params: Mapping[str, Any]) -> dict[str, Any]:
        years = np.asarray(columns["filing_year"], dtype=float)
        ids, sizes = cohort_ids(years, list(columns["ipc_main"]), FIELD_WIDTH[params["field_level"]])
        weights = params.get("weights") or {}
        pct: dict[str, np.ndarray] = {}
        total, wsum = np.zeros(n), np.zeros(n)
        for key, arr in self._indicator_columns(columns, n).items():
            known = ~np.isnan(arr)
            p = np.zeros(n)
            p[known] = cohort_percentiles(arr[known], ids[known])
            w = float(weights.get(key, 1.0)) * known
            pct[key], total, wsum = p, total + w * p, wsum + w
        if not pct:
            raise InputError.single(
                "forward_citations", "no quantitative indicator is present", "没有任何定量指标"
            )
        share = np.divide(1.0, wsum, out=np.zeros(n), where=wsum > 0)
        return {
            "values": total * share,
            "pct": pct,
            "weights": weights,
            "sizes": sizes,
            "share": share,
            "ok": wsum > 0,
        }

    def evaluate_batch(
        self, columns: dict[str, Any], n: int, params: dict[str, Any], seed: int
    ) -> BatchResult:
        """Cohort percentiles over the batch itself, which is the cohort data."""
        core = self._core(columns, n, params)
        return self.batch(
            core["values"],
            core["ok"],
            params,
            seed,
            extra={f"pct_{k}": v for k, v in core["pct"].items()},
            flags={"small_cohort": core["sizes"] < params["min_cohort"]},
        )

    def evaluate(self, inputs: dict[str, Any], params: dict[str, Any], seed: int) -> ValuationResult:
        """One patent ranked against the peer records passed as its cohort."""
        if not inputs.get("cohort"):
            raise InputError.single(
                "cohort",
                "a single valuation needs its cohort's peer records (or use value_batch)",
                "单个估值需要同组（同申请年 × 技术领域）专利的记录（或使用 value_batch）",
            )
        peers = [
            dict(p) | {"filing_year": inputs["filing_year"], "ipc_main": inputs["ipc_main"]}
            for p in inputs["cohort"]
        ]
        rows = [{k: v for k, v in inputs.items() if k != "cohort"}, *peers]
        columns = {k: [r.get(k) for r in rows] for k in {k for r in rows for k in r}}
        core = self._core(columns, len(rows), params)
        value = float(core["values"][0])
        drivers = [
            (
                k,
                f"{k} 同组百分位",
                f"{k} cohort percentile",
                float(core["weights"].get(k, 1.0) * core["share"][0] * v[0]),
            )
            for k, v in core["pct"].items()
        ]
        warnings = []
        if core["sizes"][0] < params["min_cohort"]:
            warnings.append(
                Text(
                    "small_cohort",
                    f"同组仅{int(core['sizes'][0])}件专利（少于{params['min_cohort']}），百分位不稳定",
                    f"Cohort has only {int(core['sizes'][0])} patents (under {params['min_cohort']}): percentiles are unstable",
                )
            )
        return self.make_result(
            inputs,
            params,
            seed,
            value=value,
            drivers=drivers,
            warnings=warnings,
            details={
                "percentiles_by_indicator": {k: float(v[0]) for k, v in core["pct"].items()},
                "cohort_size": int(core["sizes"][0]),
            },
            assumptions=[
                Text(
                    "midrank",
                    "百分位 = (低于者 + 并列者/2) / 同组数",
                    "Percentile = (below + ties / 2) / cohort size",
                )
            ],
        )
