"""Listing pages: browse, detail, the seller's forms and actions, moderation, the seller dashboard.

Views are thin: a form or a button calls one service, domain errors become flash messages or
field errors, and the request commits once. Every GET is read-only (views are counted by a POST
the page's script sends).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.permissions import admin_required, is_authenticated, login_required
from app.catalogue.display import publication_display
from app.catalogue.models import Patent
from app.catalogue.validation import ValidationFailed
from app.core.errors import DomainError
from app.core.lifecycle import status_history
from app.core.page_cache import leave_pages_alone
from app.core.pagination import paginate
from app.extensions import db
from app.market import bp, dataroom, listing_search, listing_services, listing_valuation, watchlist
from app.market import listing_states as states
from app.market.deal_routes import remember_open_proposal
from app.market.listing_charts import funnel_chart, funnel_series, range_bar
from app.market.listing_forms import (
    CONTACT_LABELS,
    MECHANISM_LABELS,
    RIGHT_LABELS,
    ListingForm,
    PolicyForm,
    RejectForm,
)
from app.market.listing_models import RIGHT_TYPES, Listing
from app.market.open_licence import find_acceptance


def get_listing(listing_id: int, *, manage: bool = False) -> Listing:
    """The listing if the current user may see it (404 otherwise, so drafts stay secret)."""
    listing = db.session.get(Listing, listing_id)
    if listing is None or not listing_services.can_view_listing(current_user, listing):
        abort(404)
    if manage and not listing_services.can_manage(current_user, listing):
        abort(403)
    return listing


def run_action(action, success: str, listing: Listing):
    """Call a service for a button, commit, and go back to the listing with a message."""
    try:
        result = action()
        db.session.commit()
        flash(success, "success")
        return result
    except DomainError as error:
        db.session.rollback()
        flash(
            error.message if not isinstance(error, ValidationFailed) else " ".join(error.fields.values()),
            "error",
        )
    return None


def init_app(app) -> None:
    app.jinja_env.globals.update(
        listing_status_label=lambda status: str(states.STATUS_LABELS.get(status, status)),
        right_label=lambda value: str(RIGHT_LABELS.get(value, value)),
        mechanism_label=lambda value: str(MECHANISM_LABELS.get(value, value)),
        contact_label=lambda value: str(CONTACT_LABELS.get(value, value)),
        range_bar=range_bar,
        publication_display=publication_display,
    )
    listing_search.register()
    from app.market import listing_nav

    listing_nav.register()


# ---- browse and read -------------------------------------------------------------------------


@bp.get("/listings")
def listings():
    right = request.args.get("right")
    query = select(Listing).where(Listing.status == states.PUBLISHED)
    if right in RIGHT_TYPES:
        query = query.where(Listing.right_type == right)
    mechanism = request.args.get("mechanism")
    if mechanism in MECHANISM_LABELS:
        query = query.where(Listing.price_mechanism == mechanism)
    page = paginate(
        query.order_by(Listing.featured.desc(), Listing.published_at.desc(), Listing.id.desc()), per_page=12
    )
    return render_template("market/listing_index.html", page=page, args=request.args, rights=RIGHT_TYPES)


@bp.get("/listings/<int:listing_id>")
def listing_detail(listing_id: int):
    listing = get_listing(listing_id)
    manage = listing_services.can_manage(current_user, listing)
    findings = listing_services.diligence_for(listing) if manage else []
    standing = None
    if not manage and is_authenticated(current_user):
        standing = listing_services.buyer_standing(listing, current_user)
        remember_open_proposal(listing, standing.open_proposal_id)  # for the offer panel
    # The due diligence, value and similar listings are read only when the page's shared fragments
    # are not already rendered for this data version.
    return render_template(
        "market/listing_detail.html",
        listing=listing,
        manage=manage,
        seller_side=listing_services.is_seller(current_user, listing),
        load_findings=lambda: listing_services.diligence_for(listing),
        blocking=[f for f in findings if f.level == "block"],
        load_value=lambda: listing_valuation.listing_value(listing),
        documents=dataroom.document_summary(listing),
        nda_accepted=standing is not None and standing.nda_accepted,
        nda_text=listing_services.nda_text(listing),
        watching=standing.watching if standing is not None else watchlist.is_watching(current_user, listing),
        acceptance=find_acceptance(listing, current_user) if listing.right_type == "open_licence" else None,
        load_similar=lambda: listing_search.similar_listings(listing),
        allowed=[
            a for a in states.LISTING_LIFECYCLE.allowed_actions(listing.status) if a in states.SELLER_ACTIONS
        ],
        history=status_history(listing) if manage else [],
    )


@bp.post("/listings/<int:listing_id>/seen")
def listing_seen(listing_id: int):
    """The page's script reports a view (kept out of the GET so reading never writes)."""
    listing = get_listing(listing_id)
    listing_services.record_view(listing, current_user)
    leave_pages_alone()  # every browser view posts this: it must not retire the anonymous page cache
    db.session.commit()
    return "", 204


# ---- the seller's forms ----------------------------------------------------------------------


def _form_page(form: ListingForm, listing: Listing | None = None):
    failed = form.is_submitted() and (form.errors or form.form_errors)
    return render_template("market/listing_form.html", form=form, listing=listing), 422 if failed else 200


@bp.route("/listings/new", methods=["GET", "POST"])
@login_required
def listing_new():
    form = ListingForm()
    form.set_subject_choices(current_user)
    if request.method == "GET" and request.args.get("patent"):
        form.patent_ids.data = [request.args["patent"]]
    if request.method == "GET" and request.args.get("project"):
        form.project_id.data = request.args["project"]
    if form.validate_on_submit():
        try:
            listing = listing_services.create_listing(current_user, form.values())
            db.session.commit()
            flash(_("Draft saved. Check the due-diligence panel, then submit it for review."), "success")
            return redirect(url_for("market.listing_detail", listing_id=listing.id))
        except ValidationFailed as error:
            db.session.rollback()
            form.add_errors(error.fields)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
    return _form_page(form)


@bp.route("/listings/<int:listing_id>/edit", methods=["GET", "POST"])
@login_required
def listing_edit(listing_id: int):
    listing = get_listing(listing_id, manage=True)
    form = ListingForm()
    form.set_subject_choices(listing.seller)
    if request.method == "GET":
        form.load(listing)
    elif form.validate_on_submit():
        try:
            listing_services.update_listing(listing, current_user, form.values())
            db.session.commit()
            flash(_("Listing saved."), "success")
            return redirect(url_for("market.listing_detail", listing_id=listing.id))
        except ValidationFailed as error:
            db.session.rollback()
            form.add_errors(error.fields)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
    return _form_page(form, listing)


@bp.post("/listings/<int:listing_id>/<any(submit, withdraw, relist):action>")
@login_required
def listing_action(listing_id: int, action: str):
    listing = get_listing(listing_id, manage=True)
    verbs = {
        "submit": (listing_services.submit_listing, _("Submitted for review.")),
        "withdraw": (listing_services.withdraw_listing, _("The listing is withdrawn.")),
        "relist": (listing_services.relist, _("The listing is a draft again: edit it and submit it.")),
    }
    service, message = verbs[action]
    run_action(lambda: service(listing, current_user), message, listing)
    return redirect(url_for("market.listing_detail", listing_id=listing.id))


@bp.post("/listings/<int:listing_id>/buy")
@login_required
def listing_buy(listing_id: int):
    listing = get_listing(listing_id)
    deal = run_action(
        lambda: listing_services.buy_now(listing, current_user),
        _("Bought at the asking terms: the deal is open."),
        listing,
    )
    if deal is not None:
        return redirect(url_for("market.deal_detail", deal_id=deal.id))
    return redirect(url_for("market.listing_detail", listing_id=listing.id))


@bp.post("/listings/<int:listing_id>/watch")
@login_required
def listing_watch(listing_id: int):
    listing = get_listing(listing_id)
    if request.form.get("stop"):
        run_action(
            lambda: watchlist.unwatch(current_user, listing=listing),
            _("Removed from your watch list."),
            listing,
        )
    else:
        run_action(
            lambda: watchlist.watch(current_user, listing=listing), _("Added to your watch list."), listing
        )
    return redirect(url_for("market.listing_detail", listing_id=listing.id))


@bp.post("/patents/<int:patent_id>/watch")
@login_required
def patent_watch(patent_id: int):
    patent = db.session.get(Patent, patent_id)
    if patent is None or not patent.can_view(current_user):
        abort(404)
    try:
        watchlist.watch(current_user, patent=patent)
        db.session.commit()
        flash(_("Added to your watch list."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("catalogue.patent_detail", patent_id=patent.id))


@bp.get("/watchlist")
@login_required
def watch_list():
    return render_template("market/watch_list.html", rows=watchlist.watch_list(current_user))


@bp.get("/my/listings")
@login_required
def my_listings():
    mine = select(Listing).where(
        (Listing.seller_id == current_user.id)
        | ((Listing.organisation_id == current_user.organisation_id) & Listing.organisation_id.is_not(None))
    )
    rows = db.session.scalars(mine.order_by(Listing.updated_at.desc()).limit(200)).all()
    return render_template("market/listing_mine.html", listings=rows)


@bp.get("/listings/<int:listing_id>/dashboard")
@login_required
def listing_dashboard(listing_id: int):
    listing = get_listing(listing_id, manage=True)
    series = funnel_series(listing)
    return render_template(
        "market/listing_dashboard.html",
        listing=listing,
        series=series,
        chart=funnel_chart(series),
        totals={name: sum(values) for name, values in series.counts.items()},
        ndas=dataroom.nda_acceptances(listing),
        accesses=dataroom.access_log(listing),
    )


# ---- moderation ------------------------------------------------------------------------------


@bp.get("/admin/listings")
@admin_required
def moderation_queue():
    queue = db.session.scalars(
        select(Listing).where(Listing.status == states.SUBMITTED).order_by(Listing.submitted_at)
    ).all()
    policy = PolicyForm(auto_publish_verified=listing_services.auto_publish_verified())
    return render_template(
        "market/listing_moderation.html",
        queue=queue,
        policy=policy,
        reject_form=RejectForm(),
        findings={listing.id: listing_services.diligence_for(listing) for listing in queue},
    )


@bp.post("/admin/listings/<int:listing_id>/<any(approve, reject, feature):action>")
@admin_required
def moderate_listing(listing_id: int, action: str):
    listing = get_listing(listing_id)
    if action == "approve":
        run_action(lambda: listing_services.approve_listing(listing, current_user), _("Published."), listing)
    elif action == "feature":
        run_action(
            lambda: listing_services.set_featured(listing, current_user, not listing.featured),
            _("Saved."),
            listing,
        )
        return redirect(url_for("market.listing_detail", listing_id=listing.id))
    else:
        form = RejectForm()
        reason = form.reason.data if form.validate_on_submit() else ""
        run_action(
            lambda: listing_services.reject_listing(listing, current_user, reason),
            _("Returned to the seller."),
            listing,
        )
    return redirect(url_for("market.moderation_queue"))


@bp.post("/admin/listings/policy")
@admin_required
def moderation_policy():
    form = PolicyForm()
    if form.validate_on_submit():
        listing_services.set_auto_publish_verified(form.auto_publish_verified.data, current_user)
        db.session.commit()
        flash(_("Saved."), "success")
    return redirect(url_for("market.moderation_queue"))


from app.market import dataroom_routes, enquiry_routes  # noqa: E402,F401  (routes on the same blueprint)
