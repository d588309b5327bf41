"""Auction rules as pure computation: increments, proxy bidding, sealed bids, soft close, outcome.

No Flask, no SQLAlchemy: the services load the bids of one auction (under its row lock), ask this
module what the bids mean, and store the answer. Every function is a function of its arguments, so
the price is always recomputable from the bid log (after a retraction, or by an auditor).

Amounts are Decimals in the auction's currency. Bids are ordered by `seq`, the auction's own
sequence number given under the lock: it decides ties (price priority, then time priority).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal

ENGLISH = "english"
SEALED = "sealed"
KINDS = (ENGLISH, SEALED)

# Close outcomes
AWARDED = "awarded"
RESERVE_NOT_MET = "reserve_not_met"
NO_BIDS = "no_bids"

# Why a bid is refused (the services translate these)
BELOW_MINIMUM = "below_minimum"
NOT_MULTIPLE = "not_multiple"
NOT_ABOVE_OWN_MAXIMUM = "not_above_own_maximum"
TOO_LARGE = "too_large"

# Numeric(18, 2) holds 16 integer digits; refuse anything that could not be stored or added to.
MAX_AMOUNT = Decimal("999999999999.99")
CENT = Decimal("0.01")


class BidRejected(ValueError):
    """The amount breaks a bidding rule; `next_minimum` is what the bidder may bid instead."""

    def __init__(self, reason: str, next_minimum: Decimal) -> None:
        super().__init__(reason)
        self.reason = reason
        self.next_minimum = next_minimum


@dataclass(frozen=True)
class Band:
    """From `lower` (inclusive) up to the next band's lower bound, prices move by `step`."""

    lower: Decimal
    step: Decimal


@dataclass(frozen=True)
class IncrementTable:
    """Increments by price band, lowest band first; the first band starts at zero."""

    bands: tuple[Band, ...]

    def __post_init__(self) -> None:
        if not self.bands or self.bands[0].lower != 0:
            raise ValueError("the first increment band must start at 0")
        lowers = [band.lower for band in self.bands]
        if lowers != sorted(set(lowers)):
            raise ValueError("increment bands must have strictly ascending lower bounds")
        for band in self.bands:
            if band.step <= 0 or band.step != band.step.quantize(CENT):
                raise ValueError("increment steps must be positive whole cents")

    def step_at(self, price: Decimal) -> Decimal:
        """The increment in force at `price`."""
        step = self.bands[0].step
        for band in self.bands:
            if price < band.lower:
                break
            step = band.step
        return step

    def is_multiple(self, amount: Decimal) -> bool:
        """Chinese exchanges accept only whole multiples of the step of the band the amount is in."""
        return amount % self.step_at(amount) == 0

    def round_up(self, amount: Decimal) -> Decimal:
        """The smallest acceptable amount (a whole multiple of its band's step) at or above `amount`."""
        while True:
            step = self.step_at(amount)
            candidate = (amount / step).to_integral_value(rounding=ROUND_CEILING) * step
            if self.step_at(candidate) == step:
                return candidate
            amount = candidate  # crossed into a band with another step: align to that one

    def to_json(self) -> list[list[str]]:
        return [[str(band.lower), str(band.step)] for band in self.bands]

    @classmethod
    def from_json(cls, rows: Iterable[Sequence[str]]) -> IncrementTable:
        return cls(tuple(Band(Decimal(str(lower)), Decimal(str(step))) for lower, step in rows))


DEFAULT_INCREMENTS = IncrementTable(
    (
        Band(Decimal("0"), Decimal("1000")),
        Band(Decimal("100000"), Decimal("5000")),
        Band(Decimal("500000"), Decimal("10000")),
        Band(Decimal("1000000"), Decimal("50000")),
        Band(Decimal("10000000"), Decimal("100000")),
    )
)


@dataclass(frozen=True)
class Rules:
    """What one auction was set up with."""

    kind: str
    start_price: Decimal
    reserve: Decimal | None = None
    increments: IncrementTable = DEFAULT_INCREMENTS

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown auction kind {self.kind!r}")
        if not 0 < self.start_price <= MAX_AMOUNT:
            raise ValueError("the start price must be positive")
        if self.reserve is not None and not 0 < self.reserve <= MAX_AMOUNT:
            raise ValueError("the reserve must be positive")

    def reserve_met_by(self, amount: Decimal) -> bool:
        return self.reserve is None or amount >= self.reserve


@dataclass(frozen=True)
class Bid:
    """One standing bid: for English auctions the bidder's secret maximum, for sealed the offer."""

    bidder: int
    amount: Decimal
    seq: int


@dataclass(frozen=True)
class State:
    """What the bids mean now. `price` is the visible (English) or, once revealed, winning (sealed) price."""

    leader: int | None
    leader_amount: Decimal | None
    price: Decimal | None
    bid_count: int
    bidder_count: int
    reserve_met: bool


def best_per_bidder(bids: Iterable[Bid]) -> list[Bid]:
    """Each bidder's standing bid, best first: highest amount, then the earlier bid."""
    best: dict[int, Bid] = {}
    for bid in bids:
        held = best.get(bid.bidder)
        if held is None or (bid.amount, -bid.seq) > (held.amount, -held.seq):
            best[bid.bidder] = bid
    return sorted(best.values(), key=lambda bid: (-bid.amount, bid.seq))


def latest_per_bidder(bids: Iterable[Bid]) -> list[Bid]:
    """Sealed bids: a later bid replaces the earlier one; best first, ties to the earlier bid."""
    latest: dict[int, Bid] = {}
    for bid in sorted(bids, key=lambda bid: bid.seq):
        latest[bid.bidder] = bid
    return sorted(latest.values(), key=lambda bid: (-bid.amount, bid.seq))


def ranked(rules: Rules, bids: Iterable[Bid]) -> list[Bid]:
    """The standing bids best first, as the auction's kind ranks them."""
    return best_per_bidder(bids) if rules.kind == ENGLISH else latest_per_bidder(bids)


def english_price(rules: Rules, ranked: Sequence[Bid]) -> Decimal | None:
    """Proxy rule: min(leader's max, second max + one increment), at least the start price, and the
    reserve as soon as the leader's maximum reaches it."""
    if not ranked:
        return None
    leader = ranked[0]
    price = rules.start_price
    if len(ranked) > 1:
        second = ranked[1].amount
        price = max(price, min(leader.amount, second + rules.increments.step_at(second)))
    if rules.reserve is not None and leader.amount >= rules.reserve:
        price = max(price, rules.reserve)
    return min(price, leader.amount)


def state(rules: Rules, bids: Iterable[Bid]) -> State:
    """The auction's state from its (non-retracted) bids; the sealed price is the top bid itself."""
    bids = list(bids)
    order = ranked(rules, bids)
    if not order:
        return State(None, None, None, 0, 0, False)
    leader = order[0]
    price = english_price(rules, order) if rules.kind == ENGLISH else leader.amount
    return State(
        leader=leader.bidder,
        leader_amount=leader.amount,
        price=price,
        bid_count=len(bids),
        bidder_count=len(order),
        reserve_met=rules.reserve_met_by(leader.amount),
    )


def minimum_bid(rules: Rules, current: State, bidder: int | None = None) -> Decimal:
    """The lowest amount `bidder` may bid now (English: above the price by one increment)."""
    if rules.kind == SEALED or current.price is None:
        return rules.increments.round_up(rules.start_price)
    floor = current.price + rules.increments.step_at(current.price)
    if bidder is not None and bidder == current.leader and current.leader_amount is not None:
        # the leader raising a maximum must go past it, whatever the visible price
        floor = max(floor, current.leader_amount + CENT)
    return rules.increments.round_up(floor)


def check_bid(rules: Rules, bids: Iterable[Bid], bidder: int, amount: Decimal) -> State:
    """Validate `amount` from `bidder` against the standing bids; return the state the bid would make."""
    bids = list(bids)
    current = state(rules, bids)
    floor = minimum_bid(rules, current, bidder)
    if not amount.is_finite() or amount > MAX_AMOUNT:
        raise BidRejected(TOO_LARGE, floor)
    if amount < floor:
        reason = (
            NOT_ABOVE_OWN_MAXIMUM if bidder == current.leader and rules.kind == ENGLISH else BELOW_MINIMUM
        )
        raise BidRejected(reason, floor)
    if amount != amount.quantize(CENT) or not rules.increments.is_multiple(amount):
        raise BidRejected(NOT_MULTIPLE, floor)
    next_seq = max((bid.seq for bid in bids), default=0) + 1
    return state(rules, [*bids, Bid(bidder, amount, next_seq)])


def position(current: State, bidder: int, has_bid: bool) -> str | None:
    """`leading`, `outbid`, or None for someone who has not bid."""
    if not has_bid:
        return None
    return "leading" if current.leader == bidder else "outbid"


@dataclass(frozen=True)
class Outcome:
    result: str
    winner: int | None
    price: Decimal | None


def outcome(rules: Rules, bids: Iterable[Bid]) -> Outcome:
    """How the auction ends: awarded at the hammer price, reserve not met (top bidder named), or no bids."""
    final = state(rules, bids)
    if final.leader is None:
        return Outcome(NO_BIDS, None, None)
    if not final.reserve_met:
        return Outcome(RESERVE_NOT_MET, final.leader, final.price)
    return Outcome(AWARDED, final.leader, final.price)


def extended_end(ends_at: datetime, hard_end: datetime, now: datetime, window: timedelta) -> datetime:
    """Soft close: a bid inside the last `window` moves the end to now + window, never past the hard end."""
    if window <= timedelta(0) or now >= ends_at:
        return ends_at
    return max(ends_at, min(now + window, hard_end))


def is_open(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    return starts_at <= now < ends_at
