"""Negotiation and deal pages: thin views over offer_services and deal_services.

Each POST calls one service and commits once; a refused action becomes a flash message (the
same message the API answers with) and nothing is written.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import is_admin, login_required
from app.core.audit_chain import entries_for
from app.core.clock import clock
from app.core.errors import DomainError
from app.core.lifecycle import status_history
from app.core.page_actions import commit_or_flash
from app.core.pagination import paginate
from app.extensions import db
from app.market import bp, deal_services, offer_services, registration
from app.market import deal_states as dstates
from app.market import offer_states as ostates
from app.market.contracts import verify_contract
from app.market.deal_forms import (
    DraftContractForm,
    FilingForm,
    OfferForm,
    PaidForm,
    ReasonForm,
    RegistrationForm,
    RejectForm,
    SignForm,
)
from app.market.deal_models import Deal
from app.market.listing_models import Listing
from app.market.listing_services import can_view_listing, is_seller
from app.market.offer_models import Offer


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        deal_status_label=dstates.DEAL_LIFECYCLE.status_label,
        deal_action_label=dstates.DEAL_LIFECYCLE.action_label,
        money_status_label=dstates.MONEY_LIFECYCLE.status_label,
        offer_status_label=ostates.OFFER_LIFECYCLE.status_label,
        offer_action_label=ostates.OFFER_LIFECYCLE.action_label,
        deal_origin_label=lambda origin: str(dstates.ORIGIN_LABELS.get(origin, origin)),
        offer_form_for=_offer_form_for,
        may_offer=_may_offer,
        pending_offer_for=_pending_offer_for,
    )


def _expiry(form: OfferForm) -> dt.datetime:
    days = int(form.expires_in.data) if (form.expires_in.data or "").isdigit() else 14
    return clock.now() + dt.timedelta(days=days)


def remember_open_proposal(listing: Listing, offer_id: int | None) -> None:
    """The listing page read the viewer's open proposal with their other facts: the panel reuses it."""
    g.ipex_open_proposal = (listing.id, current_user.id, offer_id)


def _open_proposal(listing: Listing) -> Offer | None:
    known = g.get("ipex_open_proposal")
    if known is None or known[:2] != (listing.id, current_user.id):
        return offer_services.open_proposal(listing, current_user)
    offer = known[2]
    if isinstance(offer, int):  # loaded once, then held: the session keeps only weak references
        offer = db.session.get(Offer, offer)
        g.ipex_open_proposal = (*known[:2], offer)
    return offer


def _may_offer(listing: Listing) -> bool:
    """Whether the listing page shows this viewer the new-offer form (see ``_offer_form_for``)."""
    user = current_user
    if not getattr(user, "is_authenticated", False) or is_seller(user, listing):
        return False
    if listing.status != "published" or listing.price_mechanism != "negotiable":
        return False
    return _open_proposal(listing) is None


def _offer_form_for(listing: Listing) -> OfferForm | None:
    """The new-offer form on a listing page, for users who could make an offer now.

    None while the user's negotiation has an open proposal: the service refuses a second one, so
    the page shows that proposal and its answers instead (see ``pending_offer_for``).
    """
    if not _may_offer(listing):
        return None
    form = OfferForm(formdata=None)
    form.fill_from_terms(listing.terms_snapshot())
    return form


def _pending_offer_for(listing: Listing) -> Offer | None:
    """The open proposal of the current buyer's negotiation, which stands in for a new offer."""
    user = current_user
    if not getattr(user, "is_authenticated", False) or is_seller(user, listing):
        return None
    return _open_proposal(listing)


def _counter_form(offer: Offer, posted: OfferForm | None = None) -> OfferForm:
    """The counter-offer form of one proposal: its terms, or what was just typed into it."""
    form = posted
    if form is None:
        form = OfferForm(formdata=None)
        form.fill_from_terms(offer.terms)
        form.price.data = str(offer.price_amount)
    form.scope_ids(str(offer.id))
    return form


# ---- offers -------------------------------------------------------------------------------------


def _listing(listing_id: int) -> Listing:
    listing = db.session.get(Listing, listing_id)
    if listing is None or not can_view_listing(current_user, listing):
        abort(404)
    return listing


def _offer(offer_id: int) -> Offer:
    offer = db.session.get(Offer, offer_id)
    if offer is None or not offer_services.can_see_offer(current_user, offer):
        abort(404)  # offers are private to the negotiation: strangers learn nothing
    return offer


@bp.get("/listings/<int:listing_id>/offers")
@login_required
def listing_offers(listing_id: int):
    return _offers_page(_listing(listing_id))


def _offers_page(
    listing: Listing,
    new_form: OfferForm | None = None,
    status: int = 200,
    countered: tuple[int, OfferForm] | None = None,
):
    """The negotiation page; after a refused offer or counter-offer it keeps what was typed, with
    the reasons beside the fields (``countered`` is the answered proposal's id and the posted form)."""
    offers = offer_services.offers_visible_to(current_user, listing)
    blank_form = _offer_form_for(listing)
    allowed = {offer.id: offer_services.allowed_actions(current_user, offer) for offer in offers}
    posted_counter = dict([countered]) if countered else {}
    counter_forms = {
        offer.id: _counter_form(offer, posted_counter.get(offer.id))
        for offer in offers
        if "counter" in allowed[offer.id]
    }
    page = render_template(
        "market/offer_list.html",
        listing=listing,
        offers=offers,
        new_form=new_form if (new_form is not None and blank_form is not None) else blank_form,
        pending=_pending_offer_for(listing),
        counter_forms=counter_forms,
        reject_form=RejectForm(formdata=None),
        allowed=allowed,
        seller_side=is_seller(current_user, listing),
    )
    return page, status


def _refusal_on_form(form: OfferForm, error: DomainError) -> None:
    """Show a refusal beside the fields it names; anything else as a flash message."""
    unplaced = []
    for name, message in (error.fields or {}).items():
        field = getattr(form, name.removeprefix("terms."), None)  # the service names terms as in the API
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            unplaced.append(message)
    if not error.fields or unplaced:
        flash(" ".join(unplaced) or error.message, "error")


@bp.post("/listings/<int:listing_id>/offers")
@login_required
def make_offer(listing_id: int):
    listing = _listing(listing_id)
    form = OfferForm()
    if form.validate():
        try:
            offer_services.make_offer(
                listing=listing,
                buyer=current_user,
                price=form.price.data,
                actor=current_user,
                terms=form.term_changes(),
                expires_at=_expiry(form),
                message=form.message.data,
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            _refusal_on_form(form, error)
        else:
            flash(_("Your offer was sent to the seller."), "success")
            return redirect(url_for("market.listing_offers", listing_id=listing.id))
    return _offers_page(listing, new_form=form, status=422)


@bp.post("/offers/<int:offer_id>/<any(counter, accept, reject, withdraw):action>")
@login_required
def offer_action(offer_id: int, action: str):
    offer = _offer(offer_id)
    back = url_for("market.listing_offers", listing_id=offer.listing_id)
    if action == "counter":
        return _counter(offer, back)
    if action == "accept":
        deal = commit_or_flash(
            lambda: offer_services.accept_offer(offer, current_user), _("Accepted: the deal is open.")
        )
        if deal:
            return redirect(url_for("market.deal_detail", deal_id=deal.id))
    elif action == "reject":
        reason = RejectForm().reason.data
        commit_or_flash(
            lambda: offer_services.reject_offer(offer, current_user, reason), _("The offer was rejected.")
        )
    else:
        commit_or_flash(
            lambda: offer_services.withdraw_offer(offer, current_user), _("Your offer was withdrawn.")
        )
    return redirect(back)


def _counter(offer: Offer, back: str):
    """Send a counter-offer; a refused one re-renders the page (422) with the typed values kept."""
    form = OfferForm()
    if form.validate():
        try:
            offer_services.counter_offer(
                offer, current_user, price=form.price.data, terms=form.term_changes(),
                expires_at=_expiry(form), message=form.message.data,
            )  # fmt: skip
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            _refusal_on_form(form, error)
        else:
            flash(_("Your counter-offer was sent."), "success")
            return redirect(back)
    return _offers_page(offer.listing, status=422, countered=(offer.id, form))


# ---- deals --------------------------------------------------------------------------------------


def _deal(deal_id: int) -> Deal:
    deal = db.session.get(Deal, deal_id)
    if deal is None or not deal_services.can_view_deal(current_user, deal):
        abort(404)  # only the parties (and administrators) know a deal exists
    return deal


@bp.get("/deals")
@login_required
def deal_list():
    page = paginate(deal_services.deals_of(current_user))
    return render_template("market/deal_list.html", page=page)


@bp.get("/deals/<int:deal_id>")
@login_required
def deal_detail(deal_id: int):
    return _deal_page(_deal(deal_id))


def _deal_page(deal: Deal, status: int = 200, **posted):
    """The deal page; after a refused form, that form comes back with what was typed (``posted``)."""
    contract = deal.contract
    sign_form = SignForm(formdata=None)
    if contract is not None:
        sign_form.text_sha256.data = contract.text_sha256
    today = deal_services.today()
    forms = {
        "draft_form": DraftContractForm(formdata=None, language="zh" if _prefers_zh() else "en"),
        "sign_form": sign_form,
        "filing_form": FilingForm(formdata=None, filed_on=today),
        "registration_form": RegistrationForm(formdata=None, registered_on=today),
        "reason_form": ReasonForm(formdata=None),
        "paid_form": PaidForm(formdata=None),
    }
    forms.update(posted)
    page = render_template(
        "market/deal_detail.html",
        deal=deal,
        contract=contract,
        contract_ok=verify_contract(contract) if contract else None,
        side=deal_services.party_side(current_user, deal),
        actions=deal_services.allowed_deal_actions(current_user, deal),
        deadlines=registration.deadlines(deal),
        effect_note=registration.effect_note(deal),
        today=today,
        history=status_history(deal),
        trail=entries_for("deals", deal.id),
        **forms,
    )
    return page, status


def _prefers_zh() -> bool:
    from flask_babel import get_locale

    return str(get_locale() or "zh").startswith("zh")


@bp.get("/deals/<int:deal_id>/contract")
@login_required
def contract_print(deal_id: int):
    deal = _deal(deal_id)
    if deal.contract is None:
        abort(404)
    return render_template("market/contract_print.html", deal=deal, contract=deal.contract,
                           contract_ok=verify_contract(deal.contract))  # fmt: skip


def _back(deal: Deal):
    return redirect(url_for("market.deal_detail", deal_id=deal.id))


@bp.post("/deals/<int:deal_id>/contract")
@login_required
def deal_draft_contract(deal_id: int):
    deal = _deal(deal_id)
    language = DraftContractForm().language.data or "zh"
    commit_or_flash(
        lambda: deal_services.draft_contract(deal, current_user, language),
        _("The contract is ready to sign."),
    )
    return _back(deal)


@bp.post("/deals/<int:deal_id>/sign")
@login_required
def deal_sign(deal_id: int):
    deal = _deal(deal_id)
    form = SignForm()
    commit_or_flash(
        lambda: deal_services.sign_contract(
            deal, current_user, form.typed_name.data or "", form.text_sha256.data or "", request.remote_addr
        ),
        _("You signed the contract."),
    )
    return _back(deal)


@bp.post("/deals/<int:deal_id>/filing")
@login_required
def deal_filing(deal_id: int):
    deal = _deal(deal_id)
    form = FilingForm()
    if not form.validate():
        flash(_("Enter the filing number and the date (YYYY-MM-DD)."), "error")
        return _deal_page(deal, 422, filing_form=form)
    done = commit_or_flash(
        lambda: deal_services.record_filing(deal, current_user, form.filing_number.data, form.filed_on.data),
        _("The filing is recorded."),
    )
    return _back(deal) if done else _deal_page(deal, 422, filing_form=form)


@bp.post("/deals/<int:deal_id>/registration")
@login_required
def deal_registration(deal_id: int):
    deal = _deal(deal_id)
    form = RegistrationForm()
    if not form.validate():
        flash(_("Enter the registration date (YYYY-MM-DD)."), "error")
        return _deal_page(deal, 422, registration_form=form)
    done = commit_or_flash(
        lambda: deal_services.record_registration(
            deal, current_user, form.registered_on.data, form.notice.data
        ),
        _("The registration is recorded and the catalogue updated."),
    )
    return _back(deal) if done else _deal_page(deal, 422, registration_form=form)


@bp.post("/deals/<int:deal_id>/<any(cancel, dispute, resolve):action>")
@login_required
def deal_reason_action(deal_id: int, action: str):
    deal = _deal(deal_id)
    reason = ReasonForm().reason.data or ""
    verbs = {
        "cancel": (deal_services.cancel_deal, _("The deal is cancelled.")),
        "dispute": (deal_services.raise_dispute, _("Your dispute is recorded; an administrator will contact both sides.")),
        "resolve": (deal_services.resolve_dispute, _("The dispute is resolved.")),
    }  # fmt: skip
    service, success = verbs[action]
    commit_or_flash(lambda: service(deal, current_user, reason), success)
    return _back(deal)


@bp.post("/deals/<int:deal_id>/paid")
@login_required
def deal_mark_paid(deal_id: int):
    deal = _deal(deal_id)
    if not is_admin(current_user):
        abort(403)
    reference = PaidForm().reference.data or ""
    commit_or_flash(
        lambda: deal_services.mark_paid_manually(deal, current_user, reference), _("The payment is recorded.")
    )
    return _back(deal)
