"""Demo negotiation and deals, after the demo listings: every role sees the workflow on first login.

- a negotiation in progress: the buyer's offer on the EV exclusive licence, countered by the holder;
- a deal waiting for registration: the company's licence of the data-security bundle, signed and filed;
- a completed deal: the buyer's fixed-price assignment of the manufacturing method, registered and
  paid (its ClosedDeal is labelled generated demo data).
Everything goes through the same services as the pages. Idempotent: a step whose listing already
has an offer or a deal from that buyer is skipped.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.services import find_user_by_email
from app.catalogue.demo_content import ADMIN, COMPANY, HOLDER
from app.extensions import db
from app.market import deal_services, offer_services
from app.market.deal_models import Deal
from app.market.listing_models import Listing
from app.market.listing_services import buy_now
from app.market.offer_models import Offer
from app.market.seed import BUYER


def _listing(owner: User, title_en: str) -> Listing | None:
    return db.session.scalar(
        select(Listing).where(Listing.seller_id == owner.id, Listing.title_en == title_en)
    )


def _touched(listing: Listing, buyer: User) -> bool:
    offered = db.session.scalar(
        select(Offer.id).where(Offer.listing_id == listing.id, Offer.buyer_id == buyer.id)
    )
    dealt = db.session.scalar(select(Deal.id).where(Deal.listing_id == listing.id, Deal.buyer_id == buyer.id))
    return bool(offered or dealt)


def _sign_both(deal: Deal, seller: User, buyer: User, language: str) -> None:
    contract = deal_services.draft_contract(deal, seller, language)
    deal_services.sign_contract(deal, seller, seller.display_name, contract.text_sha256)
    deal_services.sign_contract(deal, buyer, buyer.display_name, contract.text_sha256)


def _negotiation(holder: User, buyer: User) -> str:
    listing = _listing(holder, "Exclusive licence for electric vehicles")
    if listing is None or listing.status != "published" or _touched(listing, buyer):
        return "negotiation: skipped"
    offer = offer_services.make_offer(
        listing=listing, buyer=buyer, price="65万", actor=buyer, terms={"term_months": 36},
        message="我们计划明年量产，希望许可期限为三年。",
    )  # fmt: skip
    offer_services.counter_offer(
        offer, holder, price="72万", terms={"term_months": 48}, message="可接受四年期限，入门费 72 万元。"
    )
    return "negotiation: offer countered, waiting for the buyer"


def _awaiting_registration(holder: User, company: User) -> str:
    listing = _listing(holder, "Bundle of two data-security patents")
    if listing is None or listing.status != "published" or _touched(listing, company):
        return "deal awaiting registration: skipped"
    offer = offer_services.make_offer(listing=listing, buyer=company, price="34万", actor=company)
    deal = offer_services.accept_offer(offer, holder)
    deal.is_demo = True
    _sign_both(deal, holder, company, "zh")
    deal_services.record_filing(deal, holder, "2026-LR-330105-0088", deal_services.today())
    return f"deal {deal.reference}: filed, waiting for CNIPA's registration"


def _completed(company: User, buyer: User, admin: User) -> str:
    listing = _listing(company, "Manufacturing method, assignment")
    if listing is None or listing.status != "published" or _touched(listing, buyer):
        return "completed deal: skipped"
    deal = buy_now(listing, buyer)
    deal.is_demo = True
    _sign_both(deal, company, buyer, "zh")
    deal_services.mark_paid_manually(deal, admin, "DEMO-ICBC-20261201")
    today = deal_services.today()
    deal_services.record_filing(deal, company, "CNIPA-ZR-2026-0042", today)
    deal_services.record_registration(deal, company, today, "专利权转移登记通知书（演示）")
    return f"deal {deal.reference}: registered and paid, completed"


def seed_deals(echo: Callable[[str], None]) -> None:
    users = {email: find_user_by_email(email) for email in (HOLDER, COMPANY, BUYER, ADMIN)}
    if not all(users.values()):
        echo("  demo users missing: run the accounts step first")
        return
    echo("  " + _negotiation(users[HOLDER], users[BUYER]))
    echo("  " + _awaiting_registration(users[HOLDER], users[COMPANY]))
    echo("  " + _completed(users[COMPANY], users[BUYER], users[ADMIN]))
    db.session.flush()


def register_seed() -> None:
    from app.core.seed import add_seed_step

    add_seed_step("market offers and deals", 65, seed_deals)
