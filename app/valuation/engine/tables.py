"""Reference tables from public sources (see the valuation brief); data, not logic."""

from __future__ import annotations

LEGAL_TERM_YEARS = {"invention": 20, "utility_model": 10, "design": 15}

# CN annual fees in CNY by fee year (ranges inclusive), before fee reductions.
_FEE_RANGES = {
    "invention": ((1, 3, 900), (4, 6, 1200), (7, 9, 2000), (10, 12, 4000), (13, 15, 6000), (16, 20, 8000)),
    "utility_model": ((1, 3, 600), (4, 5, 900), (6, 8, 1200), (9, 10, 2000)),
    "design": ((1, 3, 600), (4, 5, 900), (6, 8, 1200), (9, 10, 2000), (11, 15, 3000)),
}
ANNUAL_FEES: dict[str, dict[int, int]] = {
    kind: {year: fee for lo, hi, fee in ranges for year in range(lo, hi + 1)}
    for kind, ranges in _FEE_RANGES.items()
}

# Saaty's random consistency indices for n = 1..10.
SAATY_RI = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}

# Points per filing office for the multi-country indicator (an ad hoc public proxy, not a standard).
OFFICE_POINTS = {"US": 5.0, "EP": 4.0, "JP": 4.0, "KR": 3.0}


# US maintenance fees (USD, large entity; USPTO fee schedule effective 2025-01-19: verify before quoting),
# due 3.5, 7.5 and 11.5 years after grant; designs pay none. Each keeps the patent alive for the next
# window, so the annual equivalent is the fee spread over that window.
US_MAINTENANCE_USD = ((3.5, 2150.0), (7.5, 4040.0), (11.5, 8280.0))
US_TYPICAL_PENDENCY = 3  # years from filing to grant, to place a fee year (counted from filing) after grant
USD_CNY = 7.10  # an approximate 2025 rate, stated in the report; not an administrator-maintained FX table
FEE_OFFICES = ("CN", "US")


def _us_annual_fee(patent_type: str, fee_year: int) -> float:
    if patent_type != "invention":
        return 0.0
    middle = fee_year - US_TYPICAL_PENDENCY - 0.5  # the middle of the fee year, in years after grant
    ends = [*(due for due, _ in US_MAINTENANCE_USD[1:]), 20.0 - US_TYPICAL_PENDENCY]
    for (due, fee), end in zip(US_MAINTENANCE_USD, ends, strict=True):
        if due <= middle < end:
            return fee / (end - due) * USD_CNY
    return 0.0


def annual_fee(patent_type: str, fee_year: int, office: str = "CN") -> float:
    """Official annual fee (or annual equivalent of a maintenance fee) in CNY; 0 outside the term."""
    if office == "US":
        return _us_annual_fee(patent_type, fee_year)
    if office not in FEE_OFFICES:  # no fee table for this office: no floor rather than a wrong one
        return 0.0
    return float(ANNUAL_FEES[patent_type].get(fee_year, 0))
