"""The pure auction engine: examples for every rule, and properties against a plain reference."""

import ast
import math
import pathlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.market import auction_engine as engine
from app.market.auction_engine import Band, Bid, BidRejected, IncrementTable, Rules

D = Decimal
TABLE = IncrementTable((Band(D(0), D(1000)), Band(D(100000), D(5000)), Band(D(500000), D(10000))))


def english(start="10000", reserve=None, table=TABLE) -> Rules:
    return Rules(engine.ENGLISH, D(start), D(reserve) if reserve else None, table)


def sealed(start="10000", reserve=None) -> Rules:
    return Rules(engine.SEALED, D(start), D(reserve) if reserve else None, TABLE)


def place(rules: Rules, steps: list[tuple[int, str]]) -> tuple[list[Bid], engine.State]:
    """Place bids in order through check_bid (each must be accepted)."""
    bids: list[Bid] = []
    current = engine.state(rules, bids)
    for bidder, amount in steps:
        current = engine.check_bid(rules, bids, bidder, D(amount))
        bids.append(Bid(bidder, D(amount), len(bids) + 1))
    return bids, current


def attempt(rules: Rules, bids: list[Bid], bidder: int, amount: Decimal) -> engine.State | BidRejected:
    try:
        return engine.check_bid(rules, bids, bidder, amount)
    except BidRejected as refused:
        return refused


def test_engine_imports_neither_flask_nor_sqlalchemy():
    source = pathlib.Path(engine.__file__).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"flask", "sqlalchemy", "flask_sqlalchemy", "app"}


# --- increment table -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "step"),
    [
        ("0", "1000"),
        ("99999.99", "1000"),
        ("100000", "5000"),
        ("499999", "5000"),
        ("500000", "10000"),
        ("9e9", "10000"),
    ],
)
def test_step_by_price_band(price, step):
    assert TABLE.step_at(D(price)) == D(step)


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [
        ("1", "1000"),
        ("1000", "1000"),
        ("1000.01", "2000"),
        ("99500", "100000"),
        ("100001", "105000"),
        ("497000", "500000"),
    ],
)
def test_round_up_to_a_multiple_of_the_band_step(amount, rounded):
    assert TABLE.round_up(D(amount)) == D(rounded)


def test_round_up_when_the_next_band_boundary_is_not_a_multiple():
    table = IncrementTable((Band(D(0), D(300)), Band(D(1000), D(700))))
    # 1000 is not a multiple of 300 (rounding gives 1200, in the 700 band) nor of 700 -> 1400
    assert table.round_up(D(950)) == D(1400)
    assert table.is_multiple(D(1400))


@pytest.mark.parametrize(
    "bands",
    [
        [],
        [("10", "5")],
        [("0", "5"), ("0", "6")],
        [("0", "5"), ("100", "0")],
        [("0", "0.001")],
        [("0", "5"), ("50", "5"), ("20", "5")],
    ],
)
def test_invalid_increment_tables_are_refused(bands):
    with pytest.raises(ValueError, match="increment"):
        IncrementTable.from_json(bands)


def test_increment_table_round_trips_through_json():
    assert IncrementTable.from_json(TABLE.to_json()) == TABLE
    assert engine.DEFAULT_INCREMENTS.step_at(D(0)) > 0


@pytest.mark.parametrize(("start", "reserve"), [("0", None), ("-5", None), ("100", "0"), ("1e13", None)])
def test_invalid_rules_are_refused(start, reserve):
    with pytest.raises(ValueError, match="positive"):
        english(start, reserve)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        Rules("dutch", D(1))


# --- English proxy bidding -------------------------------------------------------------------------


def test_no_bids():
    rules = english()
    current = engine.state(rules, [])
    assert current.leader is None
    assert current.price is None
    assert not current.reserve_met
    assert engine.minimum_bid(rules, current) == D(10000)


def test_single_bidder_pays_the_start_price():
    _, current = place(english(), [(1, "50000")])
    assert (current.leader, current.price, current.leader_amount) == (1, D(10000), D(50000))


def test_second_bidder_sets_price_to_second_max_plus_one_increment():
    _, current = place(english(), [(1, "50000"), (2, "30000")])
    assert (current.leader, current.price) == (1, D(31000))


def test_price_capped_by_the_leaders_maximum():
    _, current = place(english(), [(1, "50000"), (2, "50000")])
    assert (current.leader, current.price) == (1, D(50000))  # equal maximums: the earlier bid


def test_outbidding_the_leader():
    _, current = place(english(), [(1, "50000"), (2, "80000")])
    assert (current.leader, current.price) == (2, D(51000))


def test_outbidding_by_less_than_one_increment_above_the_leader_max():
    _, current = place(english(), [(1, "49000"), (2, "50000")])
    assert (current.leader, current.price) == (2, D(50000))


def test_increment_used_is_that_of_the_second_maximum_band():
    _, current = place(english(), [(1, "300000"), (2, "100000")])
    assert current.price == D(105000)


def test_leader_raises_maximum_without_raising_the_price():
    rules = english()
    bids, before = place(rules, [(1, "50000"), (2, "30000")])
    after = engine.check_bid(rules, bids, 1, D(90000))
    assert (after.leader, after.price, after.leader_amount) == (1, before.price, D(90000))


def test_leader_must_raise_above_own_maximum():
    rules = english()
    bids, current = place(rules, [(1, "50000"), (2, "30000")])
    assert current.price == D(31000)
    with pytest.raises(BidRejected) as refused:
        engine.check_bid(rules, bids, 1, D(40000))
    assert refused.value.reason == engine.NOT_ABOVE_OWN_MAXIMUM
    assert refused.value.next_minimum == D(51000)


def test_price_jumps_to_the_reserve_when_a_maximum_reaches_it():
    rules = english(reserve="60000")
    _, current = place(rules, [(1, "50000")])
    assert (current.price, current.reserve_met) == (D(10000), False)
    _, current = place(rules, [(1, "70000")])
    assert (current.price, current.reserve_met) == (D(60000), True)
    _, current = place(rules, [(1, "20000"), (2, "60000")])
    assert (current.leader, current.price) == (2, D(60000))


def test_reserve_met_by_leader_only_when_competition_is_below():
    _, current = place(english(reserve="60000"), [(1, "65000"), (2, "62000")])
    assert (current.leader, current.price, current.reserve_met) == (1, D(63000), True)


def test_bids_below_minimum_are_refused_with_the_next_minimum():
    rules = english()
    bids, _ = place(rules, [(1, "50000"), (2, "30000")])  # price 31000
    with pytest.raises(BidRejected) as refused:
        engine.check_bid(rules, bids, 3, D(31000))
    assert (refused.value.reason, refused.value.next_minimum) == (engine.BELOW_MINIMUM, D(32000))


def test_first_bid_below_start_refused():
    with pytest.raises(BidRejected) as refused:
        engine.check_bid(english(), [], 1, D(9000))
    assert refused.value.next_minimum == D(10000)


@pytest.mark.parametrize("amount", ["32500", "32000.5", "102000", "32000.001"])
def test_amounts_that_are_not_multiples_of_the_step_are_refused(amount):
    rules = english()
    bids, _ = place(rules, [(1, "50000"), (2, "30000")])
    with pytest.raises(BidRejected) as refused:
        engine.check_bid(rules, bids, 3, D(amount))
    assert refused.value.reason == engine.NOT_MULTIPLE
    assert refused.value.next_minimum == D(32000)


@pytest.mark.parametrize("amount", ["1e15", "Infinity", "NaN"])
def test_absurd_amounts_are_refused(amount):
    with pytest.raises(BidRejected) as refused:
        engine.check_bid(english(), [], 1, D(amount))
    assert refused.value.reason == engine.TOO_LARGE


def test_non_leader_rebid_counts_the_higher_maximum():
    _, current = place(english(), [(1, "50000"), (2, "30000"), (2, "60000")])
    assert (current.leader, current.price, current.bidder_count, current.bid_count) == (2, D(51000), 2, 3)


def test_position():
    _, current = place(english(), [(1, "50000"), (2, "30000")])
    assert engine.position(current, 1, True) == "leading"
    assert engine.position(current, 2, True) == "outbid"
    assert engine.position(current, 3, False) is None


# --- retraction ----------------------------------------------------------------------------------


def test_retraction_recomputes_from_the_remaining_bids():
    rules = english()
    bids, current = place(rules, [(1, "50000"), (2, "60000"), (3, "900000")])
    assert (current.leader, current.price) == (3, D(61000))
    remaining = [bid for bid in bids if bid.seq != 3]  # an obvious typo: 900000 for 90000
    after = engine.state(rules, remaining)
    assert (after.leader, after.price) == (2, D(51000))


def test_retracting_a_raise_restores_the_earlier_maximum():
    rules = english()
    bids, _ = place(rules, [(1, "50000"), (2, "60000"), (1, "800000")])
    after = engine.state(rules, [bid for bid in bids if bid.seq != 3])
    assert (after.leader, after.price) == (2, D(51000))


def test_retracting_the_only_bid_leaves_no_bids():
    rules = english()
    bids, _ = place(rules, [(1, "50000")])
    assert engine.outcome(rules, bids[1:]) == engine.Outcome(engine.NO_BIDS, None, None)


# --- sealed bids ---------------------------------------------------------------------------------


def test_sealed_highest_wins_at_own_bid():
    rules = sealed()
    bids, current = place(rules, [(1, "50000"), (2, "70000"), (3, "60000")])
    assert (current.leader, current.price) == (2, D(70000))
    assert engine.outcome(rules, bids) == engine.Outcome(engine.AWARDED, 2, D(70000))


def test_sealed_ties_go_to_the_earlier_bid():
    _, current = place(sealed(), [(1, "50000"), (2, "50000")])
    assert current.leader == 1


def test_sealed_bid_may_be_replaced_even_lower_and_then_loses_its_time_priority():
    rules = sealed()
    bids, current = place(rules, [(1, "80000"), (2, "50000"), (1, "50000")])
    assert (current.leader, current.bidder_count) == (2, 2)


def test_sealed_minimum_is_the_start_price_whatever_the_others_bid():
    rules = sealed(start="10500")
    bids, current = place(rules, [(1, "80000")])
    assert engine.minimum_bid(rules, current, 2) == D(11000)
    with pytest.raises(BidRejected):
        engine.check_bid(rules, bids, 2, D(10000))


def test_sealed_reserve_not_met():
    rules = sealed(reserve="100000")
    bids, _ = place(rules, [(1, "80000"), (2, "90000")])
    assert engine.outcome(rules, bids) == engine.Outcome(engine.RESERVE_NOT_MET, 2, D(90000))


# --- outcome -------------------------------------------------------------------------------------


def test_outcomes():
    rules = english(reserve="60000")
    assert engine.outcome(rules, []).result == engine.NO_BIDS
    bids, _ = place(rules, [(1, "50000"), (2, "55000")])
    assert engine.outcome(rules, bids) == engine.Outcome(engine.RESERVE_NOT_MET, 2, D(51000))
    bids, _ = place(rules, [(1, "50000"), (2, "65000")])
    assert engine.outcome(rules, bids) == engine.Outcome(engine.AWARDED, 2, D(60000))


# --- soft close ----------------------------------------------------------------------------------

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
W = timedelta(minutes=5)


@pytest.mark.parametrize(
    ("now", "hard_end", "expected"),
    [
        (T0 - timedelta(minutes=30), T0 + timedelta(hours=1), T0),  # early bid: no change
        (T0 - timedelta(minutes=5), T0 + timedelta(hours=1), T0),  # exactly W before: unchanged
        (T0 - timedelta(minutes=2), T0 + timedelta(hours=1), T0 + timedelta(minutes=3)),
        (T0 - timedelta(seconds=1), T0 + timedelta(minutes=2), T0 + timedelta(minutes=2)),  # capped
        (T0 - timedelta(seconds=1), T0, T0),  # hard end reached already
        (T0, T0 + timedelta(hours=1), T0),  # closed: never reopened
    ],
)
def test_soft_close(now, hard_end, expected):
    assert engine.extended_end(T0, hard_end, now, W) == expected


def test_no_soft_close_window():
    assert engine.extended_end(T0, T0 + W, T0 - timedelta(seconds=1), timedelta(0)) == T0


def test_is_open():
    assert engine.is_open(T0, T0 + W, T0)
    assert not engine.is_open(T0, T0 + W, T0 + W)
    assert not engine.is_open(T0, T0 + W, T0 - timedelta(seconds=1))


# --- properties against a plain reference --------------------------------------------------------


def ref_step(price):
    """Plain lookup: the step of the highest band whose lower bound is at or below the price."""
    return [band.step for band in TABLE.bands if band.lower <= price][-1]


def ref_is_acceptable(amount):
    return amount == amount.quantize(D("0.01")) and amount % ref_step(amount) == 0


class ReferenceAuction:
    """The textbook incremental proxy auction: one bid at a time, the leader defending automatically."""

    def __init__(self, start, reserve, kind=engine.ENGLISH):
        self.start, self.reserve, self.kind = start, reserve, kind
        self.leader = None
        self.leader_max = None
        self.second_max = None  # the highest maximum of anyone but the leader
        self.price = None
        self.sealed: dict[int, tuple] = {}
        self.seq = 0

    def minimum(self, bidder):
        if self.kind == engine.SEALED or self.leader is None:
            floor = self.start
        else:
            floor = self.price + ref_step(self.price)
            if bidder == self.leader:
                floor = max(floor, self.leader_max + D("0.01"))
        # brute force upwards over the multiples of 1000 (every step of TABLE is one)
        amount = D(math.ceil(floor / 1000) * 1000)
        while not ref_is_acceptable(amount):
            amount += 1000
        return amount

    def bid(self, bidder, amount):
        """Return True when accepted."""
        if amount < self.minimum(bidder) or not ref_is_acceptable(amount):
            return False
        self.seq += 1
        if self.kind == engine.SEALED:
            self.sealed[bidder] = (amount, self.seq)
            top = min(self.sealed.items(), key=lambda item: (-item[1][0], item[1][1]))
            self.leader, self.leader_max, self.price = top[0], top[1][0], top[1][0]
            return True
        if self.leader is None:
            self.leader, self.leader_max, self.price = bidder, amount, self.start
        elif bidder == self.leader:
            # a raise leaves the price alone unless the old maximum was capping it
            capped = self.price == self.leader_max
            self.leader_max = amount
            if capped and self.second_max is not None:
                self.price = min(amount, self.second_max + ref_step(self.second_max))
        elif amount > self.leader_max:
            self.price = min(amount, self.leader_max + ref_step(self.leader_max))
            self.second_max = self.leader_max
            self.leader, self.leader_max = bidder, amount
        else:
            self.second_max = amount
            self.price = min(self.leader_max, amount + ref_step(amount))
        if self.reserve is not None and self.leader_max >= self.reserve:
            self.price = max(self.price, self.reserve)
        return True


amounts = st.integers(min_value=1, max_value=700).map(lambda n: D(n) * 1000) | st.decimals(
    min_value=1000, max_value=700000, places=2, allow_nan=False, allow_infinity=False
)
bid_lists = st.lists(st.tuples(st.integers(min_value=1, max_value=5), amounts), max_size=30)
reserves = st.none() | st.integers(min_value=5, max_value=600).map(lambda n: D(n) * 1000)


@settings(max_examples=400, deadline=None)
@given(bid_lists, st.integers(min_value=1, max_value=50).map(lambda n: D(n) * 1000), reserves)
def test_english_matches_the_reference_bid_by_bid(attempts, start, reserve):
    rules = english(start, reserve)
    reference = ReferenceAuction(start, reserve)
    bids: list[Bid] = []
    last_price = None
    for bidder, amount in attempts:
        accepted_by_reference = reference.bid(bidder, amount)
        new_state = attempt(rules, bids, bidder, amount)
        if isinstance(new_state, BidRejected):
            assert not accepted_by_reference
            assert new_state.next_minimum == reference.minimum(bidder)
            continue
        assert accepted_by_reference
        bids.append(Bid(bidder, amount, len(bids) + 1))
        assert new_state == engine.state(rules, bids)
        assert (new_state.leader, new_state.leader_amount, new_state.price) == (
            reference.leader,
            reference.leader_max,
            reference.price,
        )
        # invariants: price never falls, never above the leader's max, never below the start
        assert start <= new_state.price <= new_state.leader_amount
        assert last_price is None or new_state.price >= last_price
        last_price = new_state.price
        others = [bid.amount for bid in bids if bid.bidder != new_state.leader]
        assert all(amount <= new_state.leader_amount for amount in others)


@settings(max_examples=300, deadline=None)
@given(bid_lists, reserves)
def test_sealed_matches_the_reference(attempts, reserve):
    rules = sealed("10000", reserve)
    reference = ReferenceAuction(D(10000), reserve, engine.SEALED)
    bids: list[Bid] = []
    for bidder, amount in attempts:
        accepted = reference.bid(bidder, amount)
        try:
            engine.check_bid(rules, bids, bidder, amount)
        except BidRejected:
            assert not accepted
            continue
        assert accepted
        bids.append(Bid(bidder, amount, len(bids) + 1))
    result = engine.outcome(rules, bids)
    assert result.winner == reference.leader
    assert result.price == reference.price
    if reference.leader is not None:
        expected = engine.AWARDED if reserve is None or reference.price >= reserve else engine.RESERVE_NOT_MET
        assert result.result == expected


@settings(max_examples=200, deadline=None)
@given(bid_lists, st.data())
def test_retraction_equals_replaying_the_remaining_bids_as_a_set(attempts, data):
    rules = english()
    bids: list[Bid] = []
    for bidder, amount in attempts:
        try:
            engine.check_bid(rules, bids, bidder, amount)
        except BidRejected:
            continue
        bids.append(Bid(bidder, amount, len(bids) + 1))
    if not bids:
        return
    retracted = data.draw(st.sampled_from(bids))
    remaining = [bid for bid in bids if bid is not retracted]
    after = engine.state(rules, remaining)
    # plain definition: each bidder's highest maximum (earliest on ties), best first
    per_bidder = {}
    for bid in remaining:
        if bid.bidder not in per_bidder or bid.amount > per_bidder[bid.bidder].amount:
            per_bidder[bid.bidder] = bid
    ranked = sorted(per_bidder.values(), key=lambda bid: (-bid.amount, bid.seq))
    if not ranked:
        assert after.leader is None
        return
    assert after.leader == ranked[0].bidder
    if len(ranked) == 1:
        assert after.price == rules.start_price
    else:
        second = ranked[1].amount
        assert after.price == max(rules.start_price, min(ranked[0].amount, second + ref_step(second)))


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=7200),
    st.integers(min_value=0, max_value=7200),
    st.integers(min_value=0, max_value=900),
)
def test_soft_close_properties(before_end_s, hard_after_end_s, window_s):
    now = T0 - timedelta(seconds=before_end_s)
    hard_end = T0 + timedelta(seconds=hard_after_end_s)
    window = timedelta(seconds=window_s)
    new_end = engine.extended_end(T0, hard_end, now, window)
    assert T0 <= new_end <= hard_end
    if now < T0:
        assert new_end == max(T0, min(now + window, hard_end))
    assert new_end > now or now >= T0
