"""Demo auctions, so a newcomer sees the whole cycle: an English auction open with bids, one ending
within the hour, a sealed-bid auction open, and one that ended and was awarded (with its deal).

Everything goes through the services: listings are published as the listing seed does, bids are
placed with place_bid, the ended auction is closed by close_auction. Its bids were placed while
it ran, so the application clock is set back for them and restored after. Idempotent: an auction
listing is recognised by its seller and English title.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.accounts.models import Role, User
from app.accounts.seed import ensure_demo_user
from app.accounts.services import find_user_by_email
from app.catalogue.demo_content import ADMIN, COMPANY, HOLDER
from app.core.actors import system_actor
from app.core.clock import clock
from app.core.money import Money
from app.extensions import db
from app.market import auction_services as services
from app.market import dataroom
from app.market import seed as listing_seed
from app.market.listing_models import Listing, ListingPatent

BIDDERS = (listing_seed.BUYER, COMPANY)


@dataclass(frozen=True)
class DemoAuction:
    title_en: str
    title_zh: str
    kind: str
    start: str
    reserve: str | None
    starts_before: timedelta  # how long before now bidding opened
    runs: timedelta  # planned length
    bids: tuple[tuple[int, str], ...]  # (index into BIDDERS, amount)
    close: bool = False


DEMO = (
    DemoAuction("English auction: battery separator patent", "英式拍卖：电池隔膜专利", "english", "200000", "300000",
                timedelta(days=2), timedelta(days=5), ((0, "260000"), (1, "320000"), (0, "350000"))),
    DemoAuction("English auction ending soon: charging circuit", "即将结束的英式拍卖：充电电路专利", "english", "80000",
                None, timedelta(days=3), timedelta(days=3, minutes=45), ((1, "90000"), (0, "100000"))),
    DemoAuction("Sealed-bid auction: thermal management patent", "密封竞价：热管理专利", "sealed", "150000", None,
                timedelta(days=1), timedelta(days=6), ((0, "180000"), (1, "210000"))),
    DemoAuction("Awarded auction: electrode coating patent", "已成交拍卖：电极涂布专利", "english", "100000", "120000",
                timedelta(days=10), timedelta(days=7), ((0, "130000"), (1, "150000"), (0, "170000")), close=True),
)  # fmt: skip


def _bidders() -> list[User]:
    buyer = find_user_by_email(listing_seed.BUYER)
    company = find_user_by_email(COMPANY) or ensure_demo_user(
        COMPANY, "赵经理 Zhao", "杭州新能电池科技有限公司", True, (Role.RIGHTS_HOLDER, Role.BUYER)
    )
    return [buyer, company]


def _listing(owner: User, admin: User, spec: DemoAuction, used: set[int]) -> Listing | None:
    mechanism = f"{spec.kind}_auction"
    demo = listing_seed.DemoListing(owner.email, spec.title_en, spec.title_zh, "assignment", mechanism, None)
    patents = listing_seed._pick(owner, demo, used)  # noqa: SLF001  (the listing seed's patent choice)
    if not patents:
        return None
    used.update(p.id for p in patents)
    return listing_seed._publish(owner, admin, demo, patents)  # noqa: SLF001


def _run(spec: DemoAuction, listing: Listing, owner: User, bidders: list[User]) -> None:
    now = clock.now()
    opened = now - spec.starts_before
    settings = services.AuctionSettings(
        kind=spec.kind,
        start_price=Money(Decimal(spec.start)),
        reserve=Money(Decimal(spec.reserve)) if spec.reserve else None,
        starts_at=opened,
        ends_at=opened + spec.runs,
        hard_end_at=opened + spec.runs + timedelta(minutes=30),
    )
    auction = services.configure_auction(listing, owner, settings)
    for bidder in bidders:
        dataroom.accept_nda(listing, bidder, None, "demo seed")
    was_frozen = clock.frozen
    try:
        for step, (index, amount) in enumerate(spec.bids, start=1):
            clock.freeze(opened + timedelta(hours=step))  # bids are placed while the auction ran
            services.place_bid(auction.id, bidders[index], Money(Decimal(amount)))
    finally:
        if was_frozen:
            clock.freeze(now)
        else:
            clock.unfreeze()
    if spec.close:
        services.close_auction(auction.id, system_actor())


def seed_auctions(echo: Callable[[str], None]) -> None:
    owner, admin = find_user_by_email(HOLDER), find_user_by_email(ADMIN)
    bidders = _bidders()
    if owner is None or admin is None or None in bidders:
        echo("  demo users missing: run the accounts seed first")
        return
    used = set(db.session.scalars(select(ListingPatent.patent_id)))
    created = 0
    for spec in DEMO:
        exists = db.session.scalar(
            select(Listing.id).where(Listing.seller_id == owner.id, Listing.title_en == spec.title_en)
        )
        if exists:
            continue
        listing = _listing(owner, admin, spec, used)
        if listing is None:
            echo(f"  no suitable patent for {spec.title_en!r}")
            continue
        _run(spec, listing, owner, bidders)
        created += 1
    db.session.flush()
    echo(f"  {created} demo auctions")
