"""Payouts of a deal's seller share after registration: Connect transfers per recipient, split
between the seller, co-owners and a broker, and transfer reversals when a refund follows.

Services flush, never commit. A provider that fails or does not answer leaves the payout where it
was (with the attempt and the reason recorded); the next try sends the same idempotency key, derived
from our payout record, so the provider moves the money once.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.permissions import is_admin
from app.core.audit_chain import chain_append
from app.core.errors import Conflict, DomainError, PermissionDenied
from app.core.lifecycle import apply_transition
from app.core.money import Money
from app.extensions import db
from app.market import deal_services, deal_states
from app.payments import connect, ledger, stripe_api
from app.payments import payout_states as ps
from app.payments import states as st
from app.payments.bank import bank_reference_message, clean_bank_reference
from app.payments.errors import ProviderRefused, ProviderUnavailable
from app.payments.models import Payment
from app.payments.payout_models import Payout, PayoutShare
from app.payments.payout_notices import notify_payout
from app.payments.payout_split import fee_take_back, split_proceeds, split_take_back

PAYOUT_DEAL_STATUSES = (deal_states.REGISTERED, deal_states.COMPLETED)
CONNECT_PROVIDERS = ("stripe",)  # providers whose payouts are sent automatically


def transfer_group(deal_id: int) -> str:
    """The one group that links a deal's PaymentIntent and all its transfers at the provider."""
    return f"ipex-deal-{deal_id:06d}"


# ---- split shares ----------------------------------------------------------------------------------


def shares_of(deal) -> list[PayoutShare]:
    return list(db.session.scalars(select(PayoutShare).where(PayoutShare.deal_id == deal.id)))


def set_shares(deal, actor, shares: list[dict]) -> list[PayoutShare]:
    """The seller (or an administrator) names co-owners and a broker with their percentages."""
    if deal_services.party_side(actor, deal) != "seller" and not is_admin(actor):
        raise PermissionDenied(_("Only the seller decides how the proceeds are split."))
    if db.session.scalar(select(Payout.id).where(Payout.deal_id == deal.id).limit(1)) is not None:
        raise Conflict(_("The payouts were already made: the split can no longer change."))
    rows, total = [], Decimal(0)
    for item in shares:
        percent = Decimal(str(item["percent"]))
        user = item["user"]
        if item["role"] not in ("co_owner", "broker") or not Decimal(0) < percent < Decimal(100):
            raise DomainError(_("Each share needs a role (co-owner or broker) and a percentage above 0."))
        if user.id in (deal.seller_id, deal.buyer_id):
            raise DomainError(_("The seller keeps the rest; the buyer cannot share the proceeds."))
        total += percent
        rows.append(PayoutShare(deal_id=deal.id, user_id=user.id, role=item["role"], percent=percent))
    if total >= 100:
        raise DomainError(_("The shares must leave part of the proceeds to the seller."))
    for old in shares_of(deal):
        db.session.delete(old)
    db.session.flush()
    db.session.add_all(rows)
    db.session.flush()
    chain_append("payout.shares", "deals", deal.id, actor,
                 {"shares": [{"user": r.user_id, "role": r.role, "percent": str(r.percent)} for r in rows]})  # fmt: skip
    return rows


# ---- creating and sending payouts --------------------------------------------------------------


def payouts_of(payment: Payment) -> list[Payout]:
    return list(db.session.scalars(select(Payout).where(Payout.payment_id == payment.id).order_by(Payout.id)))


def create_payouts(payment: Payment, actor) -> list[Payout]:
    """One payout per recipient once the deal is registered and the money held; idempotent."""
    existing = payouts_of(payment)
    if existing:
        return existing
    if payment.deal.status not in PAYOUT_DEAL_STATUSES:
        raise Conflict(_("The money is held until registration: record the registration first."))
    if payment.status != st.SUCCEEDED:
        raise Conflict(_("Only money received and held can be paid out."))
    deal = payment.deal
    return _split_into_payouts(
        payment.money - payment.fee, shares_of(deal), deal.seller_id, actor,
        source={"payment_id": payment.id}, audit=("payments", payment.id), reference=payment.reference,
        provider=payment.provider, deal_id=deal.id, group=transfer_group(deal.id),
    )  # fmt: skip


def deposit_payouts(deposit) -> list[Payout]:
    return list(db.session.scalars(select(Payout).where(Payout.deposit_id == deposit.id).order_by(Payout.id)))


def create_deposit_payouts(deposit, share: Money, actor) -> list[Payout]:
    """The seller's share of a forfeited auction deposit, one payout per recipient (the deal's split
    when the award made a deal); idempotent. The share stays in the hold until each payout lands."""
    existing = deposit_payouts(deposit)
    if existing:
        return existing
    auction = deposit.auction
    deal_id = auction.deal_id
    shares = (
        list(db.session.scalars(select(PayoutShare).where(PayoutShare.deal_id == deal_id))) if deal_id else []
    )
    return _split_into_payouts(
        share, shares, auction.listing.seller_id, actor,
        source={"deposit_id": deposit.id}, audit=("auction_deposits", deposit.id), reference=deposit.reference,
        provider=deposit.provider, deal_id=deal_id,
        group=transfer_group(deal_id) if deal_id else f"ipex-auction-{auction.id:06d}",
    )  # fmt: skip


def _split_into_payouts(
    money: Money,
    shares: list[PayoutShare],
    seller_id: int,
    actor,
    *,
    source: dict,
    audit: tuple[str, int],
    reference: str,
    provider: str,
    deal_id: int | None,
    group: str,
) -> list[Payout]:
    """Pending payouts of ``money`` split by the shares (the rest to the seller), audited as one entry.

    ``source`` names what the money came from (a payment or a deposit); each payout's reference is the
    source's reference with its number.
    """
    roles = {s.user_id: s.role for s in shares}
    parts = split_proceeds(money, {s.user_id: s.percent for s in shares}, seller_id)
    payouts = [
        Payout(
            **source, deal_id=deal_id, recipient_id=user_id, role=roles.get(user_id, "seller"), provider=provider,
            status=ps.PENDING, amount=part.amount, currency=part.currency, reversed_amount=Decimal(0),
            reference=f"{reference}-P{number}", transfer_group=group,
        )
        for number, (user_id, part) in enumerate(parts.items(), start=1)
        if part.amount > 0
    ]  # fmt: skip
    db.session.add_all(payouts)
    db.session.flush()
    chain_append("payout.create", *audit, actor,
                 {"payouts": [{"reference": p.reference, "recipient": p.recipient_id, "amount": str(p.amount)}
                              for p in payouts]})  # fmt: skip
    return payouts


def send_payout(payout: Payout, actor) -> Payout:
    """Send one payout, or say why it waits; a provider failure is recorded, never half-applied."""
    db.session.refresh(
        payout, with_for_update=True
    )  # PostgreSQL: a concurrent sender waits, then sees it sent
    if payout.status not in (ps.PENDING, ps.WAITING):
        return payout
    account = connect.payout_account(payout.recipient, payout.provider)
    if account is None or not account.ready:
        if payout.status == ps.PENDING:
            apply_transition(ps.PAYOUT_LIFECYCLE, payout, "wait", actor=actor,
                             reason="the recipient has not finished setting up a payout account")  # fmt: skip
            notify_payout(payout, "payout_waiting")
        return payout
    if payout.status == ps.WAITING:
        apply_transition(ps.PAYOUT_LIFECYCLE, payout, "resume", actor=actor)
    if payout.provider not in CONNECT_PROVIDERS:
        return payout  # offline: an administrator sends the bank transfer and records it
    payout.attempts += 1
    try:
        transfer = stripe_api.create_transfer(
            payout.money.to_minor_units(),
            payout.currency,
            account.provider_ref,
            payout.transfer_group,
            {"payout_reference": payout.reference, "deal_id": str(payout.deal_id)},
            payout.idempotency_key("transfer"),
        )
    except ProviderUnavailable as error:
        payout.last_error = (error.detail or error.message)[:500]
        db.session.flush()
        return payout
    except ProviderRefused as error:
        payout.last_error = (error.detail or error.message)[:500]
        apply_transition(ps.PAYOUT_LIFECYCLE, payout, "fail", actor=actor, reason=payout.last_error)
        return payout
    _landed(payout, actor, transfer["id"])
    return payout


def _landed(payout: Payout, actor, transfer_id: str) -> None:
    payout.transfer_ref, payout.last_error = transfer_id, None
    details = {"transfer": transfer_id, "amount": str(payout.amount), "currency": payout.currency}
    apply_transition(ps.PAYOUT_LIFECYCLE, payout, "send", actor=actor, details=details)
    legs = {"hold": -payout.money, "seller": payout.money}
    if payout.payment_id is None:  # a forfeited deposit's share leaves the deposit's hold
        ledger.post_scoped("payout", f"payout-{payout.id}", legs, deposit_id=payout.deposit_id)
    else:
        ledger.post(payout.payment, "payout", f"payout-{payout.id}", legs)
    apply_transition(ps.PAYOUT_LIFECYCLE, payout, "land", actor=actor, details=details)
    notify_payout(payout, "payout_paid")
    if payout.payment_id is not None:
        _finish_payment_if_paid_out(payout.payment, actor)


def _finish_payment_if_paid_out(payment: Payment, actor) -> None:
    """All recipients paid: the fee leaves the hold and the payment is paid out."""
    payouts = payouts_of(payment)
    if payment.status != st.SUCCEEDED or any(p.status not in ps.SENT for p in payouts):
        return
    ledger.post(payment, "fee", f"payment-{payment.id}-fee", {"hold": -payment.fee, "fee": payment.fee})
    payment.payout_reference = payment.payout_reference or transfer_group(payment.deal_id)
    apply_transition(st.PAYMENT_LIFECYCLE, payment, "pay_out", actor=actor,
                     details={"payouts": [p.reference for p in payouts], "fee": str(payment.fee_amount)})  # fmt: skip


def start_payouts(deal, actor) -> list[Payout]:
    """After registration: create the deal's payouts and send each that can go (Connect providers)."""
    from app.payments.services import live_payment

    payment = live_payment(deal)
    if payment is None or payment.status != st.SUCCEEDED:
        return []
    if deal.status not in PAYOUT_DEAL_STATUSES:
        return []
    payouts = create_payouts(payment, actor)
    for payout in payouts:
        send_payout(payout, actor)
    return payouts


def record_bank_payout(payout: Payout, actor, bank_reference: str) -> Payout:
    """Offline: an administrator sent this recipient's bank transfer and records its reference."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only an administrator may record payments, payouts and refunds."))
    if payout.provider in CONNECT_PROVIDERS:
        raise Conflict(_("This payment is paid out by transfers to the recipients' payout accounts."))
    reference = clean_bank_reference(bank_reference)
    if reference is None:
        raise DomainError(bank_reference_message())
    send_payout(payout, actor)  # a recipient who entered bank details since is no longer waiting
    if payout.status == ps.WAITING:
        raise Conflict(_("The recipient has not entered bank details yet: the payout waits for them."))
    if payout.status != ps.PENDING:
        raise Conflict(_("This payout is not waiting to be sent."))
    payout.attempts += 1
    _landed(payout, actor, reference)
    return payout


def resume_waiting(user_id: int, actor) -> None:
    """A recipient's payout account became ready: send what was waiting for it."""
    waiting = db.session.scalars(
        select(Payout).where(Payout.recipient_id == user_id, Payout.status == ps.WAITING)
    )
    for payout in list(waiting):
        send_payout(payout, actor)


def retry_payout(payout: Payout, actor) -> Payout:
    """An administrator tries a pending or failed payout again (same idempotency key)."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only an administrator may retry a payout."))
    if payout.status == ps.FAILED:
        apply_transition(ps.PAYOUT_LIFECYCLE, payout, "resume", actor=actor)
    if payout.status not in (ps.PENDING, ps.WAITING):
        raise Conflict(_("This payout is not waiting to be sent."))
    account = connect.payout_account(payout.recipient, payout.provider)
    if payout.status == ps.WAITING and account is not None and not account.ready:
        connect.refresh_account(account, actor)  # the recipient may have finished onboarding meanwhile
    return send_payout(payout, actor)


def pending_payouts() -> list[Payout]:
    return list(db.session.scalars(
        select(Payout).where(Payout.status.in_((ps.PENDING, ps.WAITING))).order_by(Payout.id)))  # fmt: skip


# ---- refunds after payout ----------------------------------------------------------------------


def was_paid_out(payment: Payment) -> bool:
    return any(p.status in (*ps.SENT, ps.REVERSED) for p in payouts_of(payment))


def refund_after_payout(payment: Payment, actor, money: Money, reason: str, key: str) -> str | None:
    """Take the refund back from the recipients (transfer reversals) and from the fee, in proportion.

    Called by services.refund before the buyer's refund; every reversal key derives from the payout's
    state before this refund, so a retried refund reverses nothing twice.
    """
    payouts = payouts_of(payment)
    if any(p.status not in (*ps.SENT, ps.REVERSED) for p in payouts):
        raise Conflict(_("Some payouts of this deal are still waiting: settle them before a refund."))
    reversed_total = sum((p.reversed for p in payouts), Money(Decimal(0), payment.currency))
    fee_kept = payment.fee - (payment.refunded - reversed_total)
    everything = money == payment.money - payment.refunded
    fee_back = fee_take_back(money, payment.money, fee_kept, everything)
    seller = next((p.id for p in payouts if p.role == "seller"), payouts[0].id)
    kept = {p.id: p.kept for p in payouts if p.kept.amount > 0}
    parts = split_take_back(money - fee_back, kept, seller if seller in kept else next(iter(kept)))
    reversals = {}
    for payout in payouts:
        part = parts.get(payout.id)
        if part is None or part.amount <= 0:
            continue
        rkey = payout.idempotency_key(f"reversal-{payout.reversed.to_minor_units()}-{part.to_minor_units()}")
        reversal = {"id": None}  # offline: the administrator asks the recipient's bank for it back
        if payout.provider in CONNECT_PROVIDERS:
            reversal = stripe_api.reverse_transfer(payout.transfer_ref, part.to_minor_units(),
                                                   {"payout_reference": payout.reference}, rkey)  # fmt: skip
        payout.reversed_amount = payout.reversed_amount + part.amount
        ledger.post(payment, "refund", rkey, {"seller": -part, "hold": part})
        reversals[payout.reference] = reversal["id"] or rkey
        if payout.kept.amount == 0:
            apply_transition(ps.PAYOUT_LIFECYCLE, payout, "reverse", actor=actor, reason=reason,
                             details={"reversal": reversal["id"], "amount": str(part.amount)})  # fmt: skip
        else:
            chain_append("payout.reverse_part", "payouts", payout.id, actor,
                         {"reversal": reversal["id"], "amount": str(part.amount), "reason": reason})  # fmt: skip
    if fee_back.amount > 0:
        ledger.post(payment, "refund", f"{key}-fee", {"fee": -fee_back, "hold": fee_back})
    db.session.flush()
    return ",".join(reversals.values()) or None


# ---- what recipients see -----------------------------------------------------------------------


def payouts_for(user) -> object:
    """The select() of a user's payouts, newest first (pages and the API paginate it)."""
    return select(Payout).where(Payout.recipient_id == user.id).order_by(Payout.id.desc())


def can_see_payout(user, payout: Payout) -> bool:
    return is_admin(user) or payout.recipient_id == user.id


def transfer_status(payout: Payout) -> dict | None:
    """The provider's transfer, for reconciliation (a read)."""
    if payout.provider not in CONNECT_PROVIDERS or not payout.transfer_ref:
        return None
    return stripe_api.retrieve_transfer(payout.transfer_ref)


def payout_note(deal) -> list[Payout]:
    """The current user's payouts of this deal, for the deal page (a read)."""
    from flask_login import current_user

    if not getattr(current_user, "is_authenticated", False):
        return []
    query = select(Payout).where(Payout.deal_id == deal.id, Payout.recipient_id == current_user.id)
    return list(db.session.scalars(query.order_by(Payout.id)))


def shares_panel(deal) -> dict | None:
    """What the seller's split form on the deal page shows (a read); None for everyone else."""
    from flask_login import current_user

    from app.payments.services import live_payment

    if not getattr(current_user, "is_authenticated", False):
        return None
    if deal_services.party_side(current_user, deal) != "seller" and not is_admin(current_user):
        return None
    payment = live_payment(deal)
    locked = payment is not None and bool(payouts_of(payment))
    return {"shares": shares_of(deal), "locked": locked, "roles": ps.ROLE_LABELS}


def set_shares_by_email(deal, actor, rows: list[tuple[str, str, str]]) -> list[PayoutShare]:
    """The form's rows (role, e-mail, percent); blank rows are skipped, unknown people refused."""
    from app.accounts.services import find_user_by_email

    shares = []
    for role, email, percent in rows:
        if not (email or "").strip() and not (percent or "").strip():
            continue
        user = find_user_by_email(email or "")
        if user is None:
            raise DomainError(_("No one with that e-mail address is registered on the platform."))
        try:
            value = Decimal((percent or "").strip().rstrip("%"))
        except ArithmeticError:
            raise DomainError(_("Enter each share as a percentage, e.g. 12.5.")) from None
        shares.append({"user": user, "role": role, "percent": value})
    return set_shares(deal, actor, shares)
