"""The fee schedule's versions: administrators publish a new version; quotes use the newest."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.permissions import is_admin
from app.core.audit_chain import chain_append
from app.core.errors import Conflict, DomainError, PermissionDenied
from app.core.lifecycle import Lifecycle, apply_transition
from app.core.money import Money, MoneyError, parse_money
from app.extensions import db
from app.payments.fees import FeeQuote, FeeTerms, calculate_fee
from app.payments.models import FeeRule, FeeScheduleVersion


def _builtin_terms(currency: str) -> FeeTerms:
    """Before any version is published: the configured default (PAYMENTS_FEE_PERCENT, _MINIMUM)."""
    rate = Decimal(str(current_app.config.get("PAYMENTS_FEE_PERCENT", "5")))
    minimum = Decimal(str(current_app.config.get("PAYMENTS_FEE_MINIMUM", "1000")))
    return FeeTerms(rate_percent=rate, minimum=Money(minimum, currency), version=0)


def latest_schedule() -> FeeScheduleVersion | None:
    """The active version (drafts are not applied; retired ones stay for what they priced)."""
    return db.session.scalar(
        select(FeeScheduleVersion)
        .where(FeeScheduleVersion.status == ACTIVE)
        .order_by(FeeScheduleVersion.version.desc())
        .limit(1)
    )


def _specificity(rule: FeeRule) -> int:
    return (rule.right_type is not None) * 2 + (rule.price_mechanism is not None)


def terms_for(right_type: str, price_mechanism: str, currency: str) -> FeeTerms:
    """The most specific rule of the newest version matching the right type and mechanism."""
    schedule = latest_schedule()
    if schedule is None:
        return _builtin_terms(currency)
    matching = [
        rule
        for rule in schedule.rules
        if rule.currency == currency
        and rule.right_type in (None, right_type)
        and rule.price_mechanism in (None, price_mechanism)
    ]
    if not matching:
        return _builtin_terms(currency)
    rule = max(matching, key=_specificity)
    return FeeTerms(rule.rate_percent, Money(rule.minimum_amount, currency), schedule.version)


def quote(price: Money, right_type: str, price_mechanism: str) -> FeeQuote:
    """What the platform takes and the seller receives for this price (the ledger uses the same)."""
    return calculate_fee(price, terms_for(right_type, price_mechanism, price.currency))


def quote_listing(listing, price_text: str | None = None) -> FeeQuote:
    """The quote the seller sees before listing and the buyer before paying: at the ask or a given price."""
    if price_text:
        try:
            price = parse_money(price_text, listing.currency)
        except MoneyError as error:
            raise DomainError(error.message, {"price": error.message}) from None
    elif listing.ask_amount is not None:
        price = Money(listing.ask_amount, listing.currency)
    else:
        raise Conflict(_("This listing has no asking price: give a price to quote."))
    if price.amount <= 0:
        raise DomainError(_("Enter a price above zero."), {"price": _("Enter a price above zero.")})
    return quote(price, listing.right_type, listing.price_mechanism)


def listing_fee_quote(listing) -> FeeQuote | None:
    """For pages: the quote at the listing's asking price, or None without one (a read)."""
    if listing is None or listing.ask_amount is None or listing.ask_amount <= 0:
        return None
    return quote(Money(listing.ask_amount, listing.currency), listing.right_type, listing.price_mechanism)


def _rule(data: dict) -> FeeRule:
    try:
        rate = Decimal(str(data["rate_percent"]))
        minimum = Decimal(str(data.get("minimum_amount", "0")))
    except (KeyError, InvalidOperation):
        raise DomainError(_("Enter a commission rate and a minimum for every rule.")) from None
    if not (0 <= rate <= 100) or minimum < 0:
        raise DomainError(_("A commission rate lies between 0 and 100 percent; a minimum is not negative."))
    return FeeRule(
        right_type=data.get("right_type") or None,
        price_mechanism=data.get("price_mechanism") or None,
        rate_percent=rate,
        minimum_amount=minimum,
        currency=data.get("currency") or "CNY",
    )


def publish_schedule(
    rules: list[dict], actor, note: str | None = None, *, activate: bool = True
) -> FeeScheduleVersion:
    """A new version of the fee schedule (a draft, or applied at once); earlier versions stay."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only an administrator may change the fee schedule."))
    number = (db.session.scalar(select(func.max(FeeScheduleVersion.version))) or 0) + 1
    schedule = FeeScheduleVersion(version=number, note=note, created_by_id=actor.id, status=DRAFT)
    schedule.rules = [_rule(data) for data in rules]
    db.session.add(schedule)
    db.session.flush()
    chain_append("fee_schedule.publish", "fee_schedule_versions", schedule.id, actor,
                 {"version": number, "rules": [dict(d) for d in rules]})  # fmt: skip
    if activate:
        activate_schedule(schedule, actor)
    return schedule


DRAFT, ACTIVE, RETIRED = "draft", "active", "retired"
FEE_SCHEDULE_LIFECYCLE = Lifecycle(
    name="fee_schedule",
    transitions={(DRAFT, "activate"): ACTIVE, (ACTIVE, "retire"): RETIRED},
    status_labels={DRAFT: _l("Draft"), ACTIVE: _l("Applies now"), RETIRED: _l("Retired")},
    action_labels={"activate": _l("Apply this version"), "retire": _l("Retire")},
)


def activate_schedule(schedule: FeeScheduleVersion, actor) -> FeeScheduleVersion:
    """A draft version applies from now on; the one that applied until now is retired, not deleted."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only an administrator may change the fee schedule."))
    FEE_SCHEDULE_LIFECYCLE.next_status(schedule.status, "activate")
    current = latest_schedule()
    if current is not None:
        apply_transition(FEE_SCHEDULE_LIFECYCLE, current, "retire", actor=actor,
                         details={"replaced_by": schedule.version})  # fmt: skip
    apply_transition(FEE_SCHEDULE_LIFECYCLE, schedule, "activate", actor=actor,
                     details={"version": schedule.version})  # fmt: skip
    return schedule
