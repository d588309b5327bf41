"""Builders for offer and deal tests: a published negotiable listing, its seller and buyers."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import Role, User
from app.extensions import db
from app.market.listing_models import Listing
from tests.market.listing_support import make_buyer, make_listing, make_patent, make_seller


@dataclass
class Market:
    seller: User
    colleague: User  # same organisation as the seller
    buyer: User
    rival: User  # a second buyer
    stranger: User  # a verified buyer with no part in anything
    admin: User
    listing: Listing


def build_market(make_user, **listing_overrides) -> Market:
    seller = make_seller(make_user, email="seller@example.com")
    colleague = make_user(email="colleague@example.com", roles=(Role.RIGHTS_HOLDER,), organisation=None)
    colleague.organisation_id = seller.organisation_id
    buyer = make_buyer(make_user, email="buyer@example.com", name="Buyer Co")
    rival = make_buyer(make_user, email="rival@example.com", name="Rival Co")
    stranger = make_buyer(make_user, email="stranger@example.com", name="Stranger Co")
    admin = make_user(email="admin@example.com", roles=(Role.ADMIN,), organisation="IPEX", verified=True)
    patent = make_patent(seller)
    db.session.commit()
    overrides = {"floor_amount": "300000", **listing_overrides}
    listing = make_listing(seller, [patent], status="published", **overrides)
    return Market(seller, colleague, buyer, rival, stranger, admin, listing)
