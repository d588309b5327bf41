"""Messages of the pure catalogue layer: an English template plus parameters, translated later.

The parsing layer (numbers, classification, terms, importers) must not import Flask, yet its
reasons end up on Chinese pages. So each reason is a ``Message``: a template marked with ``N_``
(a no-op that ``pybabel extract -k N_`` collects) and the values to put into it. ``str()`` gives
the English text for logs and the command line; the web layer passes ``flask_babel.gettext`` to
``render`` for the reader's language. Parameters may themselves be Messages (a reason inside a
reason); both survive a JSON round trip, so stored import reports translate when they are read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Translate = Callable[[str], str]


def N_(template: str) -> str:  # noqa: N802  (the conventional name of the gettext no-op marker)
    """Mark a template for extraction without translating it here."""
    return template


@dataclass(frozen=True, slots=True)
class Message:
    """A template and its parameters (str, int or nested Message values)."""

    template: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Translate | None = None) -> str:
        """The text in the language ``translate`` returns, English without it."""
        text = translate(self.template) if translate else self.template
        if not self.params:
            return text
        return text % {key: _render(value, translate) for key, value in self.params.items()}

    def __str__(self) -> str:
        return self.render()

    def to_json(self) -> dict[str, Any]:
        """Plain data to store (import reports are kept as JSON)."""
        return {"template": self.template, "params": {k: _to_json(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str) -> Message:
        """Inverse of ``to_json``; a bare string becomes a Message without parameters."""
        if isinstance(data, str):
            return cls(data)
        params = {k: _from_json(v) for k, v in (data.get("params") or {}).items()}
        return cls(data.get("template") or "", params)


def message(template: str, **params: Any) -> Message:
    """Build a Message; values that are not text, numbers or Messages become text."""
    return Message(template, {k: _plain(v) for k, v in params.items()})


def as_message(reason: Message | str) -> Message:
    """Accept old callers that pass ready-made text."""
    return reason if isinstance(reason, Message) else Message(str(reason))


_LOCATIONS = {
    "line": N_("line %(n)s"),
    "document": N_("document %(n)s"),
    "record": N_("record %(n)s"),
    "row": N_("row %(n)s"),
}


def location_message(location: str) -> Message:
    """A RowError location ("line 3", "document 2", "record 4", "row 5", "file") as a Message."""
    if location == "file":
        return Message(N_("whole file"))
    match = re.fullmatch(r"(line|document|record|row) (\d+)", location)
    if match is None:
        return Message(location)
    return Message(_LOCATIONS[match[1]], {"n": int(match[2])})


def _plain(value: Any) -> Any:
    if isinstance(value, Message | str | int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, MessageError):
        return value.message
    return str(value)


def _render(value: Any, translate: Translate | None) -> Any:
    return value.render(translate) if isinstance(value, Message) else value


def _to_json(value: Any) -> Any:
    return value.to_json() if isinstance(value, Message) else value


def _from_json(value: Any) -> Any:
    return Message.from_json(value) if isinstance(value, dict) else value


class MessageError(ValueError):
    """A ValueError whose reason is a translatable Message; ``reason`` stays English text."""

    def __init__(self, reason: Message | str) -> None:
        self.message = as_message(reason)
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        return str(self.message)

    @property
    def template(self) -> str:
        return self.message.template

    @property
    def params(self) -> Mapping[str, Any]:
        return self.message.params


class FieldError(MessageError):
    """A MessageError that names the field to correct."""

    def __init__(self, field: str, reason: Message | str) -> None:
        self.field = field
        super().__init__(reason)
        self.args = (f"{field}: {self.reason}",)


def reason_of(exc: BaseException) -> Message:
    """The Message of any exception (plain text for those that carry none)."""
    full = getattr(exc, "full_message", None)  # InvalidClassification: the code and the reason
    if isinstance(full, Message):
        return full
    return exc.message if isinstance(exc, MessageError) else Message(str(exc))
