"""The one rule for a bank transfer's reference, shared by every offline step an administrator records
(deal receipts and payouts, auction deposits, recipients' payouts): each raises its own field error."""

from __future__ import annotations

from flask_babel import gettext as _


def clean_bank_reference(value: str | None) -> str | None:
    """The reference as stored (trimmed), or None when it cannot be a bank's reference."""
    text = (value or "").strip()
    return text if 3 <= len(text) <= 120 else None


def bank_reference_message() -> str:
    return _("Enter the bank's reference for this transfer.")
