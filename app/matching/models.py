"""Technology needs (技术需求) posted by buyers, and the sellers invited to private ones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.core.models import TimestampMixin, UTCDateTime, utcnow
from app.core.money import Money, positive_amount_check
from app.extensions import db
from app.matching import states


class Need(TimestampMixin, db.Model):
    __tablename__ = "needs"
    __table_args__ = (
        positive_amount_check("budget_min"),
        positive_amount_check("budget_max"),
        CheckConstraint(
            "budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max", name="budget_order"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=states.DRAFT, index=True)
    title_zh: Mapped[str | None] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    description_zh: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    codes: Mapped[list[str]] = mapped_column(JSON, default=list)  # normalised IPC/CPC codes
    rights: Mapped[list[str]] = mapped_column(JSON, default=list)  # wanted right types (market RIGHT_TYPES)
    territory: Mapped[str | None] = mapped_column(String(200))  # None: anywhere
    region: Mapped[str | None] = mapped_column(String(100))  # where the buyer operates (省/市)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    budget_min: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    budget_max: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    deadline: Mapped[dt.date | None] = mapped_column(Date)  # the need expires after this day
    is_private: Mapped[bool] = mapped_column(default=False)  # only the buyer, admins and invited sellers
    # Alerts (app/matching/alerts.py): the lowest match score, in percent, worth telling the buyer
    # about, and how: "immediate", "weekly" (one digest) or "off".
    alert_min_score: Mapped[int] = mapped_column(default=50, server_default="50")
    alert_frequency: Mapped[str] = mapped_column(String(10), default="immediate", server_default="immediate")

    buyer: Mapped[User] = relationship(foreign_keys=[buyer_id])
    invitations: Mapped[list[NeedInvitation]] = relationship(
        back_populates="need", cascade="all, delete-orphan"
    )

    @property
    def title(self) -> str:
        return self.title_zh or self.title_en or ""

    @property
    def text(self) -> str:
        """Everything the text strategy reads, both languages."""
        parts = (self.title_zh, self.title_en, self.description_zh, self.description_en)
        return "\n".join(p for p in parts if p)

    @property
    def budget_min_money(self) -> Money | None:
        return None if self.budget_min is None else Money(self.budget_min, self.currency)

    @property
    def budget_max_money(self) -> Money | None:
        return None if self.budget_max is None else Money(self.budget_max, self.currency)

    def invited(self, user: User) -> bool:
        return any(i.seller_id == user.id for i in self.invitations)


class NeedInvitation(db.Model):
    """A seller the buyer invited to see a private need."""

    __tablename__ = "need_invitations"
    __table_args__ = (UniqueConstraint("need_id", "seller_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    invited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # e.g. the listing it came from

    need: Mapped[Need] = relationship(back_populates="invitations")
    seller: Mapped[User] = relationship()
