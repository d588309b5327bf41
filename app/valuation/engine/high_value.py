"""The national high-value invention patent flag (高价值发明专利): valid invention plus any of five criteria."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

from .result import Text

DEFAULT_PLEDGE_THRESHOLD = 10_000_000.0
VALID = ("valid", "valid_after_invalidation")


@cache
def strategic_prefixes() -> tuple[str, ...]:
    """IPC prefixes treated as strategic emerging industries (data file, illustrative subset)."""
    raw = resources.files(__package__).joinpath("data", "strategic_ipc.json").read_text(encoding="utf-8")
    return tuple(json.loads(raw)["prefixes"])


def _maintained_years(inputs: Mapping[str, Any], as_of_year: int | None) -> float | None:
    if inputs.get("maintained_years") is not None:
        return float(inputs["maintained_years"])
    if inputs.get("annual_fee_year") is not None:
        return float(inputs["annual_fee_year"]) - 1.0
    if as_of_year is not None and inputs.get("filing_year") is not None:
        return float(as_of_year - inputs["filing_year"])
    return None


def high_value_flag(
    inputs: Mapping[str, Any],
    *,
    pledge_threshold: float = DEFAULT_PLEDGE_THRESHOLD,
    prefixes: Sequence[str] | None = None,
    as_of_year: int | None = None,
) -> tuple[bool, list[Text]]:
    """Badge for listings: True with the reasons met, or False with why not."""
    if (
        inputs.get("patent_type", "invention") != "invention"
        or inputs.get("legal_status", "valid") not in VALID
    ):
        return False, [Text("not_valid_invention", "非有效发明专利", "Not a valid invention patent")]
    reasons = []
    ipc = str(inputs.get("ipc_main") or "").replace(" ", "").upper()
    if ipc and ipc.startswith(tuple(prefixes if prefixes is not None else strategic_prefixes())):
        reasons.append(Text("strategic_industry", "属于战略性新兴产业", "Strategic emerging industry"))
    if any(c.upper() != "CN" for c in inputs.get("family_countries") or ()):
        reasons.append(Text("overseas_family", "有海外同族专利", "Has an overseas family member"))
    maintained = _maintained_years(inputs, as_of_year)
    if maintained is not None and maintained > 10:
        reasons.append(Text("maintained_10y", "维持年限超过10年", "Maintained for more than 10 years"))
    if float(inputs.get("pledge_amount") or 0.0) >= pledge_threshold:
        reasons.append(Text("high_pledge", "质押融资金额较高", "High pledge-financing amount"))
    if inputs.get("national_award"):
        reasons.append(
            Text("national_award", "获国家科学技术奖或中国专利奖", "National S&T award or China Patent Award")
        )
    if not reasons:
        return False, [
            Text(
                "no_criterion",
                "有效发明专利，但不满足五项条件中的任何一项",
                "Valid invention patent meeting none of the five criteria",
            )
        ]
    return True, reasons
