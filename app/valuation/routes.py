"""Valuation pages: the report per patent (and its print form), and the assessors' model workbench."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from app.accounts.permissions import is_assessor_or_admin, login_required, permission_required
from app.catalogue import services as catalogue_services
from app.catalogue.models import Patent
from app.core.errors import DomainError
from app.core.i18n import locale_code, pairs_text
from app.core.page_cache import versioned_memo
from app.extensions import db
from app.valuation import engine, income, paramsets, report_fx, services, states
from app.valuation.engine import EngineError, ParameterError
from app.valuation.forms import (
    CALIBRATION_LABELS,
    LISTING_LABELS,
    AhpForm,
    DecisionForm,
    IncomeInputForm,
    RejectForm,
    field_for_error,
    form_to_params,
    income_form_data,
    params_form_class,
    params_to_data,
)
from app.valuation.inputs import LISTING_TYPES
from app.valuation.models import BASELINE_ID, ENSEMBLE_ID
from app.valuation.report import LazyReport, build_report, lang, money_text, pick, svg
from app.valuation.weights import CALIBRATION_KEYS, CANDIDATES, SCORE_CANDIDATES

bp = Blueprint("valuation", __name__, url_prefix="/valuation")
assessor_required = permission_required(is_assessor_or_admin)


def status_label(status: str) -> str:
    return str(states.STATUS_LABELS.get(status, status))


def _actor():
    return current_user if current_user.is_authenticated else None


def _listing_type() -> str:
    wanted = request.args.get("listing_type", "default")
    return wanted if wanted in LISTING_TYPES else "default"


@bp.get("/patents/<id:patent_id>")
def report(patent_id: int):
    patent = catalogue_services.visible_record(Patent, patent_id, current_user)
    listing_type = _listing_type()
    actor = _actor()
    # The valuation and the income inputs are read only when the report's shared fragments are not
    # already rendered for this data version and day.
    return render_template(
        "valuation/report.html",
        patent=patent,
        report=LazyReport(
            lambda: services.shown_valuation(patent, actor, listing_type=listing_type),
            (patent.id, listing_type, services.today()),
        ),
        listing_type=listing_type,
        listing_label=LISTING_LABELS[listing_type],
        can_revalue=is_assessor_or_admin(current_user),
        can_enter_inputs=income.can_enter(patent, current_user),
        load_own_inputs=lambda: income.get_input(patent.id, listing_type),
        form=DecisionForm(),
    )


@bp.route("/patents/<id:patent_id>/inputs", methods=["GET", "POST"])
@login_required
def income_inputs(patent_id: int):
    """The owner's (or an assessor's) patent-specific income inputs; saving values the patent again."""
    patent = catalogue_services.visible_record(Patent, patent_id, current_user)
    if not income.can_enter(patent, current_user):
        abort(403)
    listing_type = _listing_type()
    record = income.get_input(patent.id, listing_type)
    form = IncomeInputForm() if request.method == "POST" else IncomeInputForm(data=income_form_data(record))
    if request.method == "GET":
        form.listing_type.data = listing_type
        if record is None:  # income is usually earned where the patent protects it
            form.currency.data = income.default_income_currency(patent)
    if form.validate_on_submit():
        chosen = form.listing_type.data
        try:
            income.save_input(patent, chosen, form.values(), current_user)
            services.value_patent(patent, current_user, listing_type=chosen)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Income inputs saved; the patent was valued again with them."), "success")
            return redirect(url_for(".report", patent_id=patent.id, listing_type=chosen))
    return render_template("valuation/inputs.html", patent=patent, form=form, record=record), (
        422 if form.errors else 200
    )


@bp.get("/patents/<id:patent_id>/print")
def print_report(patent_id: int):
    patent = catalogue_services.visible_record(Patent, patent_id, current_user)
    listing_type = _listing_type()
    rows = services.shown_valuation(patent, _actor(), listing_type=listing_type)
    return render_template(
        "valuation/print.html",
        patent=patent,
        report=build_report(rows),
        listing_label=LISTING_LABELS[listing_type],
    )


@bp.get("/patents/<id:patent_id>/charts/<name>.svg")
def chart(patent_id: int, name: str):
    """A report chart on its own, as image/svg+xml (for download and other pages)."""
    patent = catalogue_services.visible_record(Patent, patent_id, current_user)

    def draw() -> str | None:
        rep = build_report(services.shown_valuation(patent, _actor()))
        found = {"range": rep.range_chart, "components": rep.components_chart}
        for section in rep.sections:
            found |= {
                f"waterfall-{section.row.model_id}": section.waterfall,
                f"tornado-{section.row.model_id}": section.tornado,
                f"hist-{section.row.model_id}": section.histogram,
            }
        svg = found.get(name)
        return None if svg is None else str(svg)

    # Once the viewer may see the patent, its charts are the same for everyone: drawn once per data
    # version, language and day (the valuation counts the patent's remaining life from today).
    svg = versioned_memo("valuation.chart", (patent.id, name, locale_code(), services.today()), draw)
    if svg is None:
        abort(404)
    return Response(svg, mimetype="image/svg+xml")


@bp.post("/patents/<id:patent_id>/revalue")
@assessor_required
def revalue(patent_id: int):
    patent = catalogue_services.visible_record(Patent, patent_id, current_user)
    try:
        services.value_patent(patent, current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".report", patent_id=patent.id))
    db.session.commit()
    flash(_("The patent was valued again with the active models."), "success")
    return redirect(url_for(".report", patent_id=patent.id))


def valuation_summary(patent: Patent) -> Markup:
    """A small card for the patent page: the current range and a link to the report."""
    rows = services.current_rows(patent.id)
    head = rows[0] if rows and rows[0].kind == "ensemble" else None
    currency = report_fx.currency_view(head) if head is not None and head.low is not None else None
    html = render_template("valuation/_summary.html", patent=patent, head=head, currency=currency)
    return Markup(html)  # noqa: S704


# ---- workbench -------------------------------------------------------------------------------


def _model_name(model_id: str) -> str:
    if model_id == ENSEMBLE_ID:
        return _("Ensemble weights (fair value range)")
    if model_id == BASELINE_ID:
        return _("Baseline: median of the other deals of the same type")
    return pick(engine.get(model_id), "name")


@bp.get("/workbench")
@assessor_required
def workbench():
    active = paramsets.active_sets()
    models = [
        {
            "id": m.id,
            "name": pick(m, "name"),
            "kind": m.kind,
            "version": m.version,
            "active": active.get(m.id),
        }
        for m in engine.available()
    ]
    models.insert(
        0,
        {
            "id": ENSEMBLE_ID,
            "name": _model_name(ENSEMBLE_ID),
            "kind": "ensemble",
            "version": "",
            "active": active.get(ENSEMBLE_ID),
        },
    )
    return render_template(
        "valuation/workbench.html", models=models, pending=paramsets.pending_sets(), model_name=_model_name
    )


@bp.get("/workbench/models/<model_id>")
@assessor_required
def model_detail(model_id: str):
    if model_id not in paramsets.known_model_ids():
        abort(404)
    model = None if model_id == ENSEMBLE_ID else engine.get(model_id)
    return render_template(
        "valuation/model.html",
        model_id=model_id,
        model=model,
        name=_model_name(model_id),
        versions=paramsets.versions(model_id),
        form=DecisionForm(),
        lang=lang(),
    )


@bp.post("/workbench/models/<model_id>/drafts")
@assessor_required
def new_draft(model_id: str):
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        draft = paramsets.create_draft(model_id, current_user, form.reason.data or "")
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".workbench"))
    db.session.commit()
    flash(
        _("Draft v%(n)s created from the active version: edit it, preview, then submit.", n=draft.version),
        "success",
    )
    return redirect(url_for(".edit_set", set_id=draft.id))


def _grid(form) -> dict:
    """Ensemble form fields arranged as a model x listing-type table."""
    return {
        "rows": [(m, _model_name(m), [form[f"w__{lt}__{m}"] for lt in LISTING_TYPES]) for m in CANDIDATES],
        "columns": [LISTING_LABELS[lt] for lt in LISTING_TYPES],
        "calibrations": [
            (m, _model_name(m), [form[f"cal__{m}__{k}"] for k in CALIBRATION_KEYS]) for m in SCORE_CANDIDATES
        ],
        "calibration_labels": [CALIBRATION_LABELS[k] for k in CALIBRATION_KEYS],
    }


@bp.route("/workbench/sets/<id:set_id>/edit", methods=["GET", "POST"])
@assessor_required
def edit_set(set_id: int):
    ps = paramsets.get_set(set_id)
    if not ps.is_editable:
        flash(_("Only drafts can be edited; create a new draft instead."), "info")
        return redirect(url_for(".set_detail", set_id=ps.id))
    if not paramsets.can_edit(ps, current_user):
        abort(403)
    form_class = params_form_class(ps.model_id)
    form = (
        form_class()
        if request.method == "POST"
        else form_class(
            data=params_to_data(ps.model_id, paramsets.current_params(ps)) | {"reason": ps.reason}
        )
    )
    if form.validate_on_submit():
        raw, ok = form_to_params(ps.model_id, form)
        if ok:
            try:
                paramsets.update_draft(ps, raw, current_user, form.reason.data)
            except ParameterError as error:
                _field_errors(form, ps.model_id, error.messages(lang()))
            except DomainError as error:
                flash(error.message, "error")
            else:
                db.session.commit()
                flash(_("Draft saved. Preview its effect before you submit it."), "success")
                return redirect(url_for(".set_detail", set_id=ps.id))
        db.session.rollback()
    grid = _grid(form) if ps.model_id == ENSEMBLE_ID else None
    model = None if ps.model_id == ENSEMBLE_ID else engine.get(ps.model_id)
    return render_template(
        "valuation/edit.html", ps=ps, form=form, grid=grid, model=model, name=_model_name(ps.model_id)
    ), (422 if form.errors else 200)


def _field_errors(form, model_id: str, errors: dict[str, str]) -> None:
    for key, message in errors.items():
        name = field_for_error(model_id, key)
        target = form[name] if name in form else form.reason  # noqa: SIM401  (a Form has no .get)
        target.errors = [*target.errors, _("Not accepted (%(field)s): %(reason)s", field=key, reason=message)]


@bp.get("/workbench/sets/<id:set_id>")
@assessor_required
def set_detail(set_id: int):
    ps = paramsets.get_set(set_id)
    return render_template(
        "valuation/set.html",
        ps=ps,
        name=_model_name(ps.model_id),
        form=DecisionForm(),
        reject_form=RejectForm(),
        can_decide=ps.can_approve(current_user),
        can_edit=paramsets.can_edit(ps, current_user),
        can_withdraw=paramsets.can_withdraw(ps, current_user),
        actions=states.allowed_actions(ps.status),
    )


ACTIONS = {
    "submit": (paramsets.submit, _l("Submitted for approval by a second assessor.")),
    "withdraw": (paramsets.withdraw, _l("Withdrawn to draft.")),
    "approve": (paramsets.approve, _l("Approved: this version is now active.")),
    "reject": (paramsets.reject, _l("Rejected.")),
    "rollback": (paramsets.rollback, _l("Rollback submitted: a second assessor must approve it.")),
}


@bp.post("/workbench/sets/<id:set_id>/<action>")
@assessor_required
def act(set_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    ps = paramsets.get_set(set_id)
    form = RejectForm() if action == "reject" else DecisionForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for rejecting."), "error")
        return redirect(url_for(".set_detail", set_id=ps.id))
    verb, message = ACTIONS[action]
    try:
        result = verb(ps, current_user, form.reason.data or "")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".set_detail", set_id=ps.id))
    db.session.commit()
    if action == "approve":
        message = f"{message} {_revalue_after_approval()}"
    flash(str(message), "success")
    return redirect(url_for(".set_detail", set_id=result.id))


def _revalue_after_approval() -> str:
    """Every patent moves to the new version at once: inline, or as RQ jobs when Redis is configured."""
    from flask import current_app

    from app.valuation.batch import patent_ids, revalue

    ids = patent_ids()
    if current_app.config.get("REDIS_URL"):
        from app.valuation.jobs import enqueue_revalue

        enqueue_revalue(ids, current_user.id)
        return _("%(n)s patents are being revalued in the background.", n=len(ids))
    try:
        revalue(ids, services.load_config(), current_user.id)
    except (DomainError, EngineError):
        db.session.rollback()
        return _("Revaluation failed; run flask valuation revalue --all.")
    return _("%(n)s patents were revalued.", n=len(ids))


@bp.get("/workbench/sets/<id:set_id>/preview")
@assessor_required
def preview(set_id: int):
    from app.valuation.preview import preview as build_preview

    ps = paramsets.get_set(set_id)
    try:
        rows = build_preview(ps)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".set_detail", set_id=ps.id))
    return render_template("valuation/preview.html", ps=ps, rows=rows, name=_model_name(ps.model_id))


@bp.get("/workbench/backtest")
@assessor_required
def backtest():
    from app.valuation import charts
    from app.valuation.backtesting import run_backtest

    try:
        results = run_backtest()
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".workbench"))
    labels = {
        "x": _("Realised price"),
        "y": _("Predicted P50 (P10–P90 bar)"),
        "inside": _("Price inside P10–P90"),
        "outside": _("Price outside P10–P90"),
    }
    plots = {
        r.model_id: svg(
            charts.backtest_plot(
                f"bt-{r.model_id}",
                [(p.p10, p.p50, p.p90, p.price) for p in r.points],
                money_text,
                _model_name(r.model_id),
                labels,
                pairs_text,
            )
        )
        for r in results
        if r.points
    }
    baseline = next((r.stats.get("all") for r in results if r.model_id == BASELINE_ID), None)
    return render_template(
        "valuation/backtest.html",
        results=results,
        plots=plots,
        model_name=_model_name,
        baseline=baseline,
        group_labels=LISTING_LABELS,
    )


AHP_LABELS = (_l("Legal value (alpha)"), _l("Technical value (beta)"), _l("Economic value (gamma)"))


@bp.route("/workbench/ahp", methods=["GET", "POST"])
@assessor_required
def ahp():
    """Pairwise judgements for the CNIPA value degree's alpha, beta and gamma; saved only when the
    consistency ratio is at most 0.10, as a draft that still needs a second pair of eyes."""
    form = AhpForm()
    result = worst = None
    if form.validate_on_submit():
        labels = [str(x) for x in AHP_LABELS]
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
            active = paramsets.active_set("cnipa_pvd")
            params = dict(active.params if active else {})
            params |= dict(
                zip(("alpha", "beta", "gamma"), (round(w, 6) for w in result.weights), strict=True)
            )
            note = form.reason.data or _("AHP weights, consistency ratio %(cr)s", cr=f"{result.cr:.3f}")
            draft = paramsets.create_draft("cnipa_pvd", current_user, note, params=params)
            db.session.commit()
            flash(
                _("Draft created with the AHP weights: submit it for a second assessor's approval."),
                "success",
            )
            return redirect(url_for(".set_detail", set_id=draft.id))
    return render_template("valuation/ahp.html", form=form, result=result, worst=worst, labels=AHP_LABELS), (
        422 if form.errors or worst else 200
    )
