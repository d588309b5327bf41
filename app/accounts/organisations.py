"""Organisation verification: members upload the business licence and credit code, an admin reviews.

Licence files live under the instance folder, outside anything the web server serves, with random
names; their type is decided by their first bytes, never by the name or the browser's claim.
"""

import secrets
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _

from app.accounts.credit_code import is_valid_credit_code, normalise_credit_code
from app.accounts.models import Organisation, OrganisationReview, Role, User
from app.accounts.services import record_audit
from app.core.errors import Conflict, DomainError, PermissionDenied
from app.core.models import utcnow

LICENCE_FOLDER = "organisation_licences"
# Leading bytes of each accepted type: (content type, stored file suffix).
LICENCE_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


def licence_folder() -> Path:
    return Path(current_app.instance_path) / LICENCE_FOLDER


def licence_path(organisation: Organisation) -> Path | None:
    return licence_folder() / organisation.licence_file if organisation.licence_file else None


def _read_licence(stream: BinaryIO) -> tuple[bytes, str, str]:
    """The file's bytes, content type and suffix; refuses other types and oversized files."""
    limit = current_app.config["LICENCE_MAX_BYTES"]
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise DomainError(
            _("The licence file is too large."),
            {"licence": _("At most %(mb)d MB.", mb=limit // (1024 * 1024))},
        )
    for signature, content_type, suffix in LICENCE_SIGNATURES:
        if content.startswith(signature):
            return content, content_type, suffix
    raise DomainError(
        _("The licence must be a PDF, PNG or JPEG file."), {"licence": _("Upload a PDF, PNG or JPEG file.")}
    )


def clean_credit_code(text: str) -> str:
    code = normalise_credit_code(text or "")
    if not is_valid_credit_code(code):
        raise DomainError(
            _("The unified social credit code is not valid."),
            {
                "credit_code": _(
                    "Enter the 18 characters exactly as on the licence; the check digit does not match."
                )
            },
        )
    return code


def submit_papers(actor: User, organisation: Organisation, credit_code: str, upload, filename: str) -> None:
    """A member hands in the business licence and credit code; an administrator will review them."""
    if actor.organisation_id != organisation.id:
        raise PermissionDenied(_("Only members of the organisation can submit its papers."))
    if organisation.review_status == OrganisationReview.VERIFIED:
        raise Conflict(_("This organisation is already verified."))
    code = clean_credit_code(credit_code)
    content, content_type, suffix = _read_licence(upload)
    folder = licence_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{organisation.id}-{secrets.token_hex(12)}{suffix}"
    (folder / stored).write_bytes(content)
    previous = licence_path(organisation)
    organisation.credit_code = code
    organisation.licence_file = stored
    organisation.licence_filename = (Path(filename or "").name or f"licence{suffix}")[:200]
    organisation.licence_content_type = content_type
    organisation.licence_submitted_at = utcnow()
    organisation.review_status = OrganisationReview.SUBMITTED
    organisation.rejection_reason = None
    record_audit(actor, "organisation.submit", "organisation", organisation.id, credit_code=code)
    if previous is not None:
        previous.unlink(missing_ok=True)


def _require_admin(actor: User) -> None:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied(_("Only administrators can do that."))


def approve_organisation(actor: User, organisation: Organisation, note: str = "") -> None:
    """Give the verified badge."""
    _require_admin(actor)
    if organisation.review_status == OrganisationReview.VERIFIED:
        return
    organisation.review_status = OrganisationReview.VERIFIED
    organisation.verified_at = utcnow()
    organisation.rejection_reason = None
    record_audit(
        actor, "organisation.verify", "organisation", organisation.id, note=note, name=organisation.name
    )


def reject_organisation(actor: User, organisation: Organisation, reason: str) -> None:
    """Refuse the papers (or withdraw the badge) and tell the members why."""
    _require_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for the members."), {"reason": _("This field is required.")})
    action = "organisation.unverify" if organisation.is_verified else "organisation.reject"
    organisation.review_status = OrganisationReview.REJECTED
    organisation.verified_at = None
    organisation.rejection_reason = reason[:500]
    record_audit(actor, action, "organisation", organisation.id, reason=reason, name=organisation.name)
