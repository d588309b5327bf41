"""Who may bid on a listing's auction, and, when not, why and what to do about it.

``bidder_qualification(listing, user)`` runs every check in order and answers with the first
refusal. The payments capability adds its deposit check with ``register_check`` (a check returns
a ``Qualification`` refusal, or None to pass), so no caller changes when deposits arrive.

``known_qualified`` / ``remember_qualified``: the bid path remembers a pass per bidder and listing
for one facts version (app.core.page_cache): any committed write other than a bid retires it, so a
bidder's attempts on a busy auction do not re-run the checks' reads, and a changed fact (an NDA,
a deposit refunded, a role, a verification, a patent's owners) is seen at the next attempt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, has_app_context
from flask_babel import gettext as _

from app.accounts.models import User
from app.accounts.permissions import is_authenticated, is_buyer
from app.core.page_cache import SizedMemo, facts_version, session_has_written, versioned_memo
from app.extensions import db
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


@dataclass(frozen=True)
class OwnerFacts:
    """Who owns a listing's patents: platform owners, their organisations and the names of record."""

    user_ids: frozenset[int]
    organisation_ids: frozenset[int]
    names: frozenset[str]  # owners of record (else applicants), casefolded


def owner_facts(listing: Listing) -> OwnerFacts:
    """The same for every viewer: read once per data version (it cost three statements a view)."""

    def read() -> OwnerFacts:
        patents = listing.patents
        return OwnerFacts(
            frozenset(p.owner_id for p in patents if p.owner_id is not None),
            frozenset(p.organisation_id for p in patents if p.organisation_id is not None),
            frozenset(name.strip().casefold() for p in patents for name in p.owners_on_record),
        )

    return versioned_memo("market.listing_owner_facts", (listing.id,), read)


def _is_co_owner(listing: Listing, user: User) -> bool:
    """Owners on the platform, or an organisation named as an owner of record of a listed patent."""
    owners = owner_facts(listing)
    if user.id in owners.user_ids or (
        user.organisation_id and user.organisation_id in owners.organisation_ids
    ):
        return True
    org_name = (user.organisation.name.strip().casefold() if user.organisation else "") or None
    return org_name is not None and org_name in owners.names


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


PASSED_ENTRIES = 4096
_PASSED = SizedMemo(PASSED_ENTRIES)  # each entry counts 1


def _passed_key(listing_id: int, user: User) -> tuple | None:
    """None when nothing may be remembered: no app, no signed-in user, or uncommitted writes in
    the session (they may be the very facts the checks read)."""
    if not has_app_context() or not is_authenticated(user) or session_has_written():
        return None
    return (current_app.instance_path, str(db.engine.url), facts_version(), listing_id, user.id)


def known_qualified(listing_id: int, user: User) -> bool:
    """True when this user passed every check on this listing at the current facts version."""
    key = _passed_key(listing_id, user)
    if key is None:
        return False
    return _PASSED.get(key)[0]


def remember_qualified(listing_id: int, user: User, facts: str | None) -> None:
    """Remember a pass under the facts version read before the checks ran (a fact changed since
    retires it at once)."""
    key = _passed_key(listing_id, user)
    if key is None or key[2] != facts:
        return
    _PASSED.put(key, True, 1)


def facts_now() -> str | None:
    return facts_version() if has_app_context() else None
