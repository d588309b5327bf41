"""Who may bid on a listing's auction, and, when not, why and what to do about it.

``bidder_qualification(listing, user)`` runs every check in order and answers with the first
refusal. The payments capability adds its deposit check with ``register_check`` (a check returns
a ``Qualification`` refusal, or None to pass), so no caller changes when deposits arrive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from app.accounts.models import User
from app.accounts.permissions import is_authenticated, is_buyer
from app.market.listing_models import Listing
from app.market.listing_services import has_accepted_nda, is_seller


@dataclass(frozen=True)
class Qualification:
    """ok, or the refusal: a stable code, the reason and what the user can do (both translated)."""

    ok: bool
    code: str = ""
    reason: str = ""
    remedy: str = ""
    link: str = ""  # where to do it, e.g. the page to pay an auction's deposit
    link_label: str = ""

    def __iter__(self):  # unpacks as (ok, reason), the shape the market's interface names
        return iter((self.ok, self.reason))


QUALIFIED = Qualification(True)
Check = Callable[[Listing, User], Qualification | None]
_EXTRA_CHECKS: list[Check] = []


def register_check(check: Check) -> Check:
    """Add a qualification check (e.g. a deposit held); usable as a decorator."""
    if check not in _EXTRA_CHECKS:
        _EXTRA_CHECKS.append(check)
    return check


def _refuse(code: str, reason: str, remedy: str) -> Qualification:
    return Qualification(False, code, reason, remedy)


def _signed_in(listing: Listing, user: User) -> Qualification | None:
    if is_authenticated(user):
        return None
    return _refuse("login", _("Only signed-in buyers can bid."), _("Log in or create a buyer account."))


def _not_the_seller_side(listing: Listing, user: User) -> Qualification | None:
    if is_seller(user, listing) or _is_co_owner(listing, user):
        return _refuse(
            "seller",
            _(
                "The seller, the seller's organisation and co-owners of the patents cannot bid on this auction."
            ),
            _("Bidding on your own rights would distort the price; nothing to do here."),
        )
    return None


def _is_co_owner(listing: Listing, user: User) -> bool:
    """Owners on the platform, or an organisation named as an owner of record of a listed patent."""
    org_name = (user.organisation.name.strip().casefold() if user.organisation else "") or None
    for patent in listing.patents:
        if patent.owner_id == user.id or (
            user.organisation_id and patent.organisation_id == user.organisation_id
        ):
            return True
        names = {
            name.strip().casefold() for name in patent.party_names("owner") or patent.party_names("applicant")
        }
        if org_name and org_name in names:
            return True
    return False


def _buyer(listing: Listing, user: User) -> Qualification | None:
    if is_buyer(user):
        return None
    return _refuse(
        "role", _("Only buyer accounts can bid."), _("Add the buyer role in your account settings.")
    )


def _verified(listing: Listing, user: User) -> Qualification | None:
    if not user.is_verified:
        return _refuse(
            "unverified",
            _("Only members of a verified organisation can bid."),
            _("Ask an administrator to verify your organisation."),
        )
    if getattr(user, "can_trade", True) is False:  # the accounts capability's e-mail verification
        return _refuse(
            "email",
            _("Confirm your e-mail address before bidding."),
            _("Open the link in the e-mail we sent you."),
        )
    return None


def _nda(listing: Listing, user: User) -> Qualification | None:
    if has_accepted_nda(listing, user):
        return None
    return _refuse(
        "nda",
        _("Accept the listing's confidentiality agreement before bidding."),
        _("Accept the NDA on this page."),
    )


BASE_CHECKS: tuple[Check, ...] = (_signed_in, _not_the_seller_side, _buyer, _verified, _nda)


def bidder_qualification(listing: Listing, user: User) -> Qualification:
    """The first refusal among the base checks and the registered ones, or QUALIFIED."""
    for check in (*BASE_CHECKS, *_EXTRA_CHECKS):
        refusal = check(listing, user)
        if refusal is not None:
            return refusal
    return QUALIFIED
