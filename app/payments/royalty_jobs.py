"""The royalty tick: reminders for reports and invoices due within a week or overdue."""

from __future__ import annotations

from datetime import timedelta

from app.core.actors import system_actor
from app.core.ticks import periodic
from app.extensions import db
from app.payments import royalties


@periodic("payments.royalties.remind", every=timedelta(hours=1))
def remind_royalties() -> int:
    """Idempotent: a reminder row per period and kind means a re-run sends nothing twice."""
    sent = royalties.remind_due(system_actor())
    db.session.commit()
    return sent
