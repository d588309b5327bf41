"""ImportJob: one uploaded file imported in the background, with its progress and report."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.catalogue.records import RowError
from app.core.models import TimestampMixin, UTCDateTime
from app.extensions import db

QUEUED = "queued"  # stored and waiting for a worker
RUNNING = "running"  # a worker is reading or writing it
DONE = "done"  # finished: written, or refused row by row (see ``written`` and ``errors``)
FAILED = "failed"  # stopped by an unexpected error; nothing was written
JOB_STATUSES = (QUEUED, RUNNING, DONE, FAILED)
FINISHED = (DONE, FAILED)


class ImportJob(TimestampMixin, db.Model):
    __tablename__ = "import_jobs"
    __table_args__ = (
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in JOB_STATUSES)})", name="status"),
        CheckConstraint("documents_read >= 0 AND records_written >= 0", name="progress"),
        Index("ix_import_jobs_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # who uploaded
    file_name: Mapped[str] = mapped_column(String(300))  # as uploaded, shown in the report
    stored_path: Mapped[str] = mapped_column(String(500))  # relative to the instance folder
    requested_format: Mapped[str] = mapped_column(String(20))  # what the form asked for ("auto", ...)
    format: Mapped[str | None] = mapped_column(String(20))  # the importer that ran
    skip_bad: Mapped[bool] = mapped_column(default=False)  # False: all or nothing
    locale: Mapped[str] = mapped_column(String(10), default="zh")  # language of service messages
    status: Mapped[str] = mapped_column(String(10), default=QUEUED, index=True)
    documents_total: Mapped[int | None]  # estimated from the file before reading; None if unknown
    documents_read: Mapped[int] = mapped_column(default=0)
    records_written: Mapped[int] = mapped_column(default=0)  # progress of the write phase
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    unchanged_count: Mapped[int] = mapped_column(default=0)
    written: Mapped[bool] = mapped_column(default=False)  # records were committed
    # Row errors as RowError.to_json() dicts: template and params, translated when shown.
    errors: Mapped[list] = mapped_column(JSON, default=list)
    failure: Mapped[str | None] = mapped_column(String(500))  # why a FAILED job stopped (for the log)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def ok(self) -> bool:
        return self.status == DONE and not self.errors

    @property
    def row_errors(self) -> list[RowError]:
        return [RowError.from_json(item) for item in self.errors or []]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": self.created_count,
            "updated": self.updated_count,
            "unchanged": self.unchanged_count,
        }

    @property
    def percent(self) -> int | None:
        """Reading is the first half of the work, writing the second; None while unknown."""
        if self.finished:
            return 100
        if not self.documents_total:
            return None
        read = min(self.documents_read / self.documents_total, 1.0)
        write = min(self.records_written / self.documents_total, 1.0)
        return min(int(50 * read + 50 * write), 99)

    def can_view(self, user) -> bool:
        """The uploader and administrators."""
        from app.accounts.permissions import is_admin

        return bool(user and user.is_authenticated and (user.id == self.user_id or is_admin(user)))
