"""Builders for auction tests: a published auction listing, qualified bidders, bids that commit."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app.accounts.models import Role, User
from app.core.clock import clock
from app.core.money import Money
from app.extensions import db
from app.market import auction_services as services
from app.market.auction_engine import DEFAULT_INCREMENTS, IncrementTable
from app.market.auction_models import Auction
from app.market.listing_models import Listing, NdaAcceptance


def make_listing(seller: User, kind: str = "english", status: str = "published") -> Listing:
    listing = Listing(
        seller_id=seller.id,
        organisation_id=seller.organisation_id,
        status=status,
        right_type="assignment",
        price_mechanism=f"{kind}_auction",
        currency="CNY",
        title_zh="测试拍卖专利",
        title_en="Auctioned test patent",
    )
    db.session.add(listing)
    db.session.flush()
    return listing


def make_auction(
    seller: User,
    kind: str = "english",
    start: str = "10000",
    reserve: str | None = None,
    reserve_disclosed: bool = False,
    duration: timedelta = timedelta(days=3),
    hard_extra: timedelta = timedelta(hours=1),
    soft_close_minutes: int = 5,
    increments: IncrementTable = DEFAULT_INCREMENTS,
    listing_status: str = "published",
) -> Auction:
    """A listing and its auction that started a minute ago; committed."""
    listing = make_listing(seller, kind, listing_status)
    now = clock.now()
    settings = services.AuctionSettings(
        kind=kind,
        start_price=Money(Decimal(start)),
        reserve=Money(Decimal(reserve)) if reserve else None,
        reserve_disclosed=reserve_disclosed,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + duration,
        hard_end_at=now + duration + hard_extra,
        soft_close_minutes=soft_close_minutes,
        increments=increments,
    )
    auction = services.configure_auction(listing, seller, settings)
    db.session.commit()
    return auction


def accept_nda(listing: Listing, user: User) -> None:
    db.session.add(NdaAcceptance(listing_id=listing.id, user_id=user.id, text_sha256="0" * 64))
    db.session.commit()


def make_bidder(make_user, auction: Auction, **kwargs) -> User:
    """A verified buyer of another organisation who accepted the listing's NDA."""
    kwargs.setdefault("organisation", f"Buyer Org {kwargs.get('email', '')}")
    user = make_user(roles=(Role.BUYER,), verified=True, **kwargs)
    accept_nda(auction.listing, user)
    return user


def make_seller(make_user) -> User:
    return make_user(roles=(Role.RIGHTS_HOLDER,), organisation="Seller Org", verified=True)


def bid(auction: Auction, user: User, amount: str) -> services.BidResult:
    result = services.place_bid(auction.id, user, Money(Decimal(amount)))
    db.session.commit()
    return result
