"""Cleaning of a need's alert settings, shared by the need form and the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from app.core.http import parse_bounded_int
from app.matching.alert_models import ALERT_FREQUENCIES, ALERT_IMMEDIATE, DEFAULT_ALERT_MIN_SCORE


def clean_alert_settings(data: Mapping[str, Any], errors: dict[str, str], *, partial: bool) -> dict[str, Any]:
    """``alert_min_score`` (1-100, percent) and ``alert_frequency``; bad values go to ``errors``."""
    out: dict[str, Any] = {}
    if "alert_min_score" in data or not partial:
        raw = data.get("alert_min_score")
        if raw is None or str(raw).strip() == "":
            out["alert_min_score"] = DEFAULT_ALERT_MIN_SCORE
        else:
            number = parse_bounded_int(str(raw).strip().rstrip("%"), 1, 100)
            if number is None:
                errors["alert_min_score"] = _("Enter a whole number from 1 to 100.")
            out["alert_min_score"] = number
    if "alert_frequency" in data or not partial:
        frequency = str(data.get("alert_frequency") or ALERT_IMMEDIATE)
        if frequency not in ALERT_FREQUENCIES:
            errors["alert_frequency"] = _("Choose how you want to hear about new matches.")
        out["alert_frequency"] = frequency
    return out
