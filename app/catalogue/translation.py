"""The web side of the pure layer's messages: translate them into the reader's language.

``messages.Message`` carries an English template marked with ``N_`` and its parameters; here
``flask_babel.gettext`` picks the translation, so import reports, form errors and API bodies
speak the page's language while logs and the command line keep English.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext

from app.catalogue.messages import Message, location_message, reason_of
from app.catalogue.records import RowError


def translate(item: Message | RowError | BaseException | str) -> str:
    """Any pure-layer reason in the current locale."""
    if isinstance(item, RowError):
        return item.render(gettext)
    if isinstance(item, BaseException):
        item = reason_of(item)
    if isinstance(item, Message):
        return item.render(gettext)
    return gettext(item)


def location_label(location: str) -> str:
    """ "line 3" / "document 2" / "record 4" / "file" in the current locale."""
    return location_message(location).render(gettext)


def init_translation(app: Flask) -> None:
    app.jinja_env.filters["reason"] = translate
    app.jinja_env.filters["row_location"] = location_label
