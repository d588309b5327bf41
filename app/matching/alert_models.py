"""Alerts sent to buyers, catalogue searches buyers saved, and the matching index's documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.models import UTCDateTime, utcnow
from app.extensions import db

# How a buyer hears about new matches of a need.
ALERT_IMMEDIATE = "immediate"  # one inbox message and e-mail per matching listing, after the commit
ALERT_WEEKLY = "weekly"  # collected, then one digest per week from the tick
ALERT_OFF = "off"  # matches show on the need's page only
ALERT_FREQUENCIES = (ALERT_IMMEDIATE, ALERT_WEEKLY, ALERT_OFF)
DEFAULT_ALERT_MIN_SCORE = 50  # percent of the best possible match score


class NeedAlert(db.Model):
    """A listing that matched a need above its buyer's threshold: at most one row per pair."""

    __tablename__ = "need_alerts"
    __table_args__ = (
        UniqueConstraint("need_id", "listing_id"),
        Index("ix_need_alerts_pending_digest", "buyer_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"))
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)  # percent, as the buyer's threshold
    # The engine's contributions (factor, points, reason key, params), rendered for each reader.
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    frequency: Mapped[str] = mapped_column(String(10))  # the need's setting when it matched
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # inbox message or digest
    digest_week: Mapped[str | None] = mapped_column(String(8))  # "2026-W49" once in a digest


class SavedSearch(db.Model):
    """A catalogue search a user named, to open again and to hear about new records matching it."""

    __tablename__ = "saved_searches"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The search page's query string arguments (q and the filters), as {name: [values]}.
    args: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    notify: Mapped[bool] = mapped_column(Boolean, default=True)  # tell the owner about new records
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # last run by the tick

    user: Mapped[User] = relationship()
    hits: Mapped[list[SavedSearchHit]] = relationship(
        back_populates="saved_search", cascade="all, delete-orphan", passive_deletes=True
    )


class SavedSearchHit(db.Model):
    """A record a saved search has already found: the owner hears about each record once."""

    __tablename__ = "saved_search_hits"
    __table_args__ = (UniqueConstraint("saved_search_id", "doc_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    saved_search_id: Mapped[int] = mapped_column(ForeignKey("saved_searches.id", ondelete="CASCADE"))
    doc_type: Mapped[str] = mapped_column(String(20))  # patent, project, expert
    record_id: Mapped[int] = mapped_column(Integer)
    baseline: Mapped[bool] = mapped_column(Boolean, default=False)  # found when saved: never notified
    found_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    saved_search: Mapped[SavedSearch] = relationship(back_populates="hits")


class MatchingDocument(db.Model):
    """One listing, patent or need as the matching index sees it: term counts and codes.

    Written in the transaction that changes the record (see ``app.matching.index``); workers
    read the rows changed since they last looked, so an edit counts at once without a rebuild.
    """

    __tablename__ = "matching_documents"
    __table_args__ = (
        UniqueConstraint("kind", "record_id"),
        Index("ix_matching_documents_changed", "kind", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # listing, patent, need
    record_id: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # matchable now (published / open)
    terms: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # index term -> count
    length: Mapped[int] = mapped_column(Integer, default=0)  # number of terms, for BM25
    codes: Mapped[list[str]] = mapped_column(JSON, default=list)  # IPC/CPC codes
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
