"""Whether a patent's rights are in force on the valuation date, decided from facts, not the status word.

The catalogue's ``legal_status`` says "granted" until someone records otherwise; a valuation must
also look at the computed end of term, at the annual fees paid and at the outcome of invalidation
requests. The result carries the reason, in both languages, so the report can say why a right has
no value. Pure: works on ORM patents and on the plain rows of the bulk path alike.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.catalogue.terms import add_years, expiry_date
from app.core.i18n import day_in
from app.valuation.engine.result import Text

FEE_GRACE_MONTHS = 6  # CN Patent Law Implementing Rules r. 98: six months' grace with a surcharge
# Filing-to-grant pendency assumed when only the grant date is known (about the offices' averages).
TYPICAL_PENDENCY_YEARS = {"invention": 3, "utility_model": 1, "design": 1}

# Invalidation outcomes, decided from the recorded outcome text (zh or en).
UPHELD, PARTIAL, FULL, PENDING = "upheld", "partial", "full", "pending"
_UPHELD_WORDS = ("维持", "upheld", "maintained", "dismissed", "驳回", "withdrawn", "撤回")
_PARTIAL_WORDS = ("部分", "partial", "claims", "权利要求", "amended", "修改")
_FULL_WORDS = ("全部无效", "宣告无效", "invalidated", "invalid", "revoked", "无效")


def invalidation_outcome(outcome: str | None) -> str:
    """upheld / partial / full / pending from the free-text outcome of an invalidation request."""
    text = (outcome or "").strip().lower()
    if not text:
        return PENDING
    if any(w in text for w in _UPHELD_WORDS) and not any(w in text for w in ("部分", "partial")):
        return UPHELD
    if any(w in text for w in _PARTIAL_WORDS):
        return PARTIAL
    if any(w in text for w in _FULL_WORDS):
        return FULL
    return PENDING


@dataclass(frozen=True)
class Rights:
    """The right's standing on one date: the engine's status word, why, and what to warn about."""

    status: str  # engine status word: valid, valid_after_invalidation, pending, lapsed, expired, invalid
    expiry: dt.date | None
    expiry_basis: str  # record, computed, estimated, unknown
    reason: Text | None = None  # why the right is not in force (None while it is)
    warnings: tuple[Text, ...] = ()
    invalidations: dict[str, int] = field(default_factory=dict)  # outcome -> count

    @property
    def in_force(self) -> bool:
        return self.reason is None


def _expiry(patent: Any) -> tuple[dt.date | None, str]:
    if patent.expiry_date is not None:
        return patent.expiry_date, "record"
    jurisdiction = (patent.jurisdiction or "").upper()
    computed = expiry_date(jurisdiction, patent.patent_type, patent.filing_date, patent.grant_date)
    if computed is not None:
        return computed, "computed"
    if patent.filing_date is None and patent.grant_date is not None:
        pendency = TYPICAL_PENDENCY_YEARS.get(patent.patent_type, 2)
        filed = add_years(patent.grant_date, -pendency)
        estimated = expiry_date(jurisdiction, patent.patent_type, filed, patent.grant_date)
        if estimated is not None:
            return estimated, "estimated"
    return None, "unknown"


def _add_months(day: dt.date, months: int) -> dt.date:
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def fee_lapse(patent: Any, on: dt.date) -> Text | None:
    """CN annual fees: the fee for year N+1 falls due on the N-th filing anniversary; unpaid after the
    grace period, the patent lapses. Only granted CN patents with a recorded fee year are judged."""
    paid = patent.annual_fee_paid_year
    if (patent.jurisdiction or "").upper() != "CN" or patent.grant_date is None or paid is None:
        return None
    if patent.filing_date is None:
        return None
    due = add_years(patent.filing_date, int(paid))
    grace_end = _add_months(due, FEE_GRACE_MONTHS)
    if on <= grace_end:
        return None
    return Text(
        "lapsed_unpaid_fees",
        f"第 {int(paid) + 1} 年度年费应于{day_in(due, 'zh')}缴纳，滞纳期已于{day_in(grace_end, 'zh')}届满而未缴，"
        "专利权终止。",
        f"The annual fee for year {int(paid) + 1} fell due on {day_in(due, 'en')} and was not paid by the end "
        f"of the grace period ({day_in(grace_end, 'en')}): the patent has lapsed.",
    )


def _invalidation(events: Iterable[Any]) -> tuple[Counter, Any]:
    counts: Counter = Counter()
    latest_full = None
    for event in events:
        if event.event_type != "invalidation":
            continue
        outcome = invalidation_outcome(getattr(event, "outcome", None))
        counts[outcome] += 1
        if outcome == FULL:
            latest_full = event
    return counts, latest_full


def _status_reason(status: str | None) -> Text | None:
    if status == "lapsed":
        return Text("lapsed", "专利权已终止（失效）。", "The patent has lapsed.")
    if status == "invalidated":
        return Text("invalidated", "专利权已被宣告无效。", "The patent has been invalidated.")
    if status == "expired":
        return Text("expired", "专利权保护期已届满。", "The patent's term has ended.")
    return None


def _term_reason(expiry: dt.date, basis: str) -> Text:
    estimated_zh = "（按授权日估算）" if basis == "estimated" else ""
    estimated_en = " (estimated from the grant date)" if basis == "estimated" else ""
    return Text(
        "expired_term",
        f"法定保护期已于{day_in(expiry, 'zh')}{estimated_zh}届满，专利权不再有效。",
        f"The legal term ended on {day_in(expiry, 'en')}{estimated_en}: the patent is no longer in force.",
    )


def _warnings(counts: Counter, basis: str) -> list[Text]:
    out = []
    if counts[PARTIAL]:
        out.append(
            Text(
                "partially_invalidated",
                "专利曾被部分宣告无效：剩余权利要求的保护范围变窄，收益与可比交易须按剩余范围调整。",
                "The patent was partly invalidated: the remaining claims are narrower, so income and "
                "comparables must be adjusted to the claims that survive.",
            )
        )
    if counts[PENDING]:
        out.append(
            Text(
                "invalidation_pending",
                "存在尚未审结的无效宣告请求：权利可能被全部或部分宣告无效，价值存在该风险。",
                "An invalidation request is pending: the rights may be held invalid in full or in part, "
                "and the value carries that risk.",
            )
        )
    if basis == "estimated":
        out.append(
            Text(
                "expiry_estimated",
                "缺少申请日：保护期届满日按授权日和典型审查周期估算。",
                "The filing date is missing: the end of term is estimated from the grant date and a "
                "typical pendency.",
            )
        )
    elif basis == "unknown":
        out.append(
            Text(
                "expiry_unknown",
                "无法确定保护期届满日（缺少申请日和授权日）：剩余期限按零计算。",
                "The end of term cannot be determined (no filing or grant date): the remaining term is "
                "taken as zero.",
            )
        )
    return out


def rights_on(patent: Any, on: dt.date) -> Rights:
    """The patent's standing on the valuation date, from status, term, fees and invalidation outcomes."""
    expiry, basis = _expiry(patent)
    counts, full = _invalidation(getattr(patent, "events", None) or ())
    warnings = tuple(_warnings(counts, basis))
    granted = patent.grant_date is not None
    reason = _status_reason(patent.legal_status)
    status = {"lapsed": "lapsed", "invalidated": "invalid", "expired": "expired"}.get(
        patent.legal_status or ""
    )
    if reason is None and full is not None and full.occurred_on <= on:
        status, reason = (
            "invalid",
            Text(
                "invalidated_in_full",
                f"无效宣告请求审查决定（{day_in(full.occurred_on, 'zh')}）宣告专利权全部无效。",
                f"The invalidation decision of {day_in(full.occurred_on, 'en')} held the patent invalid in full.",
            ),
        )
    if reason is None and expiry is not None and on >= expiry:
        status, reason = "expired", _term_reason(expiry, basis)
    if reason is None:
        reason = fee_lapse(patent, on)
        status = "lapsed" if reason is not None else None
    if status is None:
        pending = patent.legal_status == "pending" or (patent.legal_status is None and not granted)
        status = "pending" if pending else ("valid_after_invalidation" if counts[UPHELD] else "valid")
    return Rights(status, expiry, basis, reason, warnings, dict(counts))


def remaining_years(rights: Rights, on: dt.date, cap: float = 20.0) -> float:
    """Years of protection left on the date (0 when not in force or the end of term is unknown)."""
    if not rights.in_force or rights.expiry is None:
        return 0.0
    return round(min(max((rights.expiry - on).days / 365.25, 0.0), cap), 2)
