"""How a page runs one service call: commit it, or roll back and tell the user why it was refused."""

from collections.abc import Callable
from typing import TypeVar

from flask import flash

from app.core.errors import DomainError
from app.extensions import db

T = TypeVar("T")


def refusal_message(error: DomainError) -> str:
    """What a page says about a refused action: its field messages, else its message."""
    return " ".join(error.fields.values()) if error.fields else error.message


def commit_or_flash(action: Callable[[], T], success: str | None = None) -> T | bool:
    """Run one service call for a page and commit it; a refusal rolls back and flashes its reason.

    Returns the service's result (True when it returns nothing), or False when it was refused, so a
    view can branch on it. ``success`` is flashed after the commit; None leaves the message to the view.
    """
    try:
        result = action()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(refusal_message(error), "error")
        return False
    if success is not None:
        flash(success, "success")
    return True if result is None else result
