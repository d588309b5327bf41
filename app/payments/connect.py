"""Seller onboarding: a payout account per user, a Stripe connected account with an onboarding link,
or (offline) validated bank details. Services flush, never commit.

The account's ``charges_enabled / payouts_enabled / details_submitted`` are copied from the provider
on a POST the user makes, on the ``account.updated`` webhook and by the payout tick; a page view only
reads. Payouts waiting for onboarding resume once the account is ready.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.clock import clock
from app.core.errors import Conflict, DomainError, PermissionDenied
from app.extensions import db
from app.payments import stripe_api
from app.payments.payout_models import PayoutAccount
from app.payments.providers import default_provider_name

BANK_NUMBER = re.compile(r"^\d{8,30}$")  # mainland accounts have 16-19 digits; IBAN-free numeric forms


class PayoutAccountInvalid(DomainError):
    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(" ".join(fields.values()), fields)


def payout_account(user, provider: str | None = None) -> PayoutAccount | None:
    """The user's payout account with the provider in use (a read)."""
    provider = provider or default_provider_name()
    return db.session.scalar(
        select(PayoutAccount).where(PayoutAccount.user_id == user.id, PayoutAccount.provider == provider)
    )


def _require_self(user, actor) -> None:
    if actor.id != user.id:
        raise PermissionDenied(_("Only the account holder sets up where their payouts go."))


def start_onboarding(user, actor, refresh_url: str, return_url: str) -> tuple[PayoutAccount, str]:
    """Create the connected account once, and a fresh onboarding link to the provider's pages."""
    _require_self(user, actor)
    if default_provider_name() != "stripe":
        raise Conflict(_("Payouts are made by bank transfer here: enter your bank details instead."))
    account = payout_account(user, "stripe")
    if account is None:
        account = PayoutAccount(user_id=user.id, provider="stripe")
        db.session.add(account)
    if not account.provider_ref:
        created = stripe_api.create_account(user.email, {"ipex_user_id": str(user.id)},
                                            account.idempotency_key("account"))  # fmt: skip
        account.provider_ref = created["id"]
        copy_account(account, created)
    db.session.flush()
    # A link is single-use and short-lived: one per request, keyed on the account and the moment.
    key = account.idempotency_key(f"link-{clock.now():%Y%m%dT%H%M%S%f}")
    link = stripe_api.create_account_link(account.provider_ref, refresh_url, return_url, key)
    return account, link["url"]


def copy_account(account: PayoutAccount, remote: dict) -> bool:
    """Take the provider's flags; True when the account just became ready for payouts."""
    was_ready = account.ready
    account.charges_enabled = bool(remote.get("charges_enabled"))
    account.payouts_enabled = bool(remote.get("payouts_enabled"))
    account.details_submitted = bool(remote.get("details_submitted"))
    account.refreshed_at = clock.now()
    return account.ready and not was_ready


def refresh_account(account: PayoutAccount, actor) -> PayoutAccount:
    """Re-read the connected account from the provider; resume waiting payouts once it is ready."""
    if actor.id != account.user_id and not _is_system_or_admin(actor):
        raise PermissionDenied(_("Only the account holder sets up where their payouts go."))
    if account.provider != "stripe" or not account.provider_ref:
        return account
    if copy_account(account, stripe_api.retrieve_account(account.provider_ref)):
        from app.payments import payouts

        payouts.resume_waiting(account.user_id, actor)
    db.session.flush()
    return account


def account_updated(remote: dict, actor) -> None:
    """Webhook ``account.updated``: the event is a hint; the account is re-read before it counts."""
    account = db.session.scalar(
        select(PayoutAccount).where(
            PayoutAccount.provider == "stripe", PayoutAccount.provider_ref == remote["id"]
        )
    )
    if account is not None:
        refresh_account(account, actor)


def _is_system_or_admin(actor) -> bool:
    from app.accounts.permissions import is_admin
    from app.core.actors import SYSTEM_EMAIL

    return is_admin(actor) or actor.email == SYSTEM_EMAIL


def save_bank_details(user, actor, holder: str, bank: str, number: str) -> PayoutAccount:
    """Offline payouts: the bank account an administrator pays the seller's share into."""
    _require_self(user, actor)
    holder, bank = (holder or "").strip(), (bank or "").strip()
    number = re.sub(r"[\s-]", "", number or "")
    errors = {}
    if not 2 <= len(holder) <= 120:
        errors["account_name"] = _("Enter the account holder's name as the bank has it.")
    if not 2 <= len(bank) <= 120:
        errors["bank_name"] = _("Enter the bank and branch.")
    if not BANK_NUMBER.match(number):
        errors["account_number"] = _("Enter the account number: 8 to 30 digits.")
    if errors:
        raise PayoutAccountInvalid(errors)
    account = payout_account(user, "offline")
    if account is None:
        account = PayoutAccount(user_id=user.id, provider="offline")
        db.session.add(account)
    was_ready = account.ready
    account.bank_account_name, account.bank_name, account.bank_account_number = holder, bank, number
    db.session.flush()
    if not was_ready:
        from app.payments import payouts

        payouts.resume_waiting(user.id, actor)
    return account
