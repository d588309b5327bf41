"""Auction deposits: required before bidding, released or refunded to the others at the close,
credited to the winner's payment, forfeited by a winner who does not pay in time. Flush, never commit.

Cards: a manual-capture PaymentIntent (a hold) when the auction ends within the card-hold window,
otherwise charged at once and refunded later. Bank transfer: the bidder quotes our reference and an
administrator records the receipt (and, for the others, the refund). Money enters the ledger only
when it moves (a hold is not money received); every movement is balanced and keyed on our record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.permissions import is_admin
from app.core.clock import clock
from app.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from app.core.i18n import format_money_exact
from app.core.lifecycle import apply_transition
from app.core.money import Money, MoneyError, parse_money
from app.core.page_cache import versioned_memo
from app.extensions import db
from app.market import auction_states
from app.market.auction_models import Auction
from app.market.listing_services import can_manage
from app.market.qualification import Qualification, bidder_qualification, register_check
from app.payments import deposit_notices as notices
from app.payments import deposit_states as ds
from app.payments import fee_schedule, ledger, stripe_api
from app.payments.bank import bank_reference_message, clean_bank_reference
from app.payments.deposit_models import AuctionDeposit, AuctionDepositTerms
from app.payments.errors import CardDeclined, ProviderUnavailable
from app.payments.providers import OfflineProvider, default_provider_name

CARD_HOLD_WINDOW = dt.timedelta(days=7)  # card holds last about 7 days: longer auctions are charged
DEFAULT_PAYMENT_DAYS = 10
MAX_PAYMENT_DAYS = 90


class DepositInvalid(DomainError):
    status_code = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, {field: message})


# ---- the auction's requirement ---------------------------------------------------------------------


def terms_for(auction: Auction) -> AuctionDepositTerms | None:
    return db.session.scalar(select(AuctionDepositTerms).where(AuctionDepositTerms.auction_id == auction.id))


@dataclass(frozen=True)
class ShownTerms:
    amount: Decimal
    currency: str


def shown_terms(auction: Auction) -> ShownTerms | None:
    """The deposit as the auction panel shows it to every viewer: read once per data version."""

    def read() -> ShownTerms | None:
        terms = terms_for(auction)
        return ShownTerms(terms.amount, terms.currency) if terms else None

    return versioned_memo("payments.deposit_terms", (auction.id,), read)


def set_terms(auction: Auction, actor, amount: Money | None, payment_days: int | None) -> None:
    """Require a deposit (or none) for bidding; only while the auction has no bids."""
    if not can_manage(actor, auction.listing):
        raise PermissionDenied(_("Only the seller or an administrator may set up this auction."))
    terms = terms_for(auction)
    if amount is None:
        if terms is not None:
            _require_no_bids(auction)
            db.session.delete(terms)
            db.session.flush()
        return
    _check_terms(auction, amount, payment_days)
    _require_no_bids(auction)
    terms = terms or AuctionDepositTerms(auction_id=auction.id)
    terms.amount, terms.currency = amount.amount, amount.currency
    terms.payment_days = payment_days or DEFAULT_PAYMENT_DAYS
    db.session.add(terms)
    db.session.flush()


def _require_no_bids(auction: Auction) -> None:
    if auction.status != auction_states.SCHEDULED or auction.last_seq:
        raise Conflict(_("The auction has started: its settings can no longer change."))


def _check_terms(auction: Auction, amount: Money, payment_days: int | None) -> None:
    if amount.currency != auction.currency:
        raise DepositInvalid(
            "deposit", _("Use the listing's currency, %(currency)s.", currency=auction.currency)
        )
    if amount.amount <= 0:
        raise DepositInvalid("deposit", _("Enter a positive amount."))
    if amount.amount >= auction.start_price:
        raise DepositInvalid("deposit", _("The deposit must be below the start price."))
    if payment_days is not None and not 1 <= payment_days <= MAX_PAYMENT_DAYS:
        raise DepositInvalid("payment_days", _("Enter between 1 and 90 days."))


def read_amount(text: str | None, currency: str) -> Money | None:
    """The deposit typed on the auction form, or None when left empty."""
    if not (text or "").strip():
        return None
    try:
        return parse_money(text, currency)
    except MoneyError as error:
        raise DepositInvalid("deposit", error.message) from None


# ---- qualification -----------------------------------------------------------------------------------


def deposit_of(auction: Auction, user) -> AuctionDeposit | None:
    """The bidder's live deposit for this auction (never more than one)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(AuctionDeposit).where(
            AuctionDeposit.auction_id == auction.id,
            AuctionDeposit.bidder_id == user.id,
            AuctionDeposit.status.in_(ds.LIVE),
        )
    )


def deposit_path(auction: Auction) -> str:
    return f"/payments/auctions/{auction.id}/deposit"  # a plain path: also used outside requests


@register_check
def deposit_held(listing, user) -> Qualification | None:
    """Registered with the auction's qualification: a held deposit where the auction requires one."""
    row = db.session.execute(  # one read on every bid: the requirement with its auction
        select(AuctionDepositTerms, Auction)
        .join(Auction, Auction.id == AuctionDepositTerms.auction_id)
        .where(Auction.listing_id == listing.id)
    ).first()
    if row is None:
        return None
    terms, auction = row
    deposit = deposit_of(auction, user)
    if deposit is not None and deposit.status == ds.HELD:
        return None
    return Qualification(
        False,
        "deposit",
        _(
            "This auction requires a deposit of %(amount)s before bidding.",
            amount=format_money_exact(terms.amount, terms.currency),
        ),
        _("Pay the deposit; it is released or refunded if you do not win."),
        link=deposit_path(auction),
        link_label=_("Pay the deposit"),
    )


# ---- paying it ---------------------------------------------------------------------------------------


def start_deposit(auction: Auction, actor, provider_name: str | None = None) -> AuctionDeposit:
    """The bidder starts paying the deposit; an open one is resumed rather than doubled."""
    terms = terms_for(auction)
    if terms is None:
        raise Conflict(_("This auction does not require a deposit."))
    verdict = bidder_qualification(auction.listing, actor)
    if not verdict.ok and verdict.code != "deposit":
        raise PermissionDenied(f"{verdict.reason} {verdict.remedy}".strip())
    if auction.is_closed or clock.now() >= auction.ends_at:
        raise Conflict(_("The auction has ended."))
    current = deposit_of(auction, actor)
    if current is not None:
        if current.status in ds.OPEN:
            return current
        raise Conflict(_("Your deposit for this auction is already paid."))
    attempts = db.session.scalar(
        select(db.func.count(AuctionDeposit.id)).where(
            AuctionDeposit.auction_id == auction.id, AuctionDeposit.bidder_id == actor.id
        )
    )
    provider = provider_name or default_provider_name()
    deposit = AuctionDeposit(
        auction_id=auction.id,
        bidder_id=actor.id,
        provider=provider,
        status=ds.REQUIRES_PAYMENT,
        amount=terms.amount,
        currency=terms.currency,
        capture_method=_capture_method(auction) if provider == "stripe" else None,
        captured=False,
        reference=f"DEP-{auction.id:06d}-{actor.id:06d}-{attempts + 1:02d}",
    )
    db.session.add(deposit)
    db.session.flush()
    if provider == "stripe":
        metadata = {"deposit_reference": deposit.reference, "auction_id": str(auction.id)}
        intent = stripe_api.create_intent(
            deposit.money.to_minor_units(),
            deposit.currency,
            metadata,
            deposit.idempotency_key("create"),
            capture_method=deposit.capture_method,
        )
        deposit.provider_ref = intent["id"]
        db.session.flush()
    return deposit


def _capture_method(auction: Auction) -> str:
    """A hold when the auction (at its latest close) ends within the card-hold window."""
    return "manual" if auction.hard_end_at - clock.now() <= CARD_HOLD_WINDOW else "automatic"


def instructions(deposit: AuctionDeposit) -> dict:
    """Bank-transfer details for an offline deposit (same bank account, our deposit reference)."""
    details = OfflineProvider().instructions(_AsPayment(deposit))
    details["amount"] = deposit.money.to_json()
    return details


class _AsPayment:
    def __init__(self, deposit: AuctionDeposit) -> None:
        self.reference, self.due = deposit.reference, deposit.money


def confirm_deposit(deposit: AuctionDeposit, actor, method: str) -> AuctionDeposit:
    """Server-side confirmation of the card the bidder chose; the provider decides."""
    if deposit.bidder_id != actor.id:
        raise PermissionDenied(_("Only the bidder pays this deposit."))
    if deposit.status not in ds.OPEN or deposit.provider != "stripe":
        raise Conflict(_("This payment is no longer open."))
    key = deposit.idempotency_key(f"confirm-{method}")
    try:
        intent = stripe_api.confirm_intent(deposit.provider_ref, method, key)
    except CardDeclined:
        intent = stripe_api.retrieve_intent(deposit.provider_ref)
    _follow(deposit, intent, actor)
    return deposit


def client_secret(deposit: AuctionDeposit) -> str | None:
    """For Stripe.js on the deposit page (a read); None when the provider does not answer."""
    try:
        return stripe_api.retrieve_intent(deposit.provider_ref).get("client_secret")
    except ProviderUnavailable:
        return None


def sync_deposit(deposit: AuctionDeposit, actor) -> AuctionDeposit:
    """Re-fetch the provider's view (after 3-D Secure, or from a webhook) and follow it."""
    if deposit.provider == "stripe" and deposit.provider_ref:
        _follow(deposit, stripe_api.retrieve_intent(deposit.provider_ref), actor)
    return deposit


def _follow(deposit: AuctionDeposit, intent: dict, actor) -> None:
    status = intent["status"]
    if deposit.status not in ds.OPEN:
        return
    if status in ("requires_capture", "succeeded"):
        apply_transition(ds.DEPOSIT_LIFECYCLE, deposit, "hold", actor=actor, reason=deposit.provider_ref,
                         details={"amount": str(deposit.amount), "currency": deposit.currency,
                                  "capture": deposit.capture_method})  # fmt: skip
        if status == "succeeded":
            _captured(deposit)
        notices.tell_bidder(deposit, "deposit_held")
    elif status == "requires_action" and deposit.status != ds.REQUIRES_ACTION:
        apply_transition(ds.DEPOSIT_LIFECYCLE, deposit, "require_action", actor=actor)
    elif status == "requires_payment_method" and intent.get("last_payment_error"):
        apply_transition(ds.DEPOSIT_LIFECYCLE, deposit, "fail", actor=actor)
    elif status == "canceled":
        apply_transition(ds.DEPOSIT_LIFECYCLE, deposit, "cancel", actor=actor)


def _captured(deposit: AuctionDeposit) -> None:
    """The money moved: bidder -> platform hold, once."""
    deposit.captured = True
    ledger.post_scoped("receipt", f"deposit-{deposit.id}-receipt",
                       {"buyer": -deposit.money, "hold": deposit.money}, deposit_id=deposit.id)  # fmt: skip


def _require_admin(actor) -> None:
    if not is_admin(actor):
        raise PermissionDenied(_("Only an administrator may record payments, payouts and refunds."))


def _bank_reference(value: str | None) -> str:
    text = clean_bank_reference(value)
    if text is None:
        raise DepositInvalid("bank_reference", bank_reference_message())
    return text


def record_receipt(deposit: AuctionDeposit, actor, bank_reference: str, amount) -> AuctionDeposit:
    """An administrator saw the bidder's bank transfer of the deposit arrive in full."""
    _require_admin(actor)
    reference = _bank_reference(bank_reference)
    try:
        received = parse_money(amount, deposit.currency)
    except MoneyError as error:
        raise DepositInvalid("amount", error.message) from None
    if deposit.provider != "offline":
        raise Conflict(_("Card payments are confirmed by the provider, not recorded by hand."))
    if received != deposit.money:
        raise DepositInvalid("amount", _("The transfer must match the amount due exactly."))
    ds.DEPOSIT_LIFECYCLE.next_status(deposit.status, "hold")
    deposit.received_reference = reference
    apply_transition(ds.DEPOSIT_LIFECYCLE, deposit, "hold", actor=actor, reason=reference,
                     details={"amount": str(deposit.amount), "currency": deposit.currency})  # fmt: skip
    _captured(deposit)
    notices.tell_bidder(deposit, "deposit_held")
    return deposit


def record_refund(deposit: AuctionDeposit, actor, bank_reference: str) -> AuctionDeposit:
    """An administrator sent a bank-transfer deposit back to a bidder who did not win."""
    _require_admin(actor)
    reference = _bank_reference(bank_reference)
    if deposit.provider != "offline":
        raise Conflict(_("Card deposits are released or refunded automatically at the close."))
    if not returnable(deposit):
        raise Conflict(_("This deposit is not due back: the auction is open or the bidder won it."))
    _refund(deposit, actor, reference)
    return deposit


def returnable(deposit: AuctionDeposit) -> bool:
    auction = deposit.auction
    if deposit.status != ds.HELD or not auction.is_closed and auction.status != auction_states.CANCELLED:
        return False
    return not (auction.status == auction_states.AWARDED and deposit.bidder_id == auction.winner_id)


def _refund(deposit: AuctionDeposit, actor, reference: str | None) -> None:
    ds.DEPOSIT_LIFECYCLE.next_status(deposit.status, "refund")
    if deposit.provider == "stripe":
        refund = stripe_api.create_refund(
            deposit.provider_ref, deposit.money.to_minor_units(), deposit.idempotency_key("refund")
        )
        reference = refund["id"]
    deposit.refund_reference = reference
    ledger.post_scoped("refund", f"deposit-{deposit.id}-refund",
                       {"hold": -deposit.money, "buyer": deposit.money}, deposit_id=deposit.id)  # fmt: skip
    apply_transition(ds.DEPOSIT_LIFECYCLE, deposit, "refund", actor=actor, reason=reference,
                     details={"amount": str(deposit.amount), "currency": deposit.currency})  # fmt: skip
    notices.tell_bidder(deposit, "deposit_returned")


# ---- the close -----------------------------------------------------------------------------------------


def settle(deposit: AuctionDeposit, actor) -> str | None:
    """After the close: release or refund a loser's deposit; capture the winner's hold. Idempotent."""
    auction = deposit.auction
    if deposit.status != ds.HELD or auction.status in auction_states.LIVE_STATUSES:
        return None
    if not returnable(deposit):
        if not deposit.captured:
            _capture(deposit)
            return "captured"
        return None
    if deposit.provider == "offline":
        return None  # an administrator sends the bank refund and records it
    if not deposit.captured:
        stripe_api.cancel_intent(deposit.provider_ref, deposit.idempotency_key("release"))
        apply_transition(ds.DEPOSIT_LIFECYCLE, deposit, "release", actor=actor, reason=deposit.provider_ref)
        notices.tell_bidder(deposit, "deposit_returned")
        return "released"
    _refund(deposit, actor, None)
    return "refunded"


def _capture(deposit: AuctionDeposit) -> None:
    intent = stripe_api.capture_intent(deposit.provider_ref, deposit.idempotency_key("capture"))
    if intent["status"] != "succeeded":
        raise Conflict(_("The card hold could not be captured; check it with the provider."))
    _captured(deposit)


def unsettled_ids() -> list[int]:
    """Held deposits of auctions that are no longer live (the tick settles them)."""
    return list(
        db.session.scalars(
            select(AuctionDeposit.id)
            .join(Auction, Auction.id == AuctionDeposit.auction_id)
            .where(AuctionDeposit.status == ds.HELD, Auction.status.not_in(auction_states.LIVE_STATUSES))
            .order_by(AuctionDeposit.id)
        )
    )


# ---- the winner's deal -----------------------------------------------------------------------------------


def _winner_deposit(deal) -> AuctionDeposit | None:
    auction = db.session.scalar(select(Auction).where(Auction.deal_id == deal.id))
    if auction is None:
        return None
    deposit = deposit_of(auction, deal.buyer)
    return deposit if deposit is not None and deposit.status == ds.HELD else None


def credit_for_deal(deal, actor) -> Money:
    """The winner's held deposit that counts towards this deal's price (captured now if a hold)."""
    deposit = _winner_deposit(deal)
    if deposit is None or deposit.currency != deal.currency or deposit.amount >= deal.price_amount:
        return Money(Decimal(0), deal.currency)
    if not deposit.captured:
        _capture(deposit)
    return deposit.money


def credit_to_payment(payment, actor) -> None:
    """The winner's payment succeeded: the deposit moves from its own hold into the deal's."""
    deposit = _winner_deposit(payment.deal)
    if deposit is None or deposit.money != Money(payment.deposit_credit, payment.currency):
        raise Conflict(_("The deposit counted towards this payment is no longer held; check it."))
    money = deposit.money
    ledger.post_scoped("credit", f"deposit-{deposit.id}-credit-out",
                       {"hold": -money, "buyer": money}, deposit_id=deposit.id)  # fmt: skip
    ledger.post_scoped("credit", f"deposit-{deposit.id}-credit-in", {"buyer": -money, "hold": money},
                       deal_id=payment.deal_id, payment_id=payment.id)  # fmt: skip
    deposit.credited_payment_id = payment.id
    apply_transition(ds.DEPOSIT_LIFECYCLE, deposit, "credit", actor=actor, reason=payment.reference,
                     details={"payment": payment.reference, "amount": str(money.amount)})  # fmt: skip


def payment_deadline(deposit: AuctionDeposit) -> dt.datetime | None:
    auction = deposit.auction
    terms = terms_for(auction)
    if auction.closed_at is None or terms is None:
        return None
    return auction.closed_at + dt.timedelta(days=terms.payment_days)


def forfeit_if_overdue(deposit: AuctionDeposit, actor) -> bool:
    """A winner who did not pay the deal within the deadline forfeits the deposit (seller/fee split)."""
    from app.market import deal_states
    from app.market.deal_models import Deal

    auction = deposit.auction
    deadline = payment_deadline(deposit)
    if deposit.status != ds.HELD or auction.status != auction_states.AWARDED or deadline is None:
        return False
    if deposit.bidder_id != auction.winner_id or clock.now() < deadline or not deposit.captured:
        return False
    deal = db.session.get(Deal, auction.deal_id) if auction.deal_id else None
    if deal is not None and deal.money_status != deal_states.UNPAID:
        return False
    listing = auction.listing
    quote = fee_schedule.quote(deposit.money, listing.right_type, listing.price_mechanism)
    reason = _(
        "The winner did not pay within %(days)d days of the award.", days=terms_for(auction).payment_days
    )
    deposit.forfeit_reason = reason
    # The fee is the platform's now; the seller's share stays held until its payouts land.
    ledger.post_scoped("forfeit", f"deposit-{deposit.id}-forfeit", {"hold": -quote.fee, "fee": quote.fee},
                       deposit_id=deposit.id)  # fmt: skip
    apply_transition(ds.DEPOSIT_LIFECYCLE, deposit, "forfeit", actor=actor, reason=reason,
                     details={"seller": str(quote.seller_receives.amount), "fee": str(quote.fee.amount),
                              "fee_schedule_version": quote.terms.version,
                              "deadline": deadline.isoformat()})  # fmt: skip
    notices.forfeited(deposit)
    pay_out_forfeit(deposit, quote.seller_receives, actor)
    return True


def pay_out_forfeit(deposit: AuctionDeposit, share: Money, actor) -> list:
    """Route the seller's share of a forfeited deposit through the payouts (idempotent): Connect
    transfers go now, offline ones wait for an administrator's bank transfer, like a deal's."""
    from app.payments import payouts  # payouts build on the deal side; imported when needed

    created = payouts.create_deposit_payouts(deposit, share, actor)
    for payout in created:
        payouts.send_payout(payout, actor)
    return created


def pay_out_earlier_forfeits(actor) -> int:
    """Deposits forfeited before the share went through payouts had it written straight to the
    ledger's seller account and never sent: a correcting entry puts it back in the hold, then it is
    paid out like a new forfeit. Idempotent: a deposit with payouts is left alone."""
    from app.payments import payouts
    from app.payments.models import LedgerEntry

    forfeited = db.session.scalars(
        select(AuctionDeposit).where(AuctionDeposit.status == ds.FORFEITED).order_by(AuctionDeposit.id)
    )
    repaired = 0
    for deposit in list(forfeited):
        if payouts.deposit_payouts(deposit):
            continue
        credited = db.session.scalars(
            select(LedgerEntry.amount).where(
                LedgerEntry.deposit_id == deposit.id, LedgerEntry.account == "seller"
            )
        ).all()
        share = Money(sum(credited, Decimal(0)), deposit.currency)
        if share.amount <= 0:
            continue
        ledger.post_scoped("forfeit", f"deposit-{deposit.id}-forfeit-to-payouts", {"seller": -share, "hold": share},
                           deposit_id=deposit.id)  # fmt: skip
        pay_out_forfeit(deposit, share, actor)
        repaired += 1
    return repaired


def deposit_by_provider_ref(provider_ref: str) -> AuctionDeposit | None:
    return db.session.scalar(
        select(AuctionDeposit).where(
            AuctionDeposit.provider == "stripe", AuctionDeposit.provider_ref == provider_ref
        )
    )


def get_deposit(deposit_id: int) -> AuctionDeposit:
    deposit = db.session.get(AuctionDeposit, deposit_id)
    if deposit is None:
        raise NotFound(_("There is no such deposit."))
    return deposit
