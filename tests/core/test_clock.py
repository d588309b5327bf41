"""The injectable clock: frozen and advanced by tests, read by model defaults."""

from datetime import UTC, datetime, timedelta

import pytest

from app.core.clock import Clock
from app.core.models import utcnow
from tests.conftest import FROZEN_AT


def test_frozen_clock_fixture_stops_and_advances_time(frozen_clock):
    assert frozen_clock.now() == FROZEN_AT
    assert utcnow() == FROZEN_AT  # model timestamps follow the clock
    frozen_clock.advance(timedelta(days=3))
    assert utcnow() == FROZEN_AT + timedelta(days=3)


def test_clock_is_aware_utc_and_refuses_naive_times():
    clock = Clock()
    assert clock.now().tzinfo is UTC
    with pytest.raises(ValueError, match="aware"):
        clock.freeze(datetime(2026, 1, 1))  # noqa: DTZ001  (the point of the test)
    with pytest.raises(RuntimeError):
        clock.advance(timedelta(seconds=1))
    clock.freeze(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.frozen
    clock.unfreeze()
    assert not clock.frozen
