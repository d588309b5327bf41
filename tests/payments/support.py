"""A deal signed by both parties and awaiting payment, on top of the market's builders."""

from __future__ import annotations

from app.extensions import db
from app.market import deal_services as deals
from app.market import offer_services as offers


def signed_deal(market, price: str = "400000"):
    offer = offers.make_offer(listing=market.listing, buyer=market.buyer, price=price, actor=market.buyer)
    deal = offers.accept_offer(offer, market.seller)
    contract = deals.draft_contract(deal, market.seller, "zh")
    deals.sign_contract(deal, market.seller, "陈教授", contract.text_sha256)
    deals.sign_contract(deal, market.buyer, "Liu Zong", contract.text_sha256)
    db.session.commit()
    return deal


def register(deal, market) -> None:
    deals.record_filing(deal, market.seller, "2026100012345", deals.today())
    deals.record_registration(deal, market.seller, deals.today(), "notice 7")
    db.session.commit()
