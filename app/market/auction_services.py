"""Verbs on auctions: configure, bid, close, second chance; serialised per auction.

Every write to an auction happens under its lock: ``SELECT ... FOR UPDATE`` on PostgreSQL, an
immediate write transaction (``BEGIN IMMEDIATE``) on SQLite, which has one writer at a time anyway.
The price is then computed by the pure engine under the lock, so it is always what the proxy rule
gives, whatever order the requests arrived in. For English auctions the row keeps the leader's and
the runner-up's maximums (all the rule needs: every bidder's new maximum is above their last), so
a bid reads one row instead of every standing bid; sealed bids and retractions recompute from all
standing bids. Closing is won by a conditional UPDATE, so the tick and a lazy close never both
award. Services flush and never commit; the outbid notice is an outbox event handled after the
commit, other notices are written in the transaction and e-mailed after the commit (outbox).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update

from app.accounts.models import User
from app.accounts.permissions import is_admin
from app.catalogue.validation import ValidationFailed
from app.core.audit_chain import canonical_json, chain_append
from app.core.clock import clock
from app.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from app.core.i18n import format_money_exact
from app.core.lifecycle import apply_transition
from app.core.money import Money
from app.core.page_cache import bid_writes
from app.extensions import db
from app.market import auction_committed as committed
from app.market import auction_engine as engine
from app.market import auction_notices as notices
from app.market import auction_states as states
from app.market import auction_writes as writes
from app.market import qualification
from app.market.auction_committed import podium
from app.market.auction_locking import begin_write_transaction, hold_auction_gate
from app.market.auction_models import (
    Auction,
    AuctionBid,
    AuctionBidRequest,
    AuctionExtension,
    AuctionParticipant,
)
from app.market.listing_models import Listing
from app.market.listing_services import can_manage, is_seller
from app.market.listing_states import PUBLISHED
from app.market.qualification import bidder_qualification

MAX_SOFT_CLOSE_MINUTES = 24 * 60


# ---- errors the routes map to status codes -------------------------------------------------------


class AuctionNotOpen(Conflict):
    """409: the auction does not take bids now (not started, ended, closed, listing not published)."""

    def __init__(self, auction: Auction, message: str) -> None:
        super().__init__(message)
        self.auction = auction

    def details(self) -> dict:
        return {"status": self.auction.status, "ends_at": self.auction.ends_at.isoformat()}


class BidRefused(DomainError):
    """422: the amount breaks a bidding rule; says the next acceptable minimum."""

    status_code = 422

    def __init__(self, reason: str, message: str, next_minimum: Money) -> None:
        super().__init__(message, {"amount": message})
        self.reason, self.next_minimum = reason, next_minimum

    def details(self) -> dict:
        return {"reason": self.reason, "next_minimum": self.next_minimum.to_json()}


class KeyReused(DomainError):
    """422: an idempotency key already placed a different bid; nothing was recorded."""

    status_code = 422

    def __init__(self) -> None:
        super().__init__(
            _("This request key was already used for a different bid; nothing was recorded. Use a new key.")
        )

    def details(self) -> dict:
        return {"reason": "idempotency_key_reused"}


class NotQualified(PermissionDenied):
    """403: this user may not bid here; says why and what to do."""

    def __init__(self, code: str, reason: str, remedy: str) -> None:
        super().__init__(f"{reason} {remedy}".strip())
        self.code, self.reason, self.remedy = code, reason, remedy

    def details(self) -> dict:
        return {"reason": self.code, "remedy": self.remedy}


# ---- locking ---------------------------------------------------------------------------------------


def lock_auction(auction_id: int) -> Auction:
    """The auction, locked until the transaction ends, with its columns as committed last: one statement."""
    begin_write_transaction()
    auction = db.session.scalars(
        select(Auction)
        .where(Auction.id == auction_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if auction is None:
        raise NotFound(_("There is no such auction."))
    return auction


def standing_bids(auction: Auction) -> list[engine.Bid]:
    """Each bidder's standing bid: all the engine needs (a bidder's latest bid is also their best)."""
    rows = db.session.execute(
        select(
            AuctionParticipant.user_id, AuctionParticipant.standing_amount, AuctionParticipant.standing_seq
        ).where(AuctionParticipant.auction_id == auction.id, AuctionParticipant.standing_amount.is_not(None))
    )
    return [engine.Bid(user_id, amount, seq) for user_id, amount, seq in rows]


def current_state(auction: Auction) -> engine.State:
    """The state the row holds (English), or recomputed from the standing bids."""
    top = podium(auction)
    if top is None:
        return engine.state(auction.rules, standing_bids(auction))
    return engine.State(
        leader=auction.leader_id,
        leader_amount=auction.leader_amount,
        price=auction.current_price,
        bid_count=auction.bid_count,
        bidder_count=auction.bidder_count,
        reserve_met=auction.reserve_met,
    )


def store_state(auction: Auction, current: engine.State, ranked: list[engine.Bid]) -> None:
    """Write what the engine computed, with the two best standing bids (``ranked`` is best first)."""
    auction.current_price = current.price if auction.kind == engine.ENGLISH else None
    auction.leader_id = current.leader
    auction.leader_amount = current.leader_amount
    second = ranked[1] if len(ranked) > 1 else None
    auction.second_bidder_id = second.bidder if second else None
    auction.second_amount = second.amount if second else None
    auction.bidder_count = current.bidder_count
    auction.reserve_met = current.reserve_met


def recompute_state(auction: Auction) -> engine.State:
    """From every standing bid (after a retraction): the slow, always-right way."""
    standing = standing_bids(auction)
    current = engine.state(auction.rules, standing)
    store_state(auction, current, engine.ranked(auction.rules, standing))
    return current


# ---- configure -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuctionSettings:
    kind: str
    start_price: Money
    starts_at: dt.datetime
    ends_at: dt.datetime
    hard_end_at: dt.datetime | None = None  # None: soft close cannot move the end at all
    reserve: Money | None = None
    reserve_disclosed: bool = False
    soft_close_minutes: int = 5
    increments: engine.IncrementTable = engine.DEFAULT_INCREMENTS


def _check_settings(listing: Listing, settings: AuctionSettings) -> dict[str, str]:
    errors: dict[str, str] = {}
    if settings.kind not in engine.KINDS or listing.price_mechanism != f"{settings.kind}_auction":
        errors["kind"] = _("The listing's price mechanism does not match this kind of auction.")
    for field, money in (("start_price", settings.start_price), ("reserve", settings.reserve)):
        if money is not None and money.currency != listing.currency:
            errors[field] = _("Use the listing's currency, %(currency)s.", currency=listing.currency)
        elif money is not None and not 0 < money.amount <= engine.MAX_AMOUNT:
            errors[field] = _("Enter a positive amount.")
    if (
        settings.reserve is not None
        and "reserve" not in errors
        and settings.reserve.amount < settings.start_price.amount
    ):
        errors["reserve"] = _("The reserve cannot be below the start price.")
    if settings.ends_at <= settings.starts_at:
        errors["ends_at"] = _("The end must come after the start.")
    if settings.hard_end_at is not None and settings.hard_end_at < settings.ends_at:
        errors["hard_end_at"] = _("The latest end cannot be before the planned end.")
    if not 0 <= settings.soft_close_minutes <= MAX_SOFT_CLOSE_MINUTES:
        errors["soft_close_minutes"] = _("Enter between 0 and 1440 minutes.")
    return errors


def configure_auction(listing: Listing, actor: User, settings: AuctionSettings) -> Auction:
    """Create or change the listing's auction; only its seller or an administrator, and never once bid on."""
    if not can_manage(actor, listing):
        raise PermissionDenied(_("Only the seller or an administrator may set up this auction."))
    errors = _check_settings(listing, settings)
    if errors:
        raise ValidationFailed(errors)
    auction = db.session.scalar(select(Auction).where(Auction.listing_id == listing.id))
    if auction is not None:
        auction = lock_auction(auction.id)
        if auction.status != states.SCHEDULED or auction.last_seq:
            raise Conflict(_("The auction has started: its settings can no longer change."))
    else:
        auction = Auction(listing_id=listing.id, status=states.SCHEDULED, currency=listing.currency)
    auction.kind = settings.kind
    auction.start_price = settings.start_price.amount
    auction.reserve_price = settings.reserve.amount if settings.reserve else None
    auction.reserve_disclosed = settings.reserve_disclosed
    auction.starts_at, auction.ends_at = settings.starts_at, settings.ends_at
    sealed = settings.kind == engine.SEALED  # sealed bids never move the close (see _soft_close)
    auction.hard_end_at = settings.ends_at if sealed else settings.hard_end_at or settings.ends_at
    auction.soft_close_minutes = 0 if sealed else settings.soft_close_minutes
    auction.increments = settings.increments.to_json()
    db.session.add(auction)
    db.session.flush()
    chain_append("auction.configure", "auctions", auction.id, actor, _settings_payload(auction))
    return auction


def _settings_payload(auction: Auction) -> dict:
    return {
        "listing_id": auction.listing_id,
        "kind": auction.kind,
        "start_price": str(auction.start_price),
        "reserve": None if auction.reserve_price is None else str(auction.reserve_price),
        "reserve_disclosed": auction.reserve_disclosed,
        "starts_at": auction.starts_at,
        "ends_at": auction.ends_at,
        "hard_end_at": auction.hard_end_at,
        "soft_close_minutes": auction.soft_close_minutes,
        "increments": auction.increments,
    }


def auction_for_listing(listing: Listing) -> Auction | None:
    return db.session.scalar(select(Auction).where(Auction.listing_id == listing.id))


# ---- bidding ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BidResult:
    bid: AuctionBid
    auction: Auction
    position: str  # "leading" or "outbid" (English, right after the proxy defended); "" on a replay
    extended: bool
    replayed: AuctionBidRequest | None = None  # set when an earlier request with the key placed the bid


@dataclass(frozen=True)
class BidRequestKey:
    """An idempotency key (``api:...`` or ``form:...``) and the fingerprint of what was asked."""

    key: str
    fingerprint: str

    @classmethod
    def of(cls, prefix: str, key: str, auction_id: int, amount: str) -> BidRequestKey:
        body = canonical_json({"auction_id": auction_id, "amount": amount})
        return cls(f"{prefix}:{key}", hashlib.sha256(body.encode()).hexdigest())


def require_qualified(listing: Listing, bidder: User) -> None:
    verdict = bidder_qualification(listing, bidder)
    if not verdict.ok:
        raise NotQualified(verdict.code, verdict.reason, verdict.remedy)


def _require_qualified_once(auction: Auction, bidder: User) -> None:
    """The checks run once per bidder, listing and facts version (bids do not change the facts);
    the listing is read only then (or found in the session, e.g. the API view read it)."""
    if qualification.known_qualified(auction.listing_id, bidder):
        return
    facts = qualification.facts_now()
    require_qualified(auction.listing, bidder)
    qualification.remember_qualified(auction.listing_id, bidder, facts)


def _require_open(auction: Auction, listing_status: str, now: dt.datetime) -> None:
    if listing_status != PUBLISHED and auction.status in states.LIVE_STATUSES:
        raise AuctionNotOpen(auction, _("The listing is not published, so its auction takes no bids."))
    if auction.status not in states.LIVE_STATUSES or now >= auction.ends_at:
        raise AuctionNotOpen(auction, _("The auction has ended."))
    if now < auction.starts_at:
        raise AuctionNotOpen(auction, _("The auction has not started yet."))


def _refuse_amount(currency: str, rejected: engine.BidRejected) -> BidRefused:
    minimum = Money.of(rejected.next_minimum, currency)
    shown = format_money_exact(minimum.amount, minimum.currency)  # ¥330,000.00, never "330000.00 CNY"
    messages = {
        engine.BELOW_MINIMUM: _("Bid at least %(minimum)s.", minimum=shown),
        engine.NOT_ABOVE_OWN_MAXIMUM: _(
            "You are leading: to raise your maximum, bid at least %(minimum)s.", minimum=shown
        ),
        engine.NOT_MULTIPLE: _(
            "Bids must be whole multiples of the increment for their price band; the lowest you may bid is %(minimum)s.",
            minimum=shown,
        ),
        engine.TOO_LARGE: _("That amount is too large."),
    }
    return BidRefused(rejected.reason, messages[rejected.reason], minimum)


def _refuse_early(state: committed.Committed | None, bidder: User, amount: Money) -> None:
    """English, before the lock: refuse an amount a committed state (read just now, or kept from
    this process's last look at the row: auction_committed) already refuses, so losing bids (most of
    them, when many race for the next price) never queue on the row lock. Sound because a later
    state only raises the minimum; a retraction changes the facts version, which retires the kept
    states. A pass decides nothing: the bid is checked again under the lock."""
    rejected = committed.refusal(state, bidder.id, amount, clock.now())
    if rejected is not None:
        raise _refuse_amount(state.currency, rejected)


def place_bid(
    auction_id: int,
    bidder: User,
    amount: Money,
    request: BidRequestKey | None = None,
    *,
    seen: Auction | None = None,
) -> BidResult:
    """Accept one bid (English: the bidder's maximum) or refuse it with the reason; flushes.

    The hot path: qualification before the lock (it reads only the bidder's own facts), and an
    amount the committed state already refuses is refused there too; then one locking read, the
    proxy rule on the two best maximums kept on the row, and the writes (bid, row, participant,
    audit entry, outbox event) in one statement (``auction_writes``); the outbid notice is written
    by the outbox handler after the commit. ``seen``: the auction with its listing as this request
    read it from the database a moment ago (a committed state: the early refusal may use it).
    """
    facts = qualification.facts_now()
    kept = committed.newest(auction_id, facts)
    if kept is not None and qualification.known_qualified(kept.listing_id, bidder):
        listing_status = kept.listing_status  # (a change of it would have changed the facts version)
    else:
        kept, listing_status = _read_before_the_lock(auction_id, bidder, facts, seen)
    if request is None:  # (a keyed request may be a replay: it is answered under the lock)
        _refuse_early(kept, bidder, amount)
        hold_auction_gate(auction_id)  # one bid of this process at a time waits for the row lock
        _refuse_early(committed.newest(auction_id, facts), bidder, amount)  # what the last one left
    auction = lock_auction(auction_id)
    rules = kept.rules if kept is not None else None  # (a change of the rules changes the facts)
    committed.keep(committed.of(auction, listing_status, rules), facts)
    with bid_writes(db.session.connection()):  # what follows writes only the bid: facts stay
        result = _place_locked_bid(auction, listing_status, bidder, amount, request)
    committed.written(db.session(), committed.of(auction, listing_status, rules), facts)
    return result


def _read_before_the_lock(
    auction_id: int, bidder: User, facts: str | None, seen: Auction | None
) -> tuple[committed.Committed | None, str]:
    """The committed auction (or the one the request read a moment ago), kept, with its listing's
    status; the bidder's qualification checked (once per facts version)."""
    if seen is not None and seen.id == auction_id:
        auction, listing_status = seen, seen.listing.status
    else:
        found = db.session.execute(_BEFORE_THE_LOCK, {"auction_id": auction_id}).one_or_none()
        if found is None:
            raise NotFound(_("There is no such auction."))
        auction, listing_status = found
    _require_qualified_once(auction, bidder)  # before the lock: it only reads the bidder's own facts
    state = committed.of(auction, listing_status)
    committed.keep(state, facts)
    return state, listing_status


# The committed auction with its listing's status only (the listing row is ~240 columns wide).
_BEFORE_THE_LOCK = (
    select(Auction, Listing.status)
    .join(Listing, Listing.id == Auction.listing_id)
    .where(Auction.id == bindparam("auction_id"))
    .execution_options(populate_existing=True)
)


def _place_locked_bid(
    auction: Auction, listing_status: str, bidder: User, amount: Money, request: BidRequestKey | None
) -> BidResult:
    if request is not None:
        replay = _earlier_request(auction, bidder, request)
        if replay is not None:
            return replay
    now = clock.now()
    _require_open(auction, listing_status, now)
    if amount.currency != auction.currency:
        raise BidRefused(
            "currency",
            _("Bid in %(currency)s.", currency=auction.currency),
            auction.money(auction.start_price),
        )
    top = podium(auction)
    standing = standing_bids(auction) if top is None else top
    try:
        after = engine.check_bid(auction.rules, standing, bidder.id, amount.amount)
    except engine.BidRejected as rejected:
        raise _refuse_amount(auction.currency, rejected) from None
    before_leader = auction.leader_id
    if top is not None and auction.status != states.SCHEDULED:
        bid, extended = writes.write_english_bid(auction, bidder, amount.amount, top, after, now)
    else:  # sealed, a first bid that opens the auction, or a row that must be recomputed
        bid = _record_bid(auction, bidder, amount.amount, standing, after, now, incremental=top is not None)
        if auction.status == states.SCHEDULED:
            apply_transition(
                states.AUCTION_LIFECYCLE, auction, "open", actor=bidder, details={"first_bid": bid.seq}
            )
        writes.stream_append(auction, "auction.bid", bidder.id, writes.bid_payload(bid), now)
        extended = _soft_close(auction, bid, now)
        if auction.kind == engine.ENGLISH and before_leader not in (None, auction.leader_id):
            notices.outbid_later(auction, before_leader, bid.seq)
    if request is not None:
        db.session.add(
            AuctionBidRequest(
                user_id=bidder.id,
                key=request.key,
                auction_id=auction.id,
                fingerprint=request.fingerprint,
                bid_id=bid.id,
                created_at=now,
            )
        )
    db.session.flush()
    return BidResult(bid, auction, engine.position(after, bidder.id, True), extended)


def _record_bid(
    auction: Auction,
    bidder: User,
    amount: Decimal,
    standing: list[engine.Bid],
    after: engine.State,
    now: dt.datetime,
    incremental: bool,
) -> AuctionBid:
    seq = auction.last_seq + 1
    new_bidder = _set_standing(auction, bidder, amount, seq, now)  # first: its UPDATE autoflushes
    auction.last_seq = seq
    bid = AuctionBid(
        auction_id=auction.id,
        bidder_id=bidder.id,
        seq=seq,
        amount=amount,
        price_after=after.price if auction.kind == engine.ENGLISH else None,
        leader_after_id=after.leader if auction.kind == engine.ENGLISH else None,
        placed_at=now,
    )
    db.session.add(bid)
    ranked = engine.ranked(auction.rules, [*standing, engine.Bid(bidder.id, amount, bid.seq)])
    if incremental:  # the engine saw only the podium: the bidder count comes from the row
        after = dataclasses.replace(after, bidder_count=auction.bidder_count + new_bidder)
    auction.bid_count += 1
    store_state(auction, after, ranked)
    return bid


def _set_standing(auction: Auction, bidder: User, amount: Decimal, seq: int, now: dt.datetime) -> bool:
    """The bidder's standing bid becomes this one; True when they had none (a new or struck bidder)."""
    moved = db.session.execute(
        update(AuctionParticipant)
        .where(
            AuctionParticipant.auction_id == auction.id,
            AuctionParticipant.user_id == bidder.id,
            AuctionParticipant.standing_amount.is_not(None),
        )
        .values(standing_amount=amount, standing_seq=seq)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved:
        return False
    writes.add_participant(auction, bidder, amount, seq, now)
    return True


def _soft_close(auction: Auction, bid: AuctionBid, now: dt.datetime) -> bool:
    if auction.kind == engine.SEALED:  # an extension would tell every bidder that someone bid late
        return False
    window = dt.timedelta(minutes=auction.soft_close_minutes)
    new_end = engine.extended_end(auction.ends_at, auction.hard_end_at, now, window)
    if new_end == auction.ends_at:
        return False
    extension = AuctionExtension(
        auction_id=auction.id, bid_id=bid.id, old_ends_at=auction.ends_at, new_ends_at=new_end, created_at=now
    )
    db.session.add(extension)
    payload = writes.extend_payload(bid.seq, auction.ends_at, new_end)
    writes.stream_append(auction, "auction.extend", bid.bidder_id, payload, now)
    auction.ends_at = new_end
    return True


def _earlier_request(auction: Auction, bidder: User, request: BidRequestKey) -> BidResult | None:
    """Under the lock: the result of an earlier request with this key, or None for a first request."""
    earlier = db.session.scalar(
        select(AuctionBidRequest).where(
            AuctionBidRequest.user_id == bidder.id, AuctionBidRequest.key == request.key
        )
    )
    if earlier is None:
        return None
    if earlier.fingerprint != request.fingerprint or earlier.auction_id != auction.id:
        raise KeyReused()
    bid = db.session.get(AuctionBid, earlier.bid_id)
    return BidResult(bid, auction, "", False, replayed=earlier)


# ---- closing ---------------------------------------------------------------------------------------


def _claim_close(auction_id: int, now: dt.datetime) -> bool:
    """The conditional UPDATE only one closer can win: the auction is live, ended, not yet claimed."""
    begin_write_transaction()
    result = db.session.execute(
        update(Auction)
        .where(
            Auction.id == auction_id,
            Auction.closed_at.is_(None),
            Auction.status.in_(states.LIVE_STATUSES),
            Auction.ends_at <= now,
        )
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def close_auction(auction_id: int, actor: User) -> Auction | None:
    """Close an ended auction once: award (deal at the hammer price), reserve not met, or no bids.

    Returns None when there is nothing to do (not ended, or closed already by someone else).
    """
    now = clock.now()
    if not _claim_close(auction_id, now):
        return None
    auction = lock_auction(auction_id)
    result = engine.outcome(auction.rules, standing_bids(auction))
    auction.winner_id, auction.hammer_price = result.winner, result.price
    if result.result == engine.NO_BIDS:
        apply_transition(states.AUCTION_LIFECYCLE, auction, "close_empty", actor=actor)
    elif result.result == engine.RESERVE_NOT_MET:
        apply_transition(
            states.AUCTION_LIFECYCLE, auction, "fail_reserve", actor=actor, details=_outcome_details(auction)
        )
    else:
        apply_transition(
            states.AUCTION_LIFECYCLE, auction, "award", actor=actor, details=_outcome_details(auction)
        )
        _create_deal(auction, actor)
    notices.closed(auction)
    db.session.flush()
    return auction


def _outcome_details(auction: Auction) -> dict:
    return {
        "winner_id": auction.winner_id,
        "hammer_price": str(auction.hammer_price),
        "currency": auction.currency,
        **_bid_log_seal(auction),
    }


def _bid_log_seal(auction: Auction) -> dict:
    """The auction's audit stream's final head, sealed into the global chain when it ends."""
    return {"bid_log": {"seq": auction.audit_seq, "hash": auction.audit_head}} if auction.audit_seq else {}


def _create_deal(auction: Auction, actor: User) -> None:
    """The deal at the hammer price on the listing's own terms (it also reserves the listing)."""
    from app.market.deal_services import create_deal

    listing = auction.listing
    deal = create_deal(
        listing=listing,
        buyer=db.session.get(User, auction.winner_id),
        terms=listing.terms_snapshot(),
        price=auction.money(auction.hammer_price),
        origin="auction",
        actor=actor,
    )
    auction.deal_id = deal.id


def cancel_auction(auction_id: int, actor: User, reason: str) -> Auction:
    """An administrator stops a scheduled or open auction before its end; bidders, watchers and the
    seller are told why. Bids stay in the log; no deal is made."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only an administrator may cancel an auction."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _("Give the reason for the cancellation.")})
    auction = lock_auction(auction_id)
    now = clock.now()
    if auction.status in states.LIVE_STATUSES and now >= auction.ends_at:
        raise Conflict(_("The auction has ended and is being closed; it can no longer be cancelled."))
    apply_transition(
        states.AUCTION_LIFECYCLE,
        auction,
        "cancel",
        actor=actor,
        reason=reason[:1000],
        details={
            "bid_count": auction.bid_count,
            "price": None if auction.current_price is None else str(auction.current_price),
            **_bid_log_seal(auction),
        },
    )
    auction.closed_at = now  # no close can claim it any more
    notices.cancelled(auction, reason[:1000])
    db.session.flush()
    return auction


def second_chance_offer(auction_id: int, actor: User, price: Money, message: str | None = None):
    """Reserve not met: the seller offers the top bidder a deal through the negotiation (an Offer)."""
    from app.market.offer_services import make_offer

    auction = lock_auction(auction_id)
    if not is_seller(actor, auction.listing):
        raise PermissionDenied(_("Only the seller may make a second-chance offer."))
    states.AUCTION_LIFECYCLE.next_status(auction.status, "second_chance")  # 409 naming the status
    offer = make_offer(
        listing=auction.listing,
        buyer=db.session.get(User, auction.winner_id),
        price=price,
        actor=actor,
        message=message,
        second_chance=True,
    )
    apply_transition(
        states.AUCTION_LIFECYCLE,
        auction,
        "second_chance",
        actor=actor,
        details={"offer_id": offer.id, "price": str(offer.price_amount), "currency": offer.currency},
    )
    return offer


def due_auction_ids(now: dt.datetime) -> list[int]:
    return list(
        db.session.scalars(
            select(Auction.id)
            .where(Auction.status.in_(states.LIVE_STATUSES), Auction.ends_at <= now)
            .order_by(Auction.ends_at)
        )
    )


def needs_closing(auction: Auction) -> bool:
    """Ended but not yet closed: a view enqueues the close (a GET itself never writes)."""
    return auction.status in states.LIVE_STATUSES and clock.now() >= auction.ends_at
