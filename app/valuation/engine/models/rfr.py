"""Relief from royalty: the royalties the owner is spared, after tax, discounted, with Monte Carlo ranges."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from .. import distributions
from ..base import Model
from ..errors import InputError, Msg
from ..result import BatchResult, Text, ValuationResult
from ..schema import BOOL, DISTRIBUTION, FLOAT, FLOAT_LIST, INT, InputSpec, ParamSpec
from . import income
from .common import ASK_INPUT, REMAINING_INPUT, mc_warnings, yuan

MAX_REVENUE = 1e13
RATE_BOUNDS = (0.0, 0.5)
DISC_BOUNDS = (0.0, 1.0)
GROWTH_BOUNDS = (-0.5, 1.0)
YEARS_BOUNDS = (0.0, 20.0)
OPEN_LICENCE_CAP = 0.20


def _span(bounds: tuple[float, float]) -> tuple[float, float]:
    """Bounds of an offset: the parameter's whole range, either way."""
    width = bounds[1] - bounds[0]
    return (-width, width)


def _around(
    name: str, unit: str, bounds: tuple[float, float], what_zh: str, what_en: str, eg: str
) -> ParamSpec:
    """A distribution of offsets around a point estimate (lognormal: a multiplier of it)."""
    return ParamSpec(
        name,
        DISTRIBUTION,
        unit,
        None,
        _span(bounds),
        f"{what_zh}分布（围绕点估计）：三角、PERT、均匀分布为加到点估计上的偏移（单位同{what_zh}，如 {eg}）；"
        f"对数正态分布为点估计的乘数（中位数 1 表示不偏移）；抽样值截断到 [{bounds[0]:g}, {bounds[1]:g}]。"
        "修改点估计时区间随之移动。",
        f"{what_en.capitalize()} distribution (around the point estimate): triangular, PERT and uniform give "
        f"offsets added to the point (in its unit, e.g. {eg}); lognormal gives a multiplier of the point "
        f"(median 1 = no shift); draws are clipped to [{bounds[0]:g}, {bounds[1]:g}]. Moving the point moves "
        "the range.",
        relative=distributions.OFFSET,
    )


def mc_specs(
    prefix_rate: str, rate_bounds: tuple[float, float] = RATE_BOUNDS, *, relative: bool = True
) -> tuple[ParamSpec, ...]:
    """Distribution parameters shared by the income models (relative to the point estimates from 2.0.0)."""
    revenue = ParamSpec(
        "revenue_dist",
        DISTRIBUTION,
        "x",
        None,
        (0.0, 10.0),
        "收入乘数分布（相对点估计）" + ("：每次抽样乘以首年收入（中位数 1 表示不偏移）" if relative else ""),
        "Revenue multiplier distribution (relative to the point forecast)"
        + (": each draw multiplies the first-year revenue (median 1 = no shift)" if relative else ""),
        relative=distributions.MULTIPLIER if relative else "",
    )
    if not relative:
        return (
            revenue,
            ParamSpec(
                "growth_dist",
                DISTRIBUTION,
                "1/yr",
                None,
                GROWTH_BOUNDS,
                "增长率分布",
                "Growth rate distribution",
            ),
            ParamSpec(
                f"{prefix_rate}_dist",
                DISTRIBUTION,
                "ratio",
                None,
                rate_bounds,
                "费率分布",
                "Rate distribution",
            ),
            ParamSpec(
                "discount_rate_dist",
                DISTRIBUTION,
                "1/yr",
                None,
                DISC_BOUNDS,
                "折现率分布",
                "Discount rate distribution",
            ),
            ParamSpec(
                "years_dist",
                DISTRIBUTION,
                "yr",
                None,
                YEARS_BOUNDS,
                "经济寿命分布",
                "Economic life distribution",
            ),
        )
    eg_offset = "low -0.01, mode 0, high 0.02"
    return (
        revenue,
        _around("growth_dist", "1/yr", GROWTH_BOUNDS, "增长率", "growth rate", eg_offset),
        _around(f"{prefix_rate}_dist", "ratio", rate_bounds, "费率", "rate", eg_offset),
        _around("discount_rate_dist", "1/yr", DISC_BOUNDS, "折现率", "discount rate", eg_offset),
        _around("years_dist", "yr", YEARS_BOUNDS, "经济寿命", "economic life", "low -3, mode 0, high 2"),
    )


INCOME_PARAMS = (
    ParamSpec(
        "revenue",
        FLOAT,
        "CNY/yr",
        None,
        (0.0, MAX_REVENUE),
        "首年相关销售收入",
        "First-year revenue of products using the patent",
    ),
    ParamSpec("growth", FLOAT, "1/yr", 0.0, GROWTH_BOUNDS, "收入年增长率", "Annual revenue growth"),
    ParamSpec(
        "revenues",
        FLOAT_LIST,
        "CNY/yr",
        None,
        (0.0, MAX_REVENUE),
        "逐年收入预测",
        "Revenue forecast per year",
    ),
    ParamSpec("discount_rate", FLOAT, "1/yr", None, DISC_BOUNDS, "折现率", "Discount rate", required=True),
    ParamSpec("tax_rate", FLOAT, "ratio", 0.25, (0.0, 0.6), "所得税率", "Income tax rate"),
    ParamSpec(
        "years",
        FLOAT,
        "yr",
        10.0,
        (0.5, 20.0),
        "经济寿命（受剩余法定期限限制）",
        "Economic life (capped at the remaining legal term)",
    ),
    ParamSpec("mid_year", BOOL, "", False, None, "年中折现", "Mid-year discounting", sensitivity=False),
    ParamSpec(
        "draws",
        INT,
        "",
        10_000,
        (0, 1_000_000),
        "蒙特卡洛次数（0 为不模拟）",
        "Monte Carlo draws (0 = none)",
        sensitivity=False,
    ),
)


class IncomeModel(Model):
    """Common machinery of the discounted-income models; subclasses define the rate."""

    stochastic = True
    rate_key = "royalty_rate"
    input_schema = (
        REMAINING_INPUT,
        ASK_INPUT,
        InputSpec(
            "revenue",
            FLOAT,
            "CNY/yr",
            None,
            (0.0, MAX_REVENUE),
            "该专利对应的首年收入（覆盖参数）",
            "First-year revenue for this patent (overrides the parameter)",
        ),
    )

    rate_bounds = RATE_BOUNDS
    relative_dists: ClassVar[bool] = True  # False for the 1.x versions: absolute distributions

    def share(self, params: Mapping[str, Any]) -> float:
        """Point estimate of the uncertain rate (royalty or split share)."""
        return float(params[self.rate_key])

    def rate_multiplier(self, params: Mapping[str, Any]) -> float:
        """Turns the uncertain share into a sales-based rate (1 for royalties)."""
        return 1.0

    def rate(self, params: Mapping[str, Any]) -> float:
        """Point estimate of the sales-based rate."""
        return self.share(params) * self.rate_multiplier(params)

    def check_params(self, params: Mapping[str, Any]) -> dict[str, str]:
        """Exactly one revenue description; growth only applies to revenue + growth."""
        errors = {}
        if (params["revenue"] is None) == (params["revenues"] is None):
            errors["revenues"] = Msg(
                "give either revenue (+ growth) or revenues (a list per year), not both or neither",
                "请给出 revenue（及 growth）或 revenues（逐年列表）二者之一，不能都给或都不给",
            )
        elif params["revenues"] is not None and params["growth_dist"] is not None:
            errors["growth_dist"] = Msg(
                "growth applies only with revenue + growth, not with a revenues list",
                "增长率只适用于 revenue + growth，不适用于 revenues 列表",
            )
        return errors

    def check_inputs(self, inputs: Mapping[str, Any]) -> dict[str, str]:
        """Nothing beyond the schema; the revenue override is checked against params later."""
        return {}

    def _points(self, params: Mapping[str, Any]) -> dict[str, float]:
        return {
            "revenue": 1.0,
            "growth": params["growth"],
            "rate": self.share(params),
            "discount_rate": params["discount_rate"],
            "years": params["years"],
        }

    def _spec_keys(self) -> dict[str, str]:
        return {
            "revenue": "revenue_dist",
            "growth": "growth_dist",
            "rate": f"{self.rate_key}_dist",
            "discount_rate": "discount_rate_dist",
            "years": "years_dist",
        }

    def _specs(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {k: params.get(v) for k, v in self._spec_keys().items()}

    def _bounds(self) -> dict[str, tuple[float, float]]:
        return {
            "revenue": (0.0, 10.0),
            "growth": GROWTH_BOUNDS,
            "rate": self.rate_bounds,
            "discount_rate": DISC_BOUNDS,
            "years": YEARS_BOUNDS,
        }

    def _relative(self) -> dict[str, str] | None:
        """How each distribution sits around its point estimate; None for absolute (1.x) distributions."""
        if not self.relative_dists:
            return None
        return {
            k: distributions.MULTIPLIER if k == "revenue" else distributions.OFFSET for k in income.UNCERTAIN
        }

    def draws(self, params: Mapping[str, Any], seed: int, n: int) -> income.Draws:
        """The Monte Carlo draws of the uncertain quantities (common random numbers for one seed)."""
        return income.sample_draws(
            self._points(params), self._specs(params), self._bounds(), seed, n, self._relative()
        )

    def upgrade_params(self, params: Mapping[str, Any], from_version: str | None) -> dict[str, Any]:
        """Parameters saved for a 1.x version, rewritten for this one: absolute distributions become
        offsets from the point estimate (lognormal: multipliers of it), so the draws stay the same."""
        out = dict(params)
        if not self.relative_dists or not from_version or int(from_version.split(".")[0]) >= 2:
            return out
        points = self._points(out)
        for name, key in self._spec_keys().items():
            spec, point = out.get(key), points[name]
            if not spec or name == "revenue":
                continue
            if spec["dist"] == "lognormal":
                out[key] = {**spec, "median": round(spec["median"] / point, 12)} if point > 0 else None
            else:
                out[key] = {k: v if k == "dist" else round(v - point, 12) for k, v in spec.items()}
        return out

    def has_mc(self, params: Mapping[str, Any]) -> bool:
        """Monte Carlo runs when draws > 0 and at least one distribution is given."""
        return params["draws"] > 0 and any(v is not None for v in self._specs(params).values())

    def _factor(self, draws: income.Draws, params: Mapping[str, Any]) -> np.ndarray:
        factor = draws.revenue * (draws.rate * self.rate_multiplier(params)) * (1.0 - params["tax_rate"])
        if params.get("tax_amortisation"):
            factor = factor * income.tab_factor(
                draws.discount_rate, params["tax_rate"], params["amortisation_years"], params["mid_year"]
            )
        return factor

    def _caps(self, remaining: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
        if params["revenues"] is not None:
            return np.minimum(remaining, float(len(params["revenues"])))
        return remaining

    def _base(self, override: np.ndarray | None, n: int, params: Mapping[str, Any]) -> np.ndarray:
        if params["revenues"] is not None:
            return np.ones(n)
        base = np.full(n, float(params["revenue"]))
        return base if override is None else np.where(np.isnan(override), base, override)

    def _values(
        self, draws: income.Draws, base: np.ndarray, caps: np.ndarray, params: Mapping[str, Any]
    ) -> np.ndarray:
        life_max = float(draws.years.max())
        table = income.income_table(
            draws, params["revenues"], income.horizon_for(caps, life_max), params["mid_year"]
        )
        return (
            base[:, None] * self._factor(draws, params)[None, :] * income.income_sum(table, draws.years, caps)
        )

    def evaluate_batch(
        self, columns: dict[str, Any], n: int, params: dict[str, Any], seed: int
    ) -> BatchResult:
        """Vectorised valuation of many patents, chunked to bound memory."""
        self._check_override(columns.get("revenue"), params)
        caps = self._caps(columns["remaining_years"], params)
        base = self._base(columns.get("revenue"), n, params)
        point = self._values(income.point_draws(self._points(params)), base, caps, params)[:, 0]
        if not self.has_mc(params):
            return self.batch(point, np.ones(n, dtype=bool), params, seed)
        draws = self.draws(params, seed, params["draws"])
        ask = columns.get("ask_price")
        stats: dict[str, list[np.ndarray]] = {}
        for part in income.chunks(n, draws.size):
            values = self._values(draws, base[part], caps[part], params)
            for key, arr in income.summarise(values, None if ask is None else ask[part]).items():
                stats.setdefault(key, []).append(arr)
        merged = {k: np.concatenate(v) for k, v in stats.items()}
        flags = {} if ask is None else {"no_ask": np.isnan(ask)}
        return self.batch(
            point,
            np.ones(n, dtype=bool),
            params,
            seed,
            mean=merged.pop("mean"),
            flags=flags,
            prob_below_ask=merged.pop("prob_below_ask", None),
            percentiles=merged,
        )

    def _check_override(self, override: Any, params: Mapping[str, Any]) -> None:
        if override is not None and params["revenues"] is not None and not np.isnan(override).all():
            raise InputError.single(
                "revenue",
                "a per-patent revenue cannot be combined with a revenues list",
                "单个专利的收入不能与 revenues 列表同时使用",
            )

    def point_value(self, inputs: Mapping[str, Any], params: Mapping[str, Any]) -> float:
        """Deterministic value only (no draws), for tornado charts."""
        override = None if inputs.get("revenue") is None else np.array([float(inputs["revenue"])])
        caps = self._caps(np.array([float(inputs["remaining_years"])]), params)
        return float(
            self._values(
                income.point_draws(self._points(params)), self._base(override, 1, params), caps, params
            )[0, 0]
        )

    def evaluate(self, inputs: dict[str, Any], params: dict[str, Any], seed: int) -> ValuationResult:
        """Value one patent through the batch path, then explain it year by year."""
        row = {k: None if v is None else np.array([float(v)]) for k, v in inputs.items()}
        batch = self.evaluate_batch(row, 1, params, seed)
        value = float(batch.values[0])
        drivers, steps = self._explain(inputs, params, value)
        details: dict[str, Any] = {
            "income_years": self._income_years(inputs, params),
            "discounting": "mid-year" if params["mid_year"] else "end-year",
        }
        pct = None
        if batch.percentiles is not None:
            pct = {k: float(v[0]) for k, v in batch.percentiles.items()}
            details["histogram"] = self._histogram(inputs, params, seed)
            details["distributions"] = self._describe_distributions(params)
        return self.make_result(
            inputs,
            params,
            seed,
            value=value,
            drivers=drivers,
            steps=steps,
            assumptions=self._assumptions(params),
            warnings=self._warnings(inputs, params)
            + (income.clipping_warnings(self.draws(params, seed, params["draws"])) if pct else []),
            details=details,
            percentiles=pct,
            mean=None if batch.mean is None else float(batch.mean[0]),
            prob_below_ask=None if batch.prob_below_ask is None else float(batch.prob_below_ask[0]),
        )

    def _describe_distributions(self, params: Mapping[str, Any]) -> dict[str, str]:
        relative = self._relative()
        out = {}
        for name, spec in self._specs(params).items():
            if spec:
                text = distributions.describe(spec)
                if relative is not None:
                    text = f"point {'x' if distributions.multiplies(spec, relative[name]) else '+'} {text}"
                out[name] = text
        return out

    def _histogram(self, inputs: Mapping[str, Any], params: Mapping[str, Any], seed: int) -> dict[str, Any]:
        draws = self.draws(params, seed, params["draws"])
        override = None if inputs.get("revenue") is None else np.array([float(inputs["revenue"])])
        caps = self._caps(np.array([float(inputs["remaining_years"])]), params)
        return income.histogram(self._values(draws, self._base(override, 1, params), caps, params)[0])

    def _income_years(self, inputs: Mapping[str, Any], params: Mapping[str, Any]) -> float:
        cap = float(self._caps(np.array([float(inputs["remaining_years"])]), params)[0])
        return min(cap, params["years"])

    def _explain(
        self, inputs: Mapping[str, Any], params: Mapping[str, Any], value: float
    ) -> tuple[list, list]:
        """Year-by-year discounted savings (additive drivers) and the calculation steps."""
        n_years = self._income_years(inputs, params)
        horizon = int(np.ceil(n_years))
        rate, tax, r = self.rate(params), params["tax_rate"], params["discount_rate"]
        disc = income.discount_factors(np.array([r]), horizon, params["mid_year"])[0]
        if params["revenues"] is not None:
            revenue = np.array(params["revenues"][:horizon], dtype=float)
        else:
            r0 = params["revenue"] if inputs.get("revenue") is None else inputs["revenue"]
            revenue = r0 * income._powers(np.array([1.0 + params["growth"]]), horizon, start_at_one=False)[0]
        weight = np.clip(n_years - np.arange(horizon), 0.0, 1.0)
        yearly = revenue * weight * rate * (1.0 - tax) * disc
        drivers = [
            (
                f"year_{y + 1}",
                f"第{y + 1}年节省的税后特许权使用费现值",
                f"Year {y + 1} after-tax royalty saved, discounted",
                float(v),
            )
            for y, v in enumerate(yearly)
        ]
        steps = [
            (
                "income_years",
                "收益期 = min(经济寿命, 剩余法定期限)",
                "Income period = min(economic life, remaining legal term)",
                n_years,
                "yr",
            ),
            ("rate", "费率", "Rate applied to revenue", rate, "ratio"),
            ("after_tax", "税后系数 = 1 - 税率", "After-tax factor = 1 - tax rate", 1.0 - tax, "ratio"),
        ]
        steps += [
            (
                f"pv_year_{y + 1}",
                f"第{y + 1}年：收入 {yuan(revenue[y])} × 费率 × (1-税率) × 折现系数 {disc[y]:.6f}",
                f"Year {y + 1}: revenue {yuan(revenue[y])} x rate x (1-tax) x discount factor {disc[y]:.6f}",
                float(yearly[y]),
                "CNY",
            )
            for y in range(horizon)
        ]
        if params.get("tax_amortisation"):
            tab = float(
                income.tab_factor(np.array([r]), tax, params["amortisation_years"], params["mid_year"])[0]
            )
            drivers.append(("tab", "税收摊销收益", "Tax-amortisation benefit", value - float(yearly.sum())))
            steps.append(
                ("tab", "税收摊销收益系数 TAB = 1/(1 - t×AF/n)", "TAB factor = 1/(1 - t x AF / n)", tab, "x")
            )
        steps.append(("value", "专利价值（确定性）", "Patent value (deterministic)", value, "CNY"))
        return drivers, steps

    def _assumptions(self, params: Mapping[str, Any]) -> list[Text]:
        out = [
            Text(
                "discounting",
                "年中折现" if params["mid_year"] else "年末折现",
                "Mid-year discounting" if params["mid_year"] else "End-of-year discounting",
            ),
            Text(
                "income_cap",
                "收益期不超过剩余法定保护期",
                "Income period never exceeds the remaining legal term",
            ),
        ]
        if params.get("tax_amortisation"):
            out.append(
                Text(
                    "tab_basis",
                    "含税收摊销收益：仅适用于公允价值/财务报告目的",
                    "Includes the tax-amortisation benefit: appropriate only for fair-value / financial-reporting bases",
                )
            )
        if self.has_mc(params) and self.relative_dists:
            out.append(
                Text(
                    "mc_around_point",
                    "蒙特卡洛区间围绕点估计：增长率、费率、折现率和经济寿命的分布是相对点估计的偏移（对数正态为乘数），"
                    "修改点估计时区间随之移动",
                    "Monte Carlo ranges sit around the point estimates: the distributions of growth, rate, discount "
                    "rate and economic life are offsets from them (lognormal: multipliers), so the range moves with "
                    "the point",
                )
            )
        if self.has_mc(params):
            out.append(
                Text(
                    "crn",
                    "蒙特卡洛对同一种子下的所有专利使用相同的随机数（共同随机数）",
                    "Monte Carlo uses common random numbers: the same draws for every patent under one seed",
                )
            )
        return out

    def _warnings(self, inputs: Mapping[str, Any], params: Mapping[str, Any]) -> list[Text]:
        out = mc_warnings(params, self.has_mc(params))
        if self.rate(params) > OPEN_LICENCE_CAP:
            out.append(
                Text(
                    "rate_above_guidance",
                    "费率超过国家知识产权局开放许可指引（一般不高于净销售额的20%）",
                    "Rate above CNIPA open-licence guidance (generally at most 20 % of net sales)",
                )
            )
        if params["years"] > inputs["remaining_years"]:
            out.append(
                Text(
                    "life_capped",
                    "经济寿命超过剩余法定期限，已按剩余期限截断",
                    "Economic life exceeds the remaining legal term; capped at the remaining term",
                )
            )
        if params["revenues"] is not None and len(params["revenues"]) < min(
            params["years"], inputs["remaining_years"]
        ):
            out.append(
                Text(
                    "forecast_short",
                    "收入预测短于收益期：预测期后收入按零计",
                    "Revenue forecast shorter than the income period: no income assumed after it",
                )
            )
        if inputs["remaining_years"] <= 0:
            out.append(Text("expired", "无剩余法定期限，价值为零", "No remaining legal term: value is zero"))
        return out


RFR_PARAMS = (
    *INCOME_PARAMS,
    ParamSpec(
        "royalty_rate",
        FLOAT,
        "ratio",
        None,
        RATE_BOUNDS,
        "许可费率（占销售额）",
        "Royalty rate (share of sales)",
        required=True,
    ),
    ParamSpec(
        "tax_amortisation",
        BOOL,
        "",
        False,
        None,
        "计入税收摊销收益",
        "Add the tax-amortisation benefit",
        sensitivity=False,
    ),
    ParamSpec(
        "amortisation_years",
        INT,
        "yr",
        10,
        (1, 30),
        "税法摊销年限",
        "Tax amortisation period",
        sensitivity=False,
    ),
)


class RfrModel(IncomeModel):
    """Relief from royalty (IVS 210 income approach).

    2.0.0: distributions on growth, royalty rate, discount rate and economic life are offsets from
    (lognormal: multipliers of) the point estimates; 1.0.0 read them as absolute values.
    """

    id = "rfr"
    version = "2.0.0"
    name_zh = "许可费节省法"
    name_en = "Relief from royalty"
    limitations_zh = "依赖收入预测与可比许可费率；估值对折现率与费率敏感。"
    limitations_en = "Depends on the revenue forecast and comparable royalty rates; sensitive to discount and royalty rates."
    params_schema = (*RFR_PARAMS, *mc_specs("royalty_rate"))


class RfrModelV1(RfrModel):
    """rfr@1.0.0 (absolute distributions), kept so valuations stored with it replay exactly."""

    version = "1.0.0"
    relative_dists = False
    params_schema = (*RFR_PARAMS, *mc_specs("royalty_rate", relative=False))
