"""Input specs and small helpers shared by the built-in models."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..result import MONEY, Text, to_decimal
from ..schema import BOOL, FLOAT, INT, STR, STR_LIST, InputSpec

PATENT_TYPES = ("invention", "utility_model", "design")
LEGAL_STATUSES = ("valid", "valid_after_invalidation", "pending", "lapsed", "invalid", "expired")
VALID_STATUSES = ("valid", "valid_after_invalidation")
MIN_SOUND_DRAWS = 1000

REMAINING_INPUT = InputSpec(
    "remaining_years", FLOAT, "yr", None, (0.0, 20.0), "剩余法定保护期", "Remaining legal term", required=True
)
ASK_INPUT = InputSpec("ask_price", FLOAT, "CNY", None, (0.0, 1e13), "挂牌要价", "Listing ask price")
PATENT_TYPE_INPUT = InputSpec(
    "patent_type", STR, "", "invention", None, "专利类型", "Patent type", choices=PATENT_TYPES
)
LEGAL_STATUS_INPUT = InputSpec(
    "legal_status", STR, "", "valid", None, "法律状态", "Legal status", choices=LEGAL_STATUSES
)
FAMILY_INPUT = InputSpec(
    "family_countries", STR_LIST, "", None, None, "同族国家/地区（如 US, EP）", "Family offices (e.g. US, EP)"
)
CLAIMS_INPUT = InputSpec("claims_count", INT, "", None, (0, 10_000), "权利要求数", "Number of claims")
INDEP_INPUT = InputSpec(
    "independent_claims_count", INT, "", None, (0, 1_000), "独立权利要求数", "Independent claims"
)
FWD_INPUT = InputSpec("forward_citations", INT, "", None, (0, 1_000_000), "被引次数", "Forward citations")
BWD_INPUT = InputSpec("backward_citations", INT, "", None, (0, 1_000_000), "引用文献数", "Backward citations")
FILING_YEAR_INPUT = InputSpec("filing_year", INT, "", None, (1950, 2100), "申请年", "Filing year")
IPC_INPUT = InputSpec("ipc_main", STR, "", None, None, "主IPC分类号", "Main IPC code")
FEE_YEAR_INPUT = InputSpec(
    "annual_fee_year", INT, "", None, (1, 20), "当前年费年度", "Current annual-fee year"
)
OFFICE_INPUT = InputSpec(
    "jurisdiction",
    STR,
    "",
    "CN",
    None,
    "专利局（费用表）",
    "Patent office (fee table)",
    choices=("CN", "US", "other"),
)
AWARD_INPUT = InputSpec(
    "national_award", BOOL, "", False, None, "获国家级奖项", "National S&T award or China Patent Award"
)
PLEDGE_INPUT = InputSpec(
    "pledge_amount", FLOAT, "CNY", 0.0, (0.0, 1e13), "质押融资金额", "Pledge-financing amount"
)


def money(x: float) -> Decimal:
    """A CNY amount rounded to cents for result details."""
    return to_decimal(float(x), MONEY)


def yuan(x: float) -> str:
    """CNY amount as report text."""
    return f"¥{x:,.2f}"


def mc_warnings(params: Mapping[str, Any], has_mc: bool) -> list[Text]:
    """Warn when Monte Carlo percentiles rest on too few draws."""
    if has_mc and params["draws"] < MIN_SOUND_DRAWS:
        return [
            Text(
                "few_draws",
                f"蒙特卡洛次数少于{MIN_SOUND_DRAWS}，分位数不稳定",
                f"Fewer than {MIN_SOUND_DRAWS} Monte Carlo draws: percentiles are unstable",
            )
        ]
    return []


def heuristic_warning(kind: str) -> Text:
    """Label rule-of-thumb split rates for what they are."""
    return Text(
        f"heuristic_{kind}",
        f"{'三分法' if kind == 'one_third' else '四分法'}仅为经验法则交叉检验，不是主要方法；美国联邦巡回上诉法院在"
        "Uniloc v. Microsoft (2011) 中认定“25%规则”存在根本缺陷",
        f"The {'one-third' if kind == 'one_third' else 'one-quarter (25 %)'} rule is a labelled heuristic cross-check, "
        "not a primary method; the US Federal Circuit called the 25 % rule 'a fundamentally flawed tool' "
        "(Uniloc v. Microsoft, 2011)",
    )
