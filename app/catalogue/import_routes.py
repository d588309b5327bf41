"""The upload page, import job pages ("my imports"), and the JSON status the progress script polls.

Uploading creates an ImportJob and starts it in the background (``import_jobs.start``); the job
page shows progress while it runs (a static script polls ``/status.json``; without JavaScript
the page refreshes itself) and the row-level report when it is done.
"""

from __future__ import annotations

from flask import Response, abort, jsonify, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import login_required, permission_required
from app.catalogue import import_jobs, import_templates, services
from app.catalogue.forms import ImportForm
from app.catalogue.import_models import ImportJob
from app.catalogue.importers import UnknownFormat
from app.catalogue.routes import bp
from app.extensions import db

can_import = permission_required(lambda user: user.is_authenticated and services.can_create_records(user))


@bp.route("/catalogue/import", methods=["GET", "POST"])
@can_import
def import_upload():
    form = ImportForm()
    recent = list(db.session.scalars(import_jobs.jobs_of(current_user, limit=5)))
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("catalogue/import.html", form=form, recent=recent), status
    upload = form.file.data
    try:
        job = import_jobs.create_job(
            current_user,
            upload.stream,
            upload.filename or "",
            fmt=form.format.data,
            skip_bad=bool(form.skip_bad.data),
            locale=str(get_locale() or "zh"),
        )
    except UnknownFormat as exc:
        db.session.rollback()
        form.format.errors = [str(exc)]
        return render_template("catalogue/import.html", form=form, recent=recent), 400
    finally:
        upload.close()  # large uploads are spooled to a temporary file
    db.session.commit()
    import_jobs.start(job)
    return redirect(url_for("catalogue.import_job", job_id=job.id))


@bp.get("/catalogue/import/columns")
def import_columns():
    """The documented columns of each record kind, with templates to download."""
    kinds = [
        (kind, import_templates.KIND_TITLES[kind], import_templates.column_help(kind))
        for kind in import_templates.KINDS
    ]
    return render_template("catalogue/import_columns.html", kinds=kinds)


TEMPLATE_TYPES = {
    "csv": ("text/csv; charset=utf-8", import_templates.csv_template),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        import_templates.xlsx_template,
    ),
}


@bp.get("/catalogue/import/template/<kind>.<extension>")
def import_template(kind: str, extension: str):
    if kind not in import_templates.KINDS or extension not in TEMPLATE_TYPES:
        abort(404)
    mimetype, build = TEMPLATE_TYPES[extension]
    response = Response(build(kind), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="ipex-{kind}s-template.{extension}"'
    return response


def _job_or_404(job_id: int) -> ImportJob:
    job = db.session.get(ImportJob, job_id)
    if job is None or not job.can_view(current_user):
        abort(404)
    return job


@bp.get("/catalogue/imports")
@login_required
def import_jobs_list():
    jobs = list(db.session.scalars(import_jobs.jobs_of(current_user, limit=100)))
    return render_template(
        "catalogue/import_jobs.html", jobs=jobs, can_import=services.can_create_records(current_user)
    )


@bp.get("/catalogue/imports/<id:job_id>")
@login_required
def import_job(job_id: int):
    job = _job_or_404(job_id)
    status = 422 if job.status == "done" and job.errors and not job.written else 200
    texts = {  # templates the progress script fills in (gettext without values leaves them raw)
        "known": _("%(read)s of about %(total)s documents read, %(written)s records written"),
        "unknown": _("%(read)s documents read, %(written)s records written"),
        "done": _("Finished: loading the report…"),
        "running": _("Importing"),
    }
    return render_template("catalogue/import_job.html", job=job, progress_texts=texts), status


@bp.get("/catalogue/imports/<id:job_id>/status.json")
@login_required
def import_job_status(job_id: int):
    job = _job_or_404(job_id)
    response = jsonify(import_jobs.status_json(job))
    response.headers["Cache-Control"] = "no-store"
    return response
