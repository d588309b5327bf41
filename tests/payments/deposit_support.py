"""An auction that requires a deposit, two qualified bidders, the close and the winner's signed deal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from app.accounts.models import Role
from app.core.actors import system_actor
from app.core.money import Money
from app.extensions import db
from app.market import auction_services
from app.market import deal_services as deals
from app.market.deal_models import Deal
from app.payments import deposits
from tests.market.auction_support import bid, make_auction, make_bidder, make_seller


@dataclass
class DepositAuction:
    auction: object
    seller: object
    winner: object
    loser: object
    admin: object


def deposit_auction(make_user, duration=timedelta(days=3), deposit="2000", kind="english") -> DepositAuction:
    seller = make_seller(make_user, email="seller@example.com")
    auction = make_auction(seller, kind=kind, start="10000", duration=duration, hard_extra=timedelta(0))
    deposits.set_terms(auction, seller, Money(Decimal(deposit)), 5)
    db.session.commit()
    winner = make_bidder(make_user, auction, email="winner@example.com")
    loser = make_bidder(make_user, auction, email="loser@example.com")
    admin = make_user(email="admin@example.com", roles=(Role.ADMIN,), organisation="IPEX", verified=True)
    db.session.commit()
    return DepositAuction(auction, seller, winner, loser, admin)


def bid_and_close(case: DepositAuction, frozen_clock, winning="15000", losing="12000"):
    bid(case.auction, case.loser, losing)
    bid(case.auction, case.winner, winning)
    frozen_clock.advance(case.auction.ends_at - frozen_clock.now() + timedelta(seconds=1))
    closed = auction_services.close_auction(case.auction.id, system_actor())
    db.session.commit()
    return closed


def signed_auction_deal(case: DepositAuction) -> Deal:
    deal = db.session.get(Deal, case.auction.deal_id)
    contract = deals.draft_contract(deal, case.seller, "zh")
    deals.sign_contract(deal, case.seller, "陈教授", contract.text_sha256)
    deals.sign_contract(deal, case.winner, "Liu Zong", contract.text_sha256)
    db.session.commit()
    return deal
