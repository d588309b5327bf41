"""Payment verbs: start, follow the provider, record receipt and payout, refund. Flush, never commit.

Money moves only through these functions, each writing the payment transition (event row and
audit entry), the balanced ledger legs, and the deal's money status in one transaction.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.permissions import is_admin
from app.core.errors import Conflict, DomainError, PermissionDenied
from app.core.lifecycle import apply_transition
from app.core.money import Money, MoneyError, parse_money
from app.extensions import db
from app.market import deal_services
from app.market import deal_states as deal_states
from app.market.deal_models import Deal
from app.payments import fee_schedule, ledger, payouts
from app.payments import states as st
from app.payments.bank import bank_reference_message, clean_bank_reference
from app.payments.models import Payment
from app.payments.payout_states import SENT
from app.payments.providers import ProviderStep, default_provider_name, get_provider

PAYABLE_DEAL_STATUSES = (
    deal_states.AWAITING_PAYMENT,
    deal_states.REGISTRATION_FILED,
    deal_states.REGISTERED,
)
PAYOUT_DEAL_STATUSES = (deal_states.REGISTERED, deal_states.COMPLETED)


class PaymentInvalid(DomainError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, {field: message})


def payments_of(deal: Deal) -> list[Payment]:
    """The deal's upfront-price payments (royalty invoices have their own, app.payments.royalties)."""
    query = select(Payment).where(Payment.deal_id == deal.id, Payment.royalty_invoice_id.is_(None))
    return list(db.session.scalars(query.order_by(Payment.id)))


def live_payment(deal: Deal) -> Payment | None:
    """The deal's one payment that is open, held, paid out or refunded (never more than one)."""
    return db.session.scalar(
        select(Payment).where(
            Payment.deal_id == deal.id, Payment.status.in_(st.LIVE), Payment.royalty_invoice_id.is_(None)
        )
    )


def _require_admin(actor) -> None:
    if not is_admin(actor):
        raise PermissionDenied(_("Only an administrator may record payments, payouts and refunds."))


def start_payment(deal: Deal, actor, provider_name: str | None = None) -> tuple[Payment, ProviderStep]:
    """The buyer starts paying the agreed price; an open payment is resumed rather than doubled."""
    if deal_services.party_side(actor, deal) != "buyer":
        raise PermissionDenied(_("Only the buyer pays for this deal."))
    current = live_payment(deal)
    if current is not None and current.status in st.OPEN:
        return current, get_provider(current.provider).start(current)
    if current is not None or deal.money_status != deal_states.UNPAID:
        raise Conflict(_("This deal is already paid."))
    if deal.status not in PAYABLE_DEAL_STATUSES:
        raise Conflict(_("Payment opens once both parties have signed the contract."))
    quote = fee_schedule.quote(deal.price, deal.right_type, deal.listing.price_mechanism)
    from app.payments import deposits  # deposits build on payments, not the other way round

    credit = deposits.credit_for_deal(deal, actor)
    payment = Payment(
        deal_id=deal.id,
        payer_id=actor.id,
        provider=provider_name or default_provider_name(),
        status=st.REQUIRES_PAYMENT,
        amount=deal.price_amount,
        currency=deal.currency,
        fee_amount=quote.fee.amount,
        fee_version=quote.terms.version,
        refunded_amount=Decimal(0),
        deposit_credit=credit.amount,
        reference=f"IPEX-{deal.id:06d}-{len(payments_of(deal)) + 1:02d}",
    )
    db.session.add(payment)
    db.session.flush()
    step = get_provider(payment.provider).start(payment)
    payment.provider_ref = step.provider_ref or payment.provider_ref
    follow(payment, step, actor)
    return payment, step


def confirm_payment(payment: Payment, actor, method: str) -> ProviderStep:
    """Server-side confirmation with the payment method the buyer chose; the provider decides."""
    if payment.payer_id != actor.id:
        raise PermissionDenied(_("Only the buyer pays for this deal."))
    if payment.status not in st.OPEN:
        raise Conflict(_("This payment is no longer open."))
    step = get_provider(payment.provider).confirm(payment, method)
    follow(payment, step, actor)
    return step


_TOWARDS = {  # the action that moves an open payment towards the provider's status
    st.PROCESSING: "process",
    st.REQUIRES_ACTION: "require_action",
    st.SUCCEEDED: "succeed",
    st.FAILED: "fail",
    st.CANCELLED: "cancel",
}


def follow(payment: Payment, step: ProviderStep, actor) -> None:
    """Bring an open payment to the provider's status; replays and stale views change nothing."""
    action = _TOWARDS.get(step.status)
    if payment.status == step.status or action is None or payment.status not in st.OPEN:
        return
    if not st.PAYMENT_LIFECYCLE.can(payment.status, action):
        return
    if action == "succeed":
        _succeed(payment, actor, payment.provider_ref or payment.reference, step.amount_received)
    else:
        apply_transition(st.PAYMENT_LIFECYCLE, payment, action, actor=actor)


def _succeed(payment: Payment, actor, reference: str, received: Money | None) -> None:
    if received is not None and received != payment.due:
        raise Conflict(_("The amount received differs from the amount due; check it with the provider."))
    apply_transition(st.PAYMENT_LIFECYCLE, payment, "succeed", actor=actor, reason=reference,
                     details={"amount": str(payment.amount), "currency": payment.currency})  # fmt: skip
    ledger.post_receipt(payment)
    if payment.deposit_credit:
        from app.payments import deposits

        deposits.credit_to_payment(payment, actor)
    if payment.royalty_invoice_id is not None:
        from app.payments import royalties  # royalties build on payments

        royalties.record_invoice_paid(payment, actor)
    else:
        deal_services.record_payment_received(payment.deal, actor, payment.reference)


def _read_amount(value, currency: str, field: str) -> Money:
    if isinstance(value, Money):
        return value
    try:
        return parse_money(value, currency)
    except MoneyError as error:
        raise PaymentInvalid(field, error.message) from None


def _bank_reference(value: str | None, field: str = "bank_reference") -> str:
    text = clean_bank_reference(value)
    if text is None:
        raise PaymentInvalid(field, bank_reference_message())
    return text


def record_receipt(payment: Payment, actor, bank_reference: str, amount) -> Payment:
    """An administrator saw the buyer's bank transfer arrive in full."""
    _require_admin(actor)
    reference = _bank_reference(bank_reference)
    received = _read_amount(amount, payment.currency, "amount")
    if payment.provider != "offline":
        raise Conflict(_("Card payments are confirmed by the provider, not recorded by hand."))
    if received != payment.due:
        raise PaymentInvalid("amount", _("The transfer must match the amount due exactly."))
    st.PAYMENT_LIFECYCLE.next_status(payment.status, "succeed")
    payment.received_reference = reference
    _succeed(payment, actor, reference, received)
    return payment


def record_payout(payment: Payment, actor, bank_reference: str) -> Payment:
    """The seller's share left the hold; only once the deal's registration is recorded."""
    _require_admin(actor)
    reference = _bank_reference(bank_reference)
    if payment.deal.status not in PAYOUT_DEAL_STATUSES:
        raise Conflict(_("The money is held until registration: record the registration first."))
    existing = payouts.payouts_of(payment)
    if existing:  # created at registration: each recipient is paid on their own record
        unsent = [p for p in existing if p.status not in SENT]
        if payment.provider != "offline":
            raise Conflict(_("This payment is paid out by transfers to the recipients' payout accounts."))
        if len(unsent) != 1:
            raise Conflict(_("Record each recipient's bank transfer on the payouts page."))
        payouts.record_bank_payout(unsent[0], actor, reference)
        return payment
    st.PAYMENT_LIFECYCLE.next_status(payment.status, "pay_out")
    payment.payout_reference = reference
    ledger.post_payout(payment)
    share = payment.money - payment.fee
    apply_transition(st.PAYMENT_LIFECYCLE, payment, "pay_out", actor=actor, reason=reference,
                     details={"seller": str(share.amount), "fee": str(payment.fee_amount)})  # fmt: skip
    return payment


def refund(payment: Payment, actor, amount, reason: str) -> Payment:
    """An administrator returns all or part of the held money of a cancelled deal."""
    _require_admin(actor)
    text = (reason or "").strip()
    if not 3 <= len(text) <= 1000:
        raise PaymentInvalid("reason", _("Say why, in a sentence."))
    paid_out = payouts.was_paid_out(payment)  # then the recipients' transfers are reversed first
    if payment.deal.status not in (
        (deal_states.CANCELLED, deal_states.COMPLETED) if paid_out else (deal_states.CANCELLED,)
    ):
        raise Conflict(_("Refunds follow a cancellation: cancel the deal first."))
    money = _read_amount(amount, payment.currency, "amount")
    refundable = payment.money - payment.refunded if paid_out else payment.held
    if money.amount <= 0 or money > refundable:
        raise PaymentInvalid("amount", _("Refund more than zero and at most what is held."))
    full = money == refundable
    st.PAYMENT_LIFECYCLE.next_status(payment.status, "refund" if full else "refund_part")
    # Derived from the state before this refund, so retrying the same request reuses the key.
    key = payment.idempotency_key(f"refund-{payment.refunded.to_minor_units()}-{money.to_minor_units()}")
    reversals = payouts.refund_after_payout(payment, actor, money, text, key) if paid_out else None
    provider_refund = get_provider(payment.provider).refund(payment, money, key)
    payment.refunded_amount = payment.refunded_amount + money.amount
    ledger.post_refund(payment, money, key)
    apply_transition(st.PAYMENT_LIFECYCLE, payment, "refund" if full else "refund_part", actor=actor,
                     reason=text, details={"amount": str(money.amount), "provider_refund": provider_refund,
                                           "transfer_reversals": reversals})  # fmt: skip
    if payment.royalty_invoice_id is not None:
        from app.payments import royalties  # royalties build on payments

        royalties.record_invoice_refund(payment, actor, money, text)
    elif payment.refunded == payment.money:
        deal_services.record_refund(payment.deal, actor, text)
    return payment


def sync_payment(payment: Payment, actor) -> ProviderStep | None:
    """Re-fetch the provider's view and follow it; used by webhooks and after the buyer authenticates."""
    step = get_provider(payment.provider).retrieve(payment)
    if step is not None:
        follow(payment, step, actor)
    return step


def payment_by_provider_ref(provider: str, provider_ref: str) -> Payment | None:
    return db.session.scalar(
        select(Payment).where(Payment.provider == provider, Payment.provider_ref == provider_ref)
    )
