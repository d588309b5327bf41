"""The assessors' AHP form for the CNIPA indicator weights, one dimension at a time, with the
entropy weights over the catalogue's data as a suggestion (registered on the valuation blueprint)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.errors import DomainError
from app.extensions import db
from app.valuation import engine, indicator_weights
from app.valuation.engine import EngineError
from app.valuation.engine.weighting import judgements_from_weights
from app.valuation.indicator_forms import field_name, indicator_form_class, judgement_text
from app.valuation.report import pick
from app.valuation.routes import assessor_required, bp
from app.valuation.services import today

DIMENSION_LABELS = {
    "legal": _l("Legal value indicators"),
    "technical": _l("Technical value indicators"),
    "economic": _l("Economic value indicators"),
}


@bp.route("/workbench/ahp/indicators", methods=["GET", "POST"])
@assessor_required
def ahp_indicators():
    """Pairwise judgements of one dimension's indicators; saved into the assessor's draft only when
    the consistency ratio is at most 0.10 (the draft still needs a second assessor's approval)."""
    dimension = request.values.get("dimension", "legal")
    if dimension not in indicator_weights.DIMENSIONS:
        dimension = "legal"
    leaves = indicator_weights.leaves(dimension)
    labels = [pick(leaf, "name") for leaf in leaves]
    suggestion, patents, flat = indicator_weights.entropy_suggestion(dimension, today())
    form_class = indicator_form_class(labels)
    start = None
    if request.method == "GET" and request.args.get("start") == "entropy":
        start = {
            field_name(i, j): judgement_text(v) for (i, j), v in judgements_from_weights(suggestion).items()
        }
    form = form_class(data=start) if start else form_class()
    result = worst = None
    if form.validate_on_submit():
        try:
            result = engine.ahp(form.matrix(), labels=labels)
        except engine.InconsistentMatrixError as error:
            worst = _(
                "Consistency ratio %(cr)s is above 0.10: revisit the judgement of %(a)s against %(b)s first.",
                cr=f"{error.cr:.3f}",
                a=error.labels[0],
                b=error.labels[1],
            )
        if result is not None and request.form.get("save"):
            note = form.reason.data or _(
                "AHP indicator weights (%(dimension)s), consistency ratio %(cr)s",
                dimension=DIMENSION_LABELS[dimension],
                cr=f"{result.cr:.3f}",
            )
            try:
                draft = indicator_weights.save_weights(dimension, result.weights, current_user, note)
            except (DomainError, EngineError) as error:
                db.session.rollback()
                flash(getattr(error, "message", str(error)), "error")
            else:
                db.session.commit()
                flash(
                    _(
                        "Saved into your draft v%(v)s: submit it for a second assessor's approval.",
                        v=draft.version,
                    ),
                    "success",
                )
                return redirect(url_for(".set_detail", set_id=draft.id))
    rows = [
        {
            "label": label,
            "current": current,
            "ahp": result.weights[i] if result else None,
            "entropy": suggestion[i],
            "flat": leaves[i].key in flat,
        }
        for i, (label, current) in enumerate(
            zip(labels, indicator_weights.current_weights(dimension), strict=True)
        )
    ]
    return render_template(
        "valuation/ahp_indicators.html",
        form=form,
        dimension=dimension,
        dimensions=DIMENSION_LABELS,
        rows=rows,
        result=result,
        worst=worst,
        patents=patents,
        started=bool(start),
    ), (422 if form.errors or worst else 200)
