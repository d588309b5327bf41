"""Real options: the patent as a call on commercialisation (Black-Scholes and a CRR binomial tree)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.special import ndtr

from ..base import Model
from ..errors import ParameterError
from ..result import BatchResult, Text, ValuationResult
from ..schema import CHOICE, FLOAT, INT, InputSpec, ParamSpec
from .common import REMAINING_INPUT

MAX_MONEY = 1e13
LOG_NODE_LIMIT = 600.0  # ln of the largest node price evaluated (float max is about e^709)
TREE_CELLS = 4_000_000

OPTION_PARAMS = (
    ParamSpec(
        "underlying_value",
        FLOAT,
        "CNY",
        None,
        (0.0, MAX_MONEY),
        "商业化现金流现值 S",
        "PV of cash flows if commercialised (S)",
        required=True,
    ),
    ParamSpec(
        "exercise_cost",
        FLOAT,
        "CNY",
        None,
        (1e-6, MAX_MONEY),
        "商业化投入 K",
        "Commercialisation cost (K)",
        required=True,
    ),
    ParamSpec(
        "volatility",
        FLOAT,
        "1/sqrt(yr)",
        None,
        (0.01, 3.0),
        "波动率 σ",
        "Volatility of S (sigma)",
        required=True,
    ),
    ParamSpec("risk_free_rate", FLOAT, "1/yr", 0.02, (0.0, 0.5), "无风险利率", "Risk-free rate"),
    ParamSpec(
        "years",
        FLOAT,
        "yr",
        None,
        (0.0, 30.0),
        "决策期限 T（不超过剩余期限）",
        "Time to decide T (capped at the remaining term)",
        required=True,
    ),
)
OPTION_INPUTS = (
    REMAINING_INPUT,
    InputSpec(
        "underlying_value",
        FLOAT,
        "CNY",
        None,
        (0.0, MAX_MONEY),
        "该专利的 S（覆盖参数）",
        "S for this patent (overrides the parameter)",
    ),
)


def black_scholes(
    s: np.ndarray, k: float, sigma: float, r: float, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Call value split into S*N(d1) and -K*exp(-rT)*N(d2); intrinsic value where T or S is zero."""
    live = (t > 0) & (s > 0)
    tt = np.where(live, t, 1.0)
    ss = np.where(live, s, 1.0)
    vol = sigma * np.sqrt(tt)
    d1 = (np.log(ss / k) + (r + 0.5 * sigma * sigma) * tt) / vol
    d2 = d1 - vol
    disc_k = k * np.exp(-r * tt)
    asset = np.where(live, ss * ndtr(d1), np.where(s > k, s, 0.0))
    strike = np.where(live, -disc_k * ndtr(d2), np.where(s > k, -k, 0.0))
    return asset, strike


def _tree_params(sigma: float, r: float, dt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    u = np.exp(sigma * np.sqrt(dt))
    d = 1.0 / u
    p = (np.exp(r * dt) - d) / (u - d)
    return u, p, np.exp(-r * dt)


def crr_tree(
    s: np.ndarray,
    k: float,
    sigma: float,
    r: float,
    t: np.ndarray,
    steps: int,
    american: bool,
    abandonment: float,
) -> np.ndarray:
    """Cox-Ross-Rubinstein values for many patents at once (rows), backward induction over the tree.

    Nodes are built in log space (ln S + (2j - n) sigma sqrt(dt)): u ** n alone overflows long before
    the node prices do. Where the top node itself exceeds what a float holds, the tree cannot be
    evaluated and the error names the parameter to lower.
    """
    dt = np.maximum(t, 1e-12) / steps
    u, p, disc = _tree_params(sigma, r, dt)
    j = np.arange(steps + 1)
    log_u = sigma * np.sqrt(dt)
    with np.errstate(divide="ignore"):
        log_spot = np.log(s)[:, None] + (2 * j[None, :] - steps) * log_u[:, None]
    if log_spot.size and np.max(log_spot) > LOG_NODE_LIMIT:
        raise ParameterError.single(
            "volatility",
            "the tree's top node overflows: sigma * sqrt(T * steps) is too large for this S; "
            "lower the volatility, the steps or T",
            "二叉树最高节点溢出：σ·√(T·步数) 对该 S 过大，请降低波动率、步数或期限 T",
        )
    spot = np.exp(log_spot)
    value = np.maximum(np.maximum(spot - k, abandonment), 0.0)
    for level in range(steps - 1, -1, -1):
        spot = spot[:, 1 : level + 2] / u[:, None]
        value = disc[:, None] * (
            p[:, None] * value[:, 1 : level + 2] + (1 - p[:, None]) * value[:, : level + 1]
        )
        if american:
            value = np.maximum(value, np.maximum(spot - k, abandonment))
    return np.where(t > 0, value[:, 0], np.maximum(np.maximum(s - k, abandonment), 0.0))


class _OptionModel(Model):
    kind = "monetary"
    input_schema = OPTION_INPUTS
    limitations_zh = "S 与 σ 依赖判断，须在敏感性分析中展示。"
    limitations_en = "S and sigma are judgement calls: expose them in the sensitivity chart."

    def _s_t(
        self, columns: Mapping[str, Any], n: int, params: Mapping[str, Any]
    ) -> tuple[np.ndarray, np.ndarray]:
        s = columns.get("underlying_value")
        base = np.full(n, params["underlying_value"])
        s = (
            base
            if s is None
            else np.where(np.isnan(np.asarray(s, dtype=float)), base, np.asarray(s, dtype=float))
        )
        remaining = np.asarray(columns["remaining_years"], dtype=float)
        # No term left, no exclusivity to exercise: the option is worthless, not worth S - K.
        return np.where(remaining > 0, s, 0.0), np.minimum(params["years"], remaining)

    def _row(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        return {k: None if v is None else np.array([float(v)]) for k, v in inputs.items()}

    def point_value(self, inputs: Mapping[str, Any], params: Mapping[str, Any]) -> float:
        """Same as the value: these models are deterministic."""
        return float(self.evaluate_batch(self._row(inputs), 1, dict(params), 0).values[0])

    def _warnings(self, inputs: Mapping[str, Any], params: Mapping[str, Any]) -> list[Text]:
        if params["years"] > inputs["remaining_years"]:
            return [
                Text(
                    "t_capped",
                    "决策期限超过剩余法定期限，已截断",
                    "Decision time exceeds the remaining legal term; capped",
                )
            ]
        return []


class BlackScholesModel(_OptionModel):
    """European call on commercialisation (Black-Scholes, no dividends)."""

    id = "real_option_bs"
    version = "1.0.0"
    name_zh = "实物期权（Black-Scholes）"
    name_en = "Real option (Black-Scholes)"
    params_schema = OPTION_PARAMS

    def evaluate_batch(
        self, columns: dict[str, Any], n: int, params: dict[str, Any], seed: int
    ) -> BatchResult:
        """Closed form, vectorised over patents."""
        s, t = self._s_t(columns, n, params)
        asset, strike = black_scholes(
            s, params["exercise_cost"], params["volatility"], params["risk_free_rate"], t
        )
        return self.batch(asset + strike, np.ones(n, dtype=bool), params, seed)

    def evaluate(self, inputs: dict[str, Any], params: dict[str, Any], seed: int) -> ValuationResult:
        """One patent, split into the asset leg and the strike leg."""
        s, t = self._s_t(self._row(inputs), 1, params)
        asset, strike = black_scholes(
            s, params["exercise_cost"], params["volatility"], params["risk_free_rate"], t
        )
        value = float(asset[0] + strike[0])
        drivers = [
            ("asset", "S × N(d1)", "S x N(d1)", float(asset[0])),
            ("strike", "-K × e^(-rT) × N(d2)", "-K x e^(-rT) x N(d2)", float(strike[0])),
        ]
        steps = [
            ("t", "期限 T = min(T, 剩余期限)", "T = min(T, remaining term)", float(t[0]), "yr"),
            ("asset", "S × N(d1)", "S x N(d1)", float(asset[0]), "CNY"),
            ("strike", "K × e^(-rT) × N(d2)", "K x e^(-rT) x N(d2)", float(-strike[0]), "CNY"),
            ("value", "期权价值", "Option value", value, "CNY"),
        ]
        return self.make_result(
            inputs,
            params,
            seed,
            value=value,
            drivers=drivers,
            steps=steps,
            assumptions=[Text("european", "欧式期权，无股息", "European exercise, no dividends")],
            warnings=self._warnings(inputs, params),
        )


class BinomialModel(_OptionModel):
    """American call with optional abandonment (Cox-Ross-Rubinstein)."""

    id = "real_option_binomial"
    version = "1.0.0"
    name_zh = "实物期权（二叉树）"
    name_en = "Real option (binomial tree)"
    params_schema = (
        *OPTION_PARAMS,
        ParamSpec("steps", INT, "", 200, (1, 5000), "树的步数", "Tree steps", sensitivity=False),
        ParamSpec(
            "exercise",
            CHOICE,
            "",
            "american",
            None,
            "行权方式",
            "Exercise style",
            choices=("american", "european"),
            sensitivity=False,
        ),
        ParamSpec(
            "abandonment_value",
            FLOAT,
            "CNY",
            0.0,
            (0.0, MAX_MONEY),
            "放弃价值（残值）",
            "Abandonment (salvage) value",
        ),
    )

    def check_params(self, params: Mapping[str, Any]) -> dict[str, str]:
        """The risk-neutral probability must lie in [0, 1]."""
        if params["years"] <= 0:
            return {}
        _, p, _ = _tree_params(
            params["volatility"], params["risk_free_rate"], np.array([params["years"] / params["steps"]])
        )
        if not 0.0 <= float(p[0]) <= 1.0:
            return {
                "steps": "too few steps for this volatility and rate (risk-neutral probability outside [0, 1])"
            }
        return {}

    def _values(self, s: np.ndarray, t: np.ndarray, params: Mapping[str, Any]) -> np.ndarray:
        size = max(1, TREE_CELLS // (params["steps"] + 1))
        parts = [
            crr_tree(
                s[i : i + size],
                params["exercise_cost"],
                params["volatility"],
                params["risk_free_rate"],
                t[i : i + size],
                params["steps"],
                params["exercise"] == "american",
                params["abandonment_value"],
            )
            for i in range(0, s.shape[0], size)
        ]
        return np.concatenate(parts) if parts else np.zeros(0)

    def evaluate_batch(
        self, columns: dict[str, Any], n: int, params: dict[str, Any], seed: int
    ) -> BatchResult:
        """Trees for many patents side by side, chunked to bound memory."""
        s, t = self._s_t(columns, n, params)
        return self.batch(self._values(s, t, params), np.ones(n, dtype=bool), params, seed)

    def evaluate(self, inputs: dict[str, Any], params: dict[str, Any], seed: int) -> ValuationResult:
        """One patent: value split into intrinsic value now and the value of waiting."""
        s, t = self._s_t(self._row(inputs), 1, params)
        value = float(self._values(s, t, params)[0])
        intrinsic = max(float(s[0]) - params["exercise_cost"], params["abandonment_value"], 0.0)
        drivers = [
            ("intrinsic", "立即行权/放弃的价值", "Value of acting now", intrinsic),
            ("waiting", "等待（时间）价值", "Value of waiting", value - intrinsic),
        ]
        steps = [
            ("t", "期限 T", "T", float(t[0]), "yr"),
            ("steps", "步数", "Steps", float(params["steps"]), "n"),
            ("value", "期权价值", "Option value", value, "CNY"),
        ]
        style = "美式" if params["exercise"] == "american" else "欧式"
        return self.make_result(
            inputs,
            params,
            seed,
            value=value,
            drivers=drivers,
            steps=steps,
            assumptions=[
                Text(
                    "crr",
                    f"Cox-Ross-Rubinstein 二叉树，{style}行权，可放弃",
                    f"Cox-Ross-Rubinstein tree, {params['exercise']} exercise, abandonment allowed",
                )
            ],
            warnings=self._warnings(inputs, params),
        )
