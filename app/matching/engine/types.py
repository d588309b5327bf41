"""The engine's inputs and outputs: frozen dataclasses the web layer fills from its models."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


class Lexicon(Protocol):
    """The cross-language dictionary, passed in so the engine imports nothing from the app."""

    def translations(self, term: str, source_lang: str | None = None) -> list[str]: ...

    def segment(self, run: str) -> list[str]: ...


@dataclass(frozen=True)
class NeedProfile:
    """What a buyer wants. Amounts are exact; None means "not stated" (the factor then scores 0)."""

    text: str
    codes: tuple[str, ...] = ()  # normalised IPC/CPC codes ("H01M 10/0525")
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    currency: str = "CNY"
    rights: tuple[str, ...] = ()  # wanted right types (assignment, exclusive_licence, ...)
    territory: str | None = None  # None: anywhere will do
    exclude: frozenset[int] = frozenset()  # candidate ids never to match (the hidden patent, own listings)


@dataclass(frozen=True)
class Candidate:
    """A listing (or a patent) as the engine sees it."""

    id: int
    text: str
    codes: tuple[str, ...] = ()
    ask: Decimal | None = None
    valuation_low: Decimal | None = None
    valuation_high: Decimal | None = None
    currency: str = "CNY"
    right_type: str | None = None
    territory: str | None = None  # None: worldwide
    published_at: dt.datetime | None = None
    # The seller's record (gathered by app/matching/responsiveness.py): None when there is none.
    seller_answer_share: float | None = None  # share of offers and enquiries answered, 0..1
    seller_median_hours: float | None = None  # median time to answer


@dataclass(frozen=True)
class Contribution:
    """One factor's share of a match score, with a reason as a template key and its parameters."""

    factor: str
    points: float  # weight x the strategy's value in [0, 1]
    reason: str  # key into the reason templates (translated by the web layer)
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    """A ranked candidate; ``score`` is exactly the sum of the contributions' points."""

    candidate_id: int
    score: float
    contributions: tuple[Contribution, ...]
