"""The web side of validation: a refused record as a DomainError whose messages are in the reader's language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

from app.catalogue.messages import Message, as_message
from app.catalogue.translation import translate
from app.catalogue.validation import InvalidFields
from app.core.errors import DomainError


class ValidationFailed(DomainError):
    """Field-level problems; ``fields`` holds each field's message for the reader, ``problems``
    the same as Messages, so an import report can store them and translate them when read."""

    status_code = 422

    def __init__(self, fields: Mapping[str, Message | str]) -> None:
        self.problems = {name: as_message(reason) for name, reason in fields.items()}
        super().__init__(
            _("Some fields are not valid."), {name: translate(m) for name, m in self.problems.items()}
        )


def checked(
    validate: Callable[[Mapping[str, Any]], dict[str, Any]], data: Mapping[str, Any]
) -> dict[str, Any]:
    """Run one of ``validation``'s functions, refusing as a DomainError the pages and the API show."""
    try:
        return validate(data)
    except InvalidFields as exc:
        raise ValidationFailed(exc.problems) from None
