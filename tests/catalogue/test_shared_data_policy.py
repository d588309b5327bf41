"""Tests that need ../shared/data skip on a laptop without it but fail in CI, where they must run."""

from pathlib import Path

import pytest

from .conftest import require_shared

MISSING = Path("/nonexistent/shared/data/file.csv")


def test_missing_shared_data_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        require_shared(MISSING)


def test_missing_shared_data_skips_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_shared(MISSING)
