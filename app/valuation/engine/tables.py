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


def annual_fee(patent_type: str, fee_year: int) -> int:
    """Official annual fee for one fee year (0 outside the term)."""
    return ANNUAL_FEES[patent_type].get(fee_year, 0)
