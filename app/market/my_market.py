"""“My market”: one page per person with what each of their roles needs next.

Seller: listings, offers received, deals. Buyer: watch list, offers made, NDAs, deals.
Administrator: the moderation queue, every active deal, the audit export.
"""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.accounts.permissions import is_admin, is_authenticated, login_required
from app.core.navigation import NavItem, add_nav_item
from app.extensions import db
from app.market import bp, deal_services, offer_services
from app.market import deal_states as dstates
from app.market import listing_states as lstates
from app.market.deal_models import Deal
from app.market.listing_models import Listing, NdaAcceptance, WatchItem


def init_app(app: Flask) -> None:
    add_nav_item(NavItem("market.my_market", _l("My market"), is_authenticated, menu="main", order=25))
    add_nav_item(NavItem("market.deal_list", _l("Deals"), is_authenticated, menu="account", order=43))


def _selling(user) -> list[Listing]:
    query = select(Listing).where(Listing.seller_id == user.id)
    if user.organisation_id:
        query = select(Listing).where(
            (Listing.seller_id == user.id) | (Listing.organisation_id == user.organisation_id)
        )
    return list(db.session.scalars(query.order_by(Listing.updated_at.desc()).limit(50)))


@bp.get("/my")
@login_required
def my_market():
    user = current_user
    offers = offer_services.offers_of_user(user, limit=50)
    seller_listing_ids = {listing.id for listing in _selling(user)}
    deals = list(db.session.scalars(deal_services.deals_of(user).limit(50)))
    context = {
        "listings": _selling(user),
        "offers_received": [o for o in offers if o.listing_id in seller_listing_ids],
        "offers_made": [o for o in offers if o.buyer_id == user.id],
        "deals": [d for d in deals if deal_services.party_side(user, d)],
        "watch": list(db.session.scalars(select(WatchItem).where(WatchItem.user_id == user.id).limit(50))),
        "ndas": db.session.execute(
            select(NdaAcceptance, Listing)
            .join(Listing, Listing.id == NdaAcceptance.listing_id)
            .where(NdaAcceptance.user_id == user.id)
            .limit(50)
        ).all(),
        "admin": is_admin(user),
    }
    if context["admin"]:
        context["moderation"] = list(
            db.session.scalars(select(Listing).where(Listing.status == lstates.SUBMITTED).limit(50))
        )
        context["all_deals"] = list(
            db.session.scalars(
                select(Deal)
                .where(Deal.status.in_(dstates.ACTIVE_STATUSES))
                .order_by(Deal.id.desc())
                .limit(50)
            )
        )
    return render_template("market/my_market.html", **context)
