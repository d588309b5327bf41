"""Administrators export the hash-chained audit log (CSV or JSON) with each entry's hashes."""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, abort, request

from app.accounts.permissions import admin_required
from app.core.audit_chain import canonical_json, iter_entries, verify_chain

bp = Blueprint("audit_log", __name__)
COLUMNS = (
    "seq",
    "created_at",
    "kind",
    "subject_type",
    "subject_id",
    "actor_id",
    "payload",
    "prev_hash",
    "hash",
    "stream",  # "" for the platform-wide chain; seq counts within the stream
)


def _row(entry) -> dict:
    return {
        "stream": entry.stream,
        "seq": entry.seq,
        "created_at": entry.created_at.isoformat(timespec="microseconds"),
        "kind": entry.kind,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "actor_id": entry.actor_id,
        "payload": entry.payload,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


@bp.get("/admin/audit-log/export")
@admin_required
def export():
    """The whole chain, oldest first; the JSON form also says whether it verifies."""
    fmt = request.args.get("format", "csv")
    if fmt == "json":
        broken = verify_chain()
        body = {
            "verified": broken is None,
            "first_broken": None
            if broken is None
            else {"stream": broken.stream, "seq": broken.seq, "reason": broken.reason},
            "entries": [_row(entry) for entry in iter_entries()],
        }
        return _download(json.dumps(body, ensure_ascii=False, indent=1), "application/json", "json")
    if fmt != "csv":
        abort(400)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for entry in iter_entries():
        writer.writerow({**_row(entry), "payload": canonical_json(entry.payload)})
    return _download("\ufeff" + buffer.getvalue(), "text/csv; charset=utf-8", "csv")


def _download(body: str, mimetype: str, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=ipex-audit-log.{extension}"
    return response
