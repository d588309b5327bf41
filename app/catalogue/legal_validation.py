"""Validate the legal facts an owner records on a patent: pledges, licences, events, documents.

Same contract as ``validation``: a plain dict in, the cleaned dict out, or ``ValidationFailed``
naming every bad field. Rules that need the patent's other facts (an open licence beside an
exclusive one) live in ``legal_services``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from app.catalogue.errors import ValidationFailed
from app.catalogue.models import DOCUMENT_KINDS, EVENT_TYPES, LICENCE_TYPES
from app.catalogue.validation import _Checker

_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def _required(c: _Checker, name: str, max_length: int) -> str | None:
    value = c.text(name, max_length)
    if not value:
        c.fail(name, _("This field is required."))
    return value


def _not_before(c: _Checker, later: str, earlier: str, message: str) -> None:
    start, end = c.out.get(earlier), c.out.get(later)
    if start and end and end < start:
        c.fail(later, message)


def _done(c: _Checker) -> dict[str, Any]:
    if c.errors:
        raise ValidationFailed(c.errors)
    return c.out


def validate_pledge(data: Mapping[str, Any]) -> dict[str, Any]:
    """Pledgee, secured amount with its currency, registration and release dates."""
    c = _Checker(data)
    c.out["pledgee"] = _required(c, "pledgee", 300)
    c.out["pledgor"] = c.text("pledgor", 300)
    c.out["registration_number"] = c.text("registration_number", 64)
    c.out["amount"], c.out["currency"] = c.money("amount", "currency")
    if c.out["amount"] is not None and c.out["amount"] == 0:
        c.fail("amount", _("Enter the secured amount, or leave it empty if it is not recorded."))
    if c.out["amount"] is None:
        c.out["currency"] = None
    c.out["registered_on"] = c.date("registered_on")
    c.out["released_on"] = c.date("released_on")
    if c.out["released_on"] and not c.out["registered_on"]:
        c.fail("registered_on", _("Enter the registration date of a released pledge."))
    _not_before(c, "released_on", "registered_on", _("A pledge cannot be released before it is registered."))
    return _done(c)


def validate_licence(data: Mapping[str, Any]) -> dict[str, Any]:
    """Licence type, licensee, field of use, territory and term."""
    c = _Checker(data)
    c.out["licence_type"] = c.choice("licence_type", LICENCE_TYPES)
    if not c.out["licence_type"]:
        c.fail("licence_type", _("Choose the type of licence."))
    c.out["licensee"] = c.text("licensee", 300)
    if c.out["licence_type"] in ("exclusive", "sole", "non_exclusive") and not c.out["licensee"]:
        c.fail("licensee", _("Name the licensee (only an open licence has none)."))
    c.out["field"] = c.text("field", 300)
    c.out["territory"] = c.text("territory", 200)
    c.out["recorded_on"] = c.date("recorded_on")
    c.out["until"] = c.date("until")
    _not_before(c, "until", "recorded_on", _("A licence cannot end before it is recorded."))
    return _done(c)


def validate_event(data: Mapping[str, Any]) -> dict[str, Any]:
    """A dated legal event, litigation or invalidation step."""
    c = _Checker(data)
    c.out["event_type"] = c.choice("event_type", EVENT_TYPES)
    if not c.out["event_type"]:
        c.fail("event_type", _("Choose what kind of event it is."))
    c.out["occurred_on"] = c.date("occurred_on")
    if not c.out["occurred_on"] and "occurred_on" not in c.errors:
        c.fail("occurred_on", _("Enter the date of the event."))
    c.out["summary"] = _required(c, "summary", 500)
    c.out["reference"] = c.text("reference", 100)
    c.out["outcome"] = c.text("outcome", 200)
    return _done(c)


def validate_document(data: Mapping[str, Any], has_file: bool) -> dict[str, Any]:
    """Title and kind, and exactly one of an uploaded file or an external http(s) link."""
    c = _Checker(data)
    c.out["title"] = _required(c, "title", 300)
    c.out["kind"] = c.choice("kind", DOCUMENT_KINDS, "other")
    url = c.text("url", 500)
    if url and not _URL.fullmatch(url):
        c.fail("url", _("Enter a link starting with http:// or https://."))
    if url and has_file:
        c.fail("url", _("Upload a file or give a link, not both."))
    if not url and not has_file:
        c.fail("file", _("Upload a file or give a link to the document."))
    c.out["url"] = url
    return _done(c)
