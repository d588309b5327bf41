"""Auction pages: the auction page and the panel on the listing page, bidding, the seller's
settings, an administrator's retraction, the seller's second-chance offer. Thin: validate, call
one service, map refusals to messages; the API shares ``viewable_auction`` and ``bid_or_close``.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import joinedload

from app.accounts.permissions import admin_required, is_admin, is_authenticated, login_required
from app.core.actors import system_actor
from app.core.errors import DomainError, NotFound
from app.core.lifecycle import status_history
from app.core.money import MoneyError, parse_money
from app.core.navigation import NavItem, add_nav_item
from app.extensions import db
from app.market import auction_display as display
from app.market import auction_engine as engine
from app.market import auction_services as services
from app.market import auction_states as states
from app.market import bp
from app.market.auction_forms import (
    AuctionSettingsForm,
    BidForm,
    CancelForm,
    RetractForm,
    SecondChanceForm,
)
from app.market.auction_jobs import enqueue_close_if_due
from app.market.auction_models import Auction, AuctionBid
from app.market.auction_retraction import retract_bid
from app.market.listing_models import Listing
from app.market.listing_services import can_manage, can_view_listing, is_seller
from app.market.listing_states import PUBLIC_STATUSES


class Busy(DomainError):
    """SQLite could not take the write lock in time: nothing was written; try again."""

    status_code = 503


_WITH_LISTING = (joinedload(Auction.listing),)  # built once: a loader option costs more to make than to use


def viewable_auction(auction_id: int, *listing_columns) -> Auction:
    """The auction with its listing, or 404; with ``listing_columns`` only those of the listing
    (its row is ~240 columns wide; others load when first used)."""
    options = (joinedload(Auction.listing).load_only(*listing_columns),) if listing_columns else _WITH_LISTING
    auction = db.session.get(Auction, auction_id, options=options)
    if auction is None or not can_view_listing(current_user, auction.listing):
        raise NotFound(_("There is no such auction."))
    return auction


def bid_or_close(
    auction: Auction,
    amount,
    request: services.BidRequestKey | None = None,
    before_commit: Callable[[services.BidResult], None] | None = None,
    *,
    retry: bool = True,
) -> services.BidResult:
    """Place the current user's bid and commit once; an ended auction is closed first (lazily) and
    refused. ``before_commit`` runs in the bid's transaction (the API stores its answer for the key).

    The commit keeps the session's objects loaded: they hold exactly what was committed, and the
    answer is rendered from them without reloading the auction, the listing and the user.
    """
    if services.needs_closing(auction):
        services.close_auction(auction.id, system_actor())
        db.session.commit()
        raise services.AuctionNotOpen(auction, _("The auction has ended."))
    session = db.session()
    try:
        result = services.place_bid(
            auction.id, current_user._get_current_object(), amount, request, seen=auction
        )
        if before_commit is not None and result.replayed is None:
            before_commit(result)
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    except OperationalError as error:
        db.session.rollback()
        if "locked" not in str(error):
            raise
        raise Busy(
            _("Many bids are arriving at this moment; nothing was recorded. Please try again.")
        ) from None
    except IntegrityError:
        db.session.rollback()
        if request is None or not retry:
            raise
        # The same key won on another auction at the same moment: ask again, now it is visible.
        return bid_or_close(auction, amount, request, before_commit, retry=False)
    except DomainError:
        _rollback_keeping_the_user()  # releases the auction's lock at once
        raise
    return result


def _rollback_keeping_the_user() -> None:
    """Roll back a refused bid, which wrote nothing, without expiring the signed-in user: the answer
    (its Cache-Control asks whether someone is signed in) would otherwise read the user again."""
    session = db.session()
    user = current_user._get_current_object()
    kept = is_authenticated(user) and user in session
    if kept:
        session.expunge(user)
    session.rollback()
    if kept:
        session.add(user)


def auction_panel_for(listing: Listing) -> display.Summary | None:
    """For the listing page's include: the viewer's summary of the listing's auction."""
    auction = services.auction_for_listing(listing) if listing.is_auction else None
    return display.summary(auction, current_user) if auction else None


def init_app(app: Flask) -> None:
    app.jinja_env.globals["auction_panel_for"] = auction_panel_for
    app.jinja_env.globals["auction_of"] = services.auction_for_listing
    app.jinja_env.globals["bid_form"] = BidForm
    app.jinja_env.globals["auction_status_label"] = states.AUCTION_LIFECYCLE.status_label
    add_nav_item(NavItem("market.auction_index", _l("Auctions"), lambda user: True, order=46))
    from app.core.seed import add_seed_step
    from app.market.auction_seed import seed_auctions

    add_seed_step("market auctions", 90, seed_auctions)  # after the listing (60) and deal seeds


@bp.get("/auctions")
def auction_index():
    auctions = db.session.scalars(
        select(Auction)
        .join(Listing, Listing.id == Auction.listing_id)
        .where(Listing.status.in_(PUBLIC_STATUSES), Auction.status.in_(states.LIVE_STATUSES))
        .order_by(Auction.ends_at)
        .limit(100)
    ).all()
    return render_template(
        "market/auction_index.html",
        summaries=[display.summary(a, current_user) for a in auctions],
        mine=_my_auction_listings(),
    )


def _my_auction_listings() -> list[tuple[Listing, Auction | None]]:
    """The signed-in seller's auction-priced listings (their organisation's too), set up or not."""
    if not current_user.is_authenticated:
        return []
    owned = Listing.seller_id == current_user.id
    if current_user.organisation_id:
        owned = owned | (Listing.organisation_id == current_user.organisation_id)
    rows = db.session.execute(
        select(Listing, Auction)
        .outerjoin(Auction, Auction.listing_id == Listing.id)
        .where(owned, Listing.price_mechanism.in_(("english_auction", "sealed_auction")))
        .order_by(Listing.id.desc())
        .limit(100)
    )
    return [(listing, auction) for listing, auction in rows]


def _cancellation(auction: Auction):
    if auction.status != states.CANCELLED:
        return None
    return next((e for e in reversed(status_history(auction)) if e.action == "cancel"), None)


def _cancel_form(auction: Auction) -> CancelForm | None:
    if not is_admin(current_user) or not states.AUCTION_LIFECYCLE.can(auction.status, "cancel"):
        return None
    return CancelForm()


def _detail(
    auction: Auction, form: BidForm | None = None, status: int = 200, cancel_form: CancelForm | None = None
):
    enqueue_close_if_due(auction)
    seller_side = is_seller(current_user, auction.listing) or is_admin(current_user)
    page = render_template(
        "market/auction_detail.html",
        auction=auction,
        listing=auction.listing,
        panel=display.summary(auction, current_user),
        history=display.history(auction, current_user),
        extensions=display.extensions(auction),
        form=form or BidForm(),
        retract_form=RetractForm() if is_admin(current_user) else None,
        second_chance_form=_second_chance_form(auction),
        cancel_form=cancel_form or _cancel_form(auction),
        cancellation=_cancellation(auction),
        seller_side=seller_side,
    )
    return page, status


@bp.get("/auctions/<int:auction_id>")
def auction_detail(auction_id: int):
    return _detail(viewable_auction(auction_id))


@bp.post("/auctions/<int:auction_id>/bids")
@login_required
def auction_bid(auction_id: int):
    auction = viewable_auction(auction_id)
    form = BidForm()
    amount = form.money(auction.currency) if form.validate_on_submit() else None
    if amount is None:
        return _detail(auction, form, 422)
    request = (
        services.BidRequestKey.of("form", form.request_token.data, auction.id, str(amount.amount))
        if form.request_token.data
        else None
    )
    try:
        result = bid_or_close(auction, amount, request)
    except DomainError as error:
        form.amount.errors = [error.message]
        return _detail(db.session.get(Auction, auction_id), form, error.status_code)
    if result.replayed is not None:
        flash(_("This form was already sent: your bid was recorded once."), "info")
    elif result.position == "leading":
        flash(_("Your bid is in: you are the leading bidder."), "success")
    elif auction.is_sealed:
        flash(_("Your sealed bid is in. Nobody else sees it before the close."), "success")
    else:
        flash(_("Your bid is in, but another bidder's maximum is higher. You may bid again."), "warning")
    return redirect(url_for("market.auction_detail", auction_id=auction_id))


@bp.route("/listings/<int:listing_id>/auction", methods=["GET", "POST"])
@login_required
def auction_settings(listing_id: int):
    listing = db.session.get(Listing, listing_id)
    if listing is None or not can_manage(current_user, listing):
        raise NotFound(_("There is no such listing."))
    if not listing.is_auction:
        flash(_("Choose an auction as the listing's price mechanism first."), "warning")
        return redirect(url_for("market.listing_detail", listing_id=listing.id))
    auction = services.auction_for_listing(listing)
    form = AuctionSettingsForm()
    if not form.is_submitted():
        form.fill_increments(auction.rules.increments if auction else engine.DEFAULT_INCREMENTS)
        _fill_deposit(auction, form)
    kind = listing.price_mechanism.removesuffix("_auction")
    settings = (
        form.settings(kind, listing.currency, current_user.timezone) if form.validate_on_submit() else None
    )
    if settings is not None:
        try:
            auction = services.configure_auction(listing, current_user, settings)
            _set_deposit(auction, form)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            for name, message in error.fields.items():
                getattr(form, name, form.start_price).errors = [message]
            if not error.fields:
                flash(error.message, "error")
        else:
            flash(_("The auction is set up."), "success")
            return redirect(url_for("market.auction_detail", auction_id=auction.id))
    failed = form.is_submitted()
    return render_template("market/auction_settings.html", form=form, listing=listing, auction=auction), (
        422 if failed else 200
    )


def _set_deposit(auction: Auction, form: AuctionSettingsForm) -> None:
    """The deposit belongs to payments; it is set in the same transaction as the settings."""
    from app.payments import deposits

    amount = deposits.read_amount(form.deposit.data, auction.currency)
    deposits.set_terms(auction, current_user, amount, form.payment_days.data)


def _fill_deposit(auction: Auction | None, form: AuctionSettingsForm) -> None:
    from app.payments import deposits

    terms = deposits.terms_for(auction) if auction else None
    if terms is not None:
        form.deposit.data, form.payment_days.data = f"{terms.amount:.2f}", terms.payment_days


@bp.post("/auctions/<int:auction_id>/bids/<int:bid_id>/retract")
@admin_required
def auction_retract(auction_id: int, bid_id: int):
    auction = viewable_auction(auction_id)
    bid = db.session.get(AuctionBid, bid_id)
    form = RetractForm()
    if bid is None or bid.auction_id != auction.id:
        raise NotFound(_("There is no such bid."))
    if not form.validate_on_submit():
        flash(_("Give the reason for the retraction."), "error")
        return redirect(url_for("market.auction_detail", auction_id=auction_id))
    try:
        retract_bid(bid.id, current_user, form.reason.data)
        db.session.commit()
        flash(_("The bid was retracted and the price recomputed."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("market.auction_detail", auction_id=auction_id))


@bp.post("/auctions/<int:auction_id>/cancel")
@admin_required
def auction_cancel(auction_id: int):
    auction = viewable_auction(auction_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _detail(auction, status=422, cancel_form=form)
    try:
        services.cancel_auction(auction.id, current_user, form.reason.data)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        form.reason.errors = [error.fields.get("reason", error.message)]
        return _detail(db.session.get(Auction, auction_id), status=error.status_code, cancel_form=form)
    flash(_("The auction was cancelled; its bidders and watchers were told why."), "success")
    return redirect(url_for("market.auction_detail", auction_id=auction_id))


def _second_chance_form(auction: Auction) -> SecondChanceForm | None:
    if auction.status != states.RESERVE_NOT_MET or not is_seller(current_user, auction.listing):
        return None
    form = SecondChanceForm()
    if not form.is_submitted():
        form.price.data = f"{auction.reserve_price or auction.hammer_price:.2f}"
    return form


@bp.post("/auctions/<int:auction_id>/second-chance")
@login_required
def auction_second_chance(auction_id: int):
    auction = viewable_auction(auction_id)
    form = SecondChanceForm()
    if not form.validate_on_submit():
        flash(_("Enter the price you offer."), "error")
        return redirect(url_for("market.auction_detail", auction_id=auction_id))
    try:
        price = parse_money(form.price.data, auction.currency)
        offer = services.second_chance_offer(auction.id, current_user, price, form.message.data)
        db.session.commit()
    except (DomainError, MoneyError) as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("market.auction_detail", auction_id=auction_id))
    flash(_("Your offer was sent to the top bidder."), "success")
    return redirect(url_for("market.listing_offers", listing_id=offer.listing_id))
