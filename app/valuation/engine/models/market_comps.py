"""Market approach: nearest comparable closed deals, adjusted and weighted, always disclosed."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..base import Model
from ..errors import InputError, Msg
from ..result import FINE, PERCENTILES, BatchResult, Text, ValuationResult, to_decimal
from ..schema import BOOL, FLOAT, INT, RECORDS, STR, InputSpec, ParamSpec
from .common import ASK_INPUT, CLAIMS_INPUT, FAMILY_INPUT, IPC_INPUT, REMAINING_INPUT, money

DEAL_TYPES = ("assignment", "licence")


def _year_fraction(raw: Any) -> float:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    day = dt.date.fromisoformat(str(raw))
    return day.year + (day.timetuple().tm_yday - 1) / 366.0


def _optional_number(record: Mapping[str, Any], key: str, where: str, errors: dict[str, str]) -> float:
    value = record.get(key)
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        errors[f"{where}.{key}"] = Msg("must be a finite number >= 0", "必须是不小于 0 的有限数值")
        return math.nan
    return float(value)


def parse_comparables(records: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """Columns of the comparable deals; every bad field is reported by its path."""
    errors: dict[str, str] = {}
    cols: dict[str, list[Any]] = {
        k: [] for k in ("price", "rem", "fam", "claims", "excl", "deal", "ipc", "year", "id")
    }
    for i, rec in enumerate(records):
        where = f"comparables[{i}]"
        price = _optional_number(rec, "price", where, errors)
        if not price > 0 and f"{where}.price" not in errors:
            errors[f"{where}.price"] = Msg("is required and must be positive", "必填且必须为正")
        rem = _optional_number(rec, "remaining_years", where, errors)
        cols["price"].append(price)
        cols["rem"].append(rem if rem > 0 else math.nan)
        cols["fam"].append(_optional_number(rec, "family_size", where, errors))
        cols["claims"].append(_optional_number(rec, "claims_count", where, errors))
        excl = rec.get("exclusivity", rec.get("exclusive"))
        cols["excl"].append(
            math.nan if excl is None else float(excl in (True, "exclusive", "assignment", "sole"))
        )
        cols["deal"].append(str(rec.get("deal_type") or "assignment"))
        cols["ipc"].append(str(rec.get("ipc_main") or rec.get("field") or ""))
        cols["id"].append(str(rec.get("id", i)))
        try:
            cols["year"].append(math.nan if rec.get("date") is None else _year_fraction(rec["date"]))
        except (TypeError, ValueError):
            errors[f"{where}.date"] = Msg(
                "must be an ISO date (YYYY-MM-DD) or a year", "必须是 ISO 日期（YYYY-MM-DD）或年份"
            )
            cols["year"].append(math.nan)
    if errors:
        raise InputError(errors)
    out = {k: np.array(v, dtype=float) for k, v in cols.items() if k not in ("deal", "ipc", "id")}
    out |= {
        "deal": np.array(cols["deal"]),
        "ipc": np.array(cols["ipc"], dtype="<U4"),
        "id": np.array(cols["id"]),
    }
    return out


def _weighted_percentiles(prices: np.ndarray, weights: np.ndarray, ok: np.ndarray) -> dict[str, np.ndarray]:
    """Weighted percentiles of sorted adjusted prices per patent; zeros where there is nothing to rank
    (no comparables at all: argmax over an empty axis would raise)."""
    if prices.shape[1] == 0:
        return {f"p{p}": np.zeros(prices.shape[0]) for p in PERCENTILES}
    cum = np.cumsum(weights, axis=1)
    return {
        f"p{p}": np.where(
            ok,
            np.take_along_axis(prices, np.argmax(cum >= p / 100 - 1e-12, axis=1)[:, None], axis=1)[:, 0],
            0.0,
        )
        for p in PERCENTILES
    }


def _field_distance(subject: np.ndarray, comps: np.ndarray) -> np.ndarray:
    """0 same IPC subclass, 1/3 same class, 2/3 same section, 1 otherwise, 0.5 when unknown."""
    dist = np.ones((subject.shape[0], comps.shape[0]))
    for width, d in ((1, 2 / 3), (3, 1 / 3), (4, 0.0)):
        s = np.array([x[:width] for x in subject.tolist()], dtype=f"<U{width}")
        c = np.array([x[:width] for x in comps.tolist()], dtype=f"<U{width}")
        same = (s[:, None] == c[None, :]) & (np.char.str_len(c)[None, :] == width)
        dist = np.where(same, d, dist)
    unknown = (np.char.str_len(subject)[:, None] == 0) | (np.char.str_len(comps)[None, :] == 0)
    return np.where(unknown, 0.5, dist)


def _log_ratio(subject: np.ndarray, comps: np.ndarray, smooth: float) -> np.ndarray:
    """ln((s+smooth)/(c+smooth)); 0 when either side is unknown."""
    s = np.nan_to_num(subject, nan=-1.0)[:, None]
    c = np.nan_to_num(comps, nan=-1.0)[None, :]
    known = (s >= 0) & (c >= 0)
    return np.where(known, np.log(np.where(known, (s + smooth) / np.where(known, c + smooth, 1.0), 1.0)), 0.0)


class MarketCompsModel(Model):
    """Comparable-transactions method over the platform's own closed deals."""

    id = "market_comps"
    version = "1.0.0"
    name_zh = "市场法（可比交易）"
    name_en = "Market approach (comparable deals)"
    shared_inputs = ("comparables",)
    limitations_zh = "可比交易稀少且异质；调整系数为判断，须披露可比交易与权重。"
    limitations_en = "Comparable deals are few and heterogeneous; adjustments are judgements; comparables and weights are disclosed."
    input_schema = (
        REMAINING_INPUT,
        FAMILY_INPUT,
        CLAIMS_INPUT,
        IPC_INPUT,
        ASK_INPUT,
        InputSpec("family_size", INT, "", None, (0, 500), "同族规模", "Family size (countries)"),
        InputSpec("exclusive", BOOL, "", True, None, "独占/转让", "Exclusive licence or assignment"),
        InputSpec("deal_type", STR, "", "assignment", None, "交易类型", "Deal type", choices=DEAL_TYPES),
        InputSpec(
            "comparables", RECORDS, "", None, None, "可比成交记录", "Comparable closed deals", required=True
        ),
    )
    params_schema = (
        ParamSpec(
            "min_comparables", INT, "", 3, (1, 50), "最少可比交易数", "Minimum comparables", sensitivity=False
        ),
        ParamSpec(
            "max_comparables",
            INT,
            "",
            8,
            (1, 200),
            "最多采用的可比交易数",
            "Comparables used at most",
            sensitivity=False,
        ),
        ParamSpec(
            "life_elasticity", FLOAT, "", 0.8, (0.0, 3.0), "剩余寿命调整弹性", "Remaining-life elasticity"
        ),
        ParamSpec(
            "family_elasticity", FLOAT, "", 0.3, (0.0, 3.0), "同族覆盖调整弹性", "Family-coverage elasticity"
        ),
        ParamSpec("claims_elasticity", FLOAT, "", 0.2, (0.0, 3.0), "权利要求调整弹性", "Claims elasticity"),
        ParamSpec(
            "exclusivity_premium", FLOAT, "ratio", 0.5, (0.0, 5.0), "独占性溢价", "Exclusivity premium"
        ),
        ParamSpec(
            "field_weight",
            FLOAT,
            "",
            1.0,
            (0.0, 10.0),
            "技术领域差异的距离权重",
            "Distance weight of field mismatch",
        ),
        ParamSpec(
            "recency_half_life",
            FLOAT,
            "yr",
            5.0,
            (0.1, 100.0),
            "成交时间权重半衰期",
            "Half-life of deal recency weight",
        ),
        ParamSpec(
            "max_adjustment",
            FLOAT,
            "x",
            3.0,
            (1.0, 100.0),
            "最大调整倍数（超出则剔除）",
            "Largest adjustment factor kept",
        ),
        ParamSpec(
            "same_deal_type_only",
            BOOL,
            "",
            True,
            None,
            "仅用同类交易",
            "Only deals of the same type",
            sensitivity=False,
        ),
    )

    def _subject(self, columns: Mapping[str, Any], n: int) -> dict[str, np.ndarray]:
        fam = columns.get("family_size")
        if fam is None and columns.get("family_countries") is not None:
            fam = np.array([math.nan if c is None else len(set(c)) for c in columns["family_countries"]])

        def col(v: Any) -> np.ndarray:
            return (
                np.full(n, math.nan)
                if v is None
                else np.array([math.nan if x is None else x for x in v], dtype=float)
            )

        return {
            "rem": np.asarray(columns["remaining_years"], dtype=float),
            "fam": col(fam),
            "claims": col(columns.get("claims_count")),
            "excl": np.array([float(bool(x)) for x in columns["exclusive"]]),
            "deal": np.array(list(columns["deal_type"])),
            "ipc": np.array([x or "" for x in (columns.get("ipc_main") or [""] * n)], dtype="<U4"),
        }

    def _score(
        self, subj: Mapping[str, np.ndarray], comps: Mapping[str, np.ndarray], params: Mapping[str, Any]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Adjusted prices, raw weights and eligibility, each (patents x comparables).

        A subject with no remaining term has no life ratio to any comparable (ln 0): it is compared
        with none, so it gets "insufficient comparables" rather than an infinite adjustment.
        """
        expired = ~(subj["rem"] > 0.0)
        life = _log_ratio(np.where(expired, np.nan, subj["rem"]), comps["rem"], 0.0)
        fam = _log_ratio(subj["fam"], comps["fam"], 1.0)
        claims = _log_ratio(subj["claims"], comps["claims"], 1.0)
        excl = np.nan_to_num(subj["excl"][:, None] - comps["excl"][None, :], nan=0.0)
        log_adj = (
            params["life_elasticity"] * life
            + params["family_elasticity"] * fam
            + params["claims_elasticity"] * claims
            + np.log1p(params["exclusivity_premium"]) * excl
        )
        distance = (
            params["field_weight"] * _field_distance(subj["ipc"], comps["ipc"])
            + np.abs(life)
            + np.abs(fam)
            + np.abs(claims)
        )
        latest = np.nanmax(comps["year"], initial=-np.inf)
        age = (
            np.nan_to_num(latest - comps["year"], nan=0.0)
            if np.isfinite(latest)
            else np.zeros_like(comps["price"])
        )
        weight = np.exp(-distance) * np.exp2(-age / params["recency_half_life"])[None, :]
        eligible = (np.abs(log_adj) <= math.log(params["max_adjustment"])) & ~expired[:, None]
        if params["same_deal_type_only"]:
            eligible &= subj["deal"][:, None] == comps["deal"][None, :]
        return comps["price"][None, :] * np.exp(log_adj), weight, eligible

    def _select(
        self, adj: np.ndarray, weight: np.ndarray, eligible: np.ndarray, params: Mapping[str, Any]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Top-k eligible comparables per patent: indices, normalised weights and counts."""
        k = min(params["max_comparables"], adj.shape[1])
        masked = np.where(eligible, weight, -1.0)
        order = np.argsort(-masked, axis=1, kind="stable")[:, :k]
        w = np.take_along_axis(masked, order, axis=1)
        w = np.where(w > 0, w, 0.0)
        count = (w > 0).sum(axis=1)
        total = w.sum(axis=1, keepdims=True)
        return order, np.divide(w, total, out=np.zeros_like(w), where=total > 0), count

    def _core(self, columns: Mapping[str, Any], n: int, params: Mapping[str, Any]) -> dict[str, Any]:
        comps = parse_comparables(columns["comparables"])
        subj = self._subject(columns, n)
        adj, weight, eligible = self._score(subj, comps, params)
        order, w, count = self._select(adj, weight, eligible, params)
        prices = np.take_along_axis(adj, order, axis=1)
        ok = count >= params["min_comparables"]
        values = np.where(ok, (w * prices).sum(axis=1), 0.0)
        sort = np.argsort(prices, axis=1, kind="stable")
        sp, sw = np.take_along_axis(prices, sort, axis=1), np.take_along_axis(w, sort, axis=1)
        pct = _weighted_percentiles(sp, sw, ok)
        return {
            "comps": comps,
            "order": order,
            "w": w,
            "prices": prices,
            "ok": ok,
            "values": values,
            "pct": pct,
            "count": count,
            "weight": weight,
            "eligible": eligible,
            "adj": adj,
        }

    def evaluate_batch(
        self, columns: dict[str, Any], n: int, params: dict[str, Any], seed: int
    ) -> BatchResult:
        """Vectorised over patents x comparables."""
        core = self._core(columns, n, params)
        return self.batch(
            core["values"],
            core["ok"],
            params,
            seed,
            percentiles=core["pct"],
            flags={"insufficient_comparables": ~core["ok"]},
            extra={"comparables_used": core["count"].astype(float)},
        )

    def evaluate(self, inputs: dict[str, Any], params: dict[str, Any], seed: int) -> ValuationResult:
        """One patent with every comparable, its adjustment and weight disclosed."""
        columns = {k: v if k == "comparables" else [v] for k, v in inputs.items()}
        core = self._core(columns, 1, params)
        comps, ok = core["comps"], bool(core["ok"][0])
        used = [(int(j), float(wj)) for j, wj in zip(core["order"][0], core["w"][0], strict=True) if wj > 0]
        listing = [
            {
                "id": str(comps["id"][j]),
                "price": money(comps["price"][j]),
                "adjusted_price": money(core["adj"][0, j]),
                "weight": to_decimal(wj, FINE),
            }
            for j, wj in used
        ]
        excluded = [str(comps["id"][j]) for j in range(comps["price"].shape[0]) if not core["eligible"][0, j]]
        details = {"comparables": listing, "excluded": excluded, "min_comparables": params["min_comparables"]}
        if not ok:
            warning = Text(
                "insufficient_comparables",
                f"可比交易不足：仅有{len(used)}笔，少于要求的{params['min_comparables']}笔；不给出市场价值",
                f"Insufficient comparables: {len(used)} found, {params['min_comparables']} required; no market value given",
            )
            return self.make_result(inputs, params, seed, value=None, warnings=[warning], details=details)
        drivers = [
            (
                f"comp_{comps['id'][j]}",
                f"可比交易 {comps['id'][j]}（权重 {wj:.1%}）",
                f"Comparable {comps['id'][j]} (weight {wj:.1%})",
                wj * float(core["adj"][0, j]),
            )
            for j, wj in used
        ]
        steps = [
            (
                "weighted_mean",
                "调整后价格的加权平均",
                "Weighted mean of adjusted prices",
                float(core["values"][0]),
                "CNY",
            )
        ]
        assumptions = [
            Text(
                "adjustments",
                "调整：剩余寿命、同族覆盖、权利要求数、独占性；权重：相似度与成交时间",
                "Adjusted for remaining life, family coverage, claims and exclusivity; weighted by similarity and recency",
            )
        ]
        return self.make_result(
            inputs,
            params,
            seed,
            value=float(core["values"][0]),
            drivers=drivers,
            steps=steps,
            assumptions=assumptions,
            details=details,
            percentiles={k: float(v[0]) for k, v in core["pct"].items()},
        )
