"""The one clock the application reads: aware UTC, frozen and advanced by tests.

Deadlines, expiries and leases are all computed from ``clock.now()`` so tests can move time
instead of sleeping; models' default timestamps (``app.core.models.utcnow``) read it too.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    """Wall-clock time in UTC unless frozen; freezing applies to every thread of the process."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        frozen = self._frozen
        return frozen if frozen is not None else datetime.now(UTC)

    def freeze(self, at: datetime | None = None) -> datetime:
        """Stop time at ``at`` (aware) or at the current instant; returns the frozen time."""
        if at is not None and at.tzinfo is None:
            raise ValueError("freeze() needs an aware datetime")
        with self._lock:
            self._frozen = (at or datetime.now(UTC)).astimezone(UTC)
            return self._frozen

    def advance(self, delta: timedelta) -> datetime:
        """Move frozen time forward; only meaningful while frozen."""
        with self._lock:
            if self._frozen is None:
                raise RuntimeError("advance() needs a frozen clock")
            self._frozen += delta
            return self._frozen

    def unfreeze(self) -> None:
        with self._lock:
            self._frozen = None

    @property
    def frozen(self) -> bool:
        return self._frozen is not None


clock = Clock()
