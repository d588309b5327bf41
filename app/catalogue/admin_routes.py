"""Moderation queue, the upload size message and export of search results."""

from __future__ import annotations

import csv
import io
import json

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.permissions import admin_required
from app.catalogue import queries, services
from app.catalogue.errors import ValidationFailed
from app.catalogue.forms import ImportForm, ModerationForm
from app.catalogue.importers.columns import PATENT_COLUMNS
from app.catalogue.models import Expert, InnovationProject, Patent
from app.catalogue.routes import bp
from app.core.errors import DomainError, error_response
from app.core.http import safe_redirect_target
from app.core.pagination import paginate
from app.core.spreadsheet import neutralise_formula
from app.extensions import db

MODELS = {"patent": Patent, "project": InnovationProject, "expert": Expert}
EXPORT_LIMIT = 10_000


@bp.get("/admin/moderation")
@admin_required
def moderation():
    record_type = request.args.get("type", "patent")
    model = MODELS.get(record_type) or abort(404)
    status = request.args.get("status", "all")
    query = select(model).order_by(model.updated_at.desc(), model.id.desc())
    if status in ("published", "hidden"):
        query = query.where(model.moderation_status == status)
    return render_template(
        "catalogue/moderation.html",
        page=paginate(query),
        record_type=record_type,
        status=status,
        form=ModerationForm(),
    )


@bp.post("/admin/moderation/<record_type>/<id:record_id>")
@admin_required
def moderate(record_type: str, record_id: int):
    model = MODELS.get(record_type) or abort(404)
    record = db.session.get(model, record_id) or abort(404)
    form = ModerationForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.moderate(record, current_user, form.action.data, form.reason.data)
        db.session.commit()
        flash(_("Hidden.") if form.action.data == "hide" else _("Published."), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(" ".join(exc.fields.values()) or exc.message, "error")
    back = url_for("catalogue.moderation", type=record_type)
    return redirect(safe_redirect_target(request.form.get("next"), back))


@bp.errorhandler(413)
def upload_too_large(error):
    """Say how big an upload may be instead of a bare error."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    message = _(
        "The file is larger than the %(mb)s MB limit. Split it into smaller files, or ask an "
        "administrator to import it with the command line.",
        mb=round(limit / 1024 / 1024),
    )
    if request.endpoint != "catalogue.import_upload":  # the upload form lives in import_routes
        return error_response(413, message)
    form = ImportForm(formdata=None)
    form.file.errors = [message]
    return render_template("catalogue/import.html", form=form, recent=[]), 413


def _cell(value: object) -> str:
    if isinstance(value, list | tuple):
        return neutralise_formula("; ".join(str(v) for v in value))
    return "" if value is None else neutralise_formula(str(value))


def export_row(patent: Patent) -> dict[str, object]:
    """A patent in the documented import columns, so an export re-imports unchanged."""
    values = services.patent_values(patent)
    values["ipc"], values["cpc"] = values.pop("ipc_codes"), values.pop("cpc_codes")
    return {column.name: values.get(column.name) for column in PATENT_COLUMNS}


def _export_patents() -> list[Patent]:
    """What the search page shows for these arguments (published patents), up to EXPORT_LIMIT."""
    found = queries.search_patents(request.args, page=1, per_page=EXPORT_LIMIT)
    if found.errors:
        raise ValidationFailed(found.errors)
    return found.patents


@bp.get("/catalogue/export")
def export():
    """The patents matching the search arguments, as CSV (default) or JSON in the import columns."""
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "json"):
        return error_response(400, _("Choose format=csv or format=json."))
    rows = [export_row(p) for p in _export_patents()]
    if fmt == "json":
        body = json.dumps(
            {"records": [{k: v for k, v in r.items() if v not in (None, [])} for r in rows]},
            ensure_ascii=False,
            default=str,
            indent=1,
        )
        return _download(body, "application/json", "json")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[c.name for c in PATENT_COLUMNS])
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return _download("\ufeff" + buffer.getvalue(), "text/csv", "csv")


def _download(body: str, mimetype: str, suffix: str) -> Response:
    # Werkzeug adds "; charset=utf-8" to text types itself; JSON is UTF-8 by definition.
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="ipex-patents.{suffix}"'
    return response
