"""The notifications offers and deals send: kinds registered once, sent through app.core.notifications."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale

from app.core.i18n import format_moment, format_money_exact
from app.core.notifications import notify, register_kind


def N_(message: str) -> str:  # noqa: N802  (marks a message id for extraction; translated when shown)
    return message


KINDS = {
    "offer_received": (
        N_("New offer on “%(title)s”"),
        N_("%(who)s offers %(price)s for “%(title)s”. Answer before %(expires)s."),
    ),
    "offer_countered": (
        N_("Counter-offer on “%(title)s”"),
        N_("%(who)s answered with a counter-offer of %(price)s for “%(title)s”. Answer before %(expires)s."),
    ),
    "offer_accepted": (
        N_("Offer accepted: “%(title)s”"),
        N_(
            "Your offer of %(price)s for “%(title)s” was accepted. Deal %(reference)s is open: the contract is next."
        ),
    ),
    "offer_rejected": (
        N_("Offer rejected: “%(title)s”"),
        N_("Your offer of %(price)s for “%(title)s” was rejected. %(note)s"),
    ),
    "offer_declined": (
        N_("Offer not taken forward: “%(title)s”"),
        N_(
            "Thank you for your offer of %(price)s for “%(title)s”. It is below the price the seller can consider, "
            "so it was declined automatically. You are welcome to make a new offer."
        ),
    ),
    "offer_withdrawn": (
        N_("Offer withdrawn: “%(title)s”"),
        N_("%(who)s withdrew the offer of %(price)s for “%(title)s”."),
    ),
    "offer_closed": (
        N_("“%(title)s” went to another buyer"),
        N_(
            "The seller accepted another offer for “%(title)s”, so your offer of %(price)s is closed. Thank you."
        ),
    ),
    "offer_expiring": (
        N_("An offer expires soon: “%(title)s”"),
        N_("The offer of %(price)s for “%(title)s” expires at %(expires)s. Answer it before then."),
    ),
    "offer_expired": (
        N_("Offer expired: “%(title)s”"),
        N_("The offer of %(price)s for “%(title)s” expired without an answer."),
    ),
    "deal_created": (
        N_("New deal %(reference)s"),
        N_("Deal %(reference)s for “%(title)s” at %(price)s is agreed. Next: draft and sign the contract."),
    ),
    "contract_drafted": (
        N_("Contract ready to sign: %(reference)s"),
        N_("The contract for deal %(reference)s is ready. Read it and sign it by typing your full name."),
    ),
    "contract_signed": (
        N_("Contract signed: %(reference)s"),
        N_("%(who)s signed the contract of deal %(reference)s."),
    ),
    "contract_complete": (
        N_("Contract signed by both: %(reference)s"),
        N_("Both parties signed deal %(reference)s. Next: payment and the filing with the patent office."),
    ),
    "registration_filed": (
        N_("Filed with the patent office: %(reference)s"),
        N_("Deal %(reference)s was filed with the patent office under number %(number)s."),
    ),
    "registration_recorded": (
        N_("Registration recorded: %(reference)s"),
        N_("The patent office registered deal %(reference)s on %(date)s. The catalogue now shows it."),
    ),
    "deadline_near": (
        N_("Deadline near: %(reference)s"),
        N_("Deal %(reference)s: %(rule)s The deadline is %(date)s (%(days)s days left)."),
    ),
    "deal_paid": (
        N_("Payment recorded: %(reference)s"),
        N_("The payment of %(price)s for deal %(reference)s was recorded."),
    ),
    "deal_completed": (
        N_("Deal completed: %(reference)s"),
        N_("Deal %(reference)s is registered and paid: it is complete."),
    ),
    "deal_cancelled": (
        N_("Deal cancelled: %(reference)s"),
        N_("Deal %(reference)s was cancelled by %(who)s: %(reason)s"),
    ),
    "deal_disputed": (
        N_("Dispute raised: %(reference)s"),
        N_("%(who)s raised a dispute on deal %(reference)s: %(reason)s"),
    ),
}

for _name, (_title, _body) in KINDS.items():
    register_kind(_name, _title, _body)


def money_text(amount, currency: str) -> str:
    return format_money_exact(amount, currency)


def party_name(user) -> str:
    organisation = user.organisation.name if user.organisation else None
    return f"{user.display_name} ({organisation})" if organisation else user.display_name


def site_path(endpoint: str, **values) -> str:
    """A path inside the site, also from ticks and jobs that have no request to build URLs from."""
    script_root = current_app.config.get("APPLICATION_ROOT", "/")
    return current_app.url_map.bind("localhost", script_name=script_root).build(endpoint, values)


def recipient_locale(user) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def notify_offer(user, kind: str, offer, dedupe_key: str | None = None, **extra) -> None:
    """Amounts and times are written in the recipient's language."""
    listing = offer.listing
    with force_locale(recipient_locale(user)):
        params = {
            "title": listing.title,
            "price": money_text(offer.price_amount, offer.currency),
            "expires": format_moment(offer.expires_at),
            "who": party_name(offer.made_by),
            **extra,
        }
    notify(user, kind, params, site_path("market.listing_offers", listing_id=listing.id), dedupe_key)


def notify_deal(user, kind: str, deal, dedupe_key: str | None = None, **extra) -> None:
    with force_locale(recipient_locale(user)):
        params = {
            "reference": deal.reference,
            "title": deal.listing.title if deal.listing else deal.reference,
            "price": money_text(deal.price_amount, deal.currency),
            **{key: str(value) for key, value in extra.items()},
        }
    notify(user, kind, params, site_path("market.deal_detail", deal_id=deal.id), dedupe_key)
