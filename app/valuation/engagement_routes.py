"""Pages for the engagement behind a report and the assessor's sign-off (registered on the
valuation blueprint)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import login_required
from app.catalogue import services as catalogue_services
from app.catalogue.models import Patent
from app.core.errors import DomainError
from app.extensions import db
from app.valuation import engagements, services
from app.valuation.engagement_forms import GENERAL_ASSUMPTIONS, EngagementForm, SignForm
from app.valuation.engagement_models import BASIS_LABELS, PURPOSE_LABELS, STATUS_LABELS
from app.valuation.inputs import LISTING_TYPES
from app.valuation.models import ENSEMBLE_ROW
from app.valuation.routes import bp


def _listing_type() -> str:
    wanted = request.values.get("listing_type", "default")
    return wanted if wanted in LISTING_TYPES else "default"


def _form_data(latest) -> dict[str, Any]:
    if latest is None:
        return {"general_assumptions": str(GENERAL_ASSUMPTIONS)}
    return {name: getattr(latest, name) for name in engagements.FIELDS}


@bp.route("/patents/<id:patent_id>/engagement", methods=["GET", "POST"])
@login_required
def engagement(patent_id: int):
    """Write the engagement (a draft; a signed one is replaced by a new engagement)."""
    patent = catalogue_services.visible_record(Patent, patent_id, current_user)
    if not engagements.can_write(patent, current_user):
        abort(403)
    listing_type = _listing_type()
    latest = engagements.latest(patent.id, listing_type)
    form = EngagementForm() if request.method == "POST" else EngagementForm(data=_form_data(latest))
    if form.validate_on_submit():
        try:
            engagements.save(patent, listing_type, form.values(), current_user)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Engagement saved. An assessor can now sign it off."), "success")
            return redirect(
                url_for(".report", patent_id=patent.id, listing_type=listing_type) + "#engagement-h"
            )
    return render_template(
        "valuation/engagement.html", patent=patent, form=form, latest=latest, listing_type=listing_type
    ), (422 if form.errors else 200)


@bp.post("/patents/<id:patent_id>/engagement/sign")
@login_required
def sign_engagement(patent_id: int):
    """An assessor signs the current draft over the stored report figures."""
    patent = catalogue_services.visible_record(Patent, patent_id, current_user)
    if not engagements.can_sign(patent, current_user):
        abort(403)
    listing_type = _listing_type()
    draft = engagements.latest(patent.id, listing_type)
    back = url_for(".report", patent_id=patent.id, listing_type=listing_type) + "#engagement-h"
    form = SignForm()
    if draft is None or draft.is_signed:
        flash(_("There is no unsigned engagement to sign: write one first."), "error")
        return redirect(back)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(back)
    try:
        head = _stored_head(patent, listing_type)
        engagements.sign(
            draft, patent, head, current_user, form.signer_name.data.strip(), form.qualification.data.strip()
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back)
    db.session.commit()
    flash(_("Signed off. The engagement and the figures it covers can no longer change."), "success")
    return redirect(back)


def _stored_head(patent: Patent, listing_type: str):
    """The report's range as stored: a fresh valuation is stored first if the shown one was not."""
    rows = services.shown_valuation(patent, current_user, listing_type=listing_type)
    head = rows[0] if rows and rows[0].kind == ENSEMBLE_ROW else None
    if head is not None and head.id is None:
        services.value_patent(patent, current_user, listing_type=listing_type)
        db.session.flush()
        rows = services.current_rows(patent.id, listing_type)
        head = rows[0] if rows and rows[0].kind == ENSEMBLE_ROW else None
    return head


@bp.app_template_global("engagement_is_personal")
def engagement_is_personal(patent: Patent) -> bool:
    """Whether this viewer may write or sign the patent's engagement: then the report's engagement
    section is rendered for them; everyone else sees the same section (a shared fragment)."""
    return engagements.can_write(patent, current_user) or engagements.can_sign(patent, current_user)


@bp.app_template_global("engagement_view")
def engagement_view(
    patent: Patent, listing_type: str, head, *, current_hash: str | None = None
) -> dict[str, Any]:
    """What the report's engagement section shows: the engagement, who may act, whether the figures
    signed are still the report's (those of ``head``, or their fingerprint ``current_hash``)."""
    latest = engagements.latest(patent.id, listing_type)
    if head is not None and head.low is not None:
        current_hash = engagements.figures_hash(engagements.figures_of(head))
    can_sign = latest is not None and not latest.is_signed and engagements.can_sign(patent, current_user)
    return {
        "engagement": latest,
        "can_write": engagements.can_write(patent, current_user),
        "can_sign": can_sign,
        "sign_form": SignForm() if can_sign else None,  # a form costs more than the rest of the section
        "purpose": PURPOSE_LABELS,
        "basis": BASIS_LABELS,
        "status": STATUS_LABELS,
        "changed": bool(latest and latest.is_signed and current_hash and current_hash != latest.figures_hash),
    }
