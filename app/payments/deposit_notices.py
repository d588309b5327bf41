"""What deposits tell people: held, released or refunded, forfeited (in the reader's language)."""

from __future__ import annotations

from app.core.notifications import notify, register_kind
from app.payments.deposit_models import AuctionDeposit


def N_(message: str) -> str:  # noqa: N802  (marks a message id for extraction; translated when shown)
    return message


KINDS = {
    "deposit_held": (
        N_("Your deposit is held"),
        N_("Your deposit of %(amount)s for “%(title)s” is held: you may bid."),
    ),
    "deposit_returned": (
        N_("Your deposit is on its way back"),
        N_("The auction of “%(title)s” has ended: your deposit of %(amount)s was released or refunded."),
    ),
    "deposit_forfeited": (
        N_("A deposit was forfeited"),
        N_("The deposit of %(amount)s for “%(title)s” was forfeited: the winner did not pay in time."),
    ),
}
for _name, (_title, _body) in KINDS.items():
    register_kind(_name, _title, _body)


def _params(deposit: AuctionDeposit) -> dict:
    return {"title": deposit.auction.listing.title, "amount": f"{deposit.currency} {deposit.amount:,.2f}"}


def _link(deposit: AuctionDeposit) -> str:
    return f"/payments/auctions/{deposit.auction_id}/deposit"


def tell_bidder(deposit: AuctionDeposit, kind: str) -> None:
    notify(deposit.bidder, kind, _params(deposit), _link(deposit), dedupe_key=f"{kind}:{deposit.id}")


def forfeited(deposit: AuctionDeposit) -> None:
    """The winner and the seller both learn of it."""
    tell_bidder(deposit, "deposit_forfeited")
    seller = deposit.auction.listing.seller
    notify(seller, "deposit_forfeited", _params(deposit), f"/market/auctions/{deposit.auction_id}",
           dedupe_key=f"deposit_forfeited:{deposit.id}:seller")  # fmt: skip
