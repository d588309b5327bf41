"""Marshmallow's built-in field messages in the reader's language.

API bodies and query strings are read by webargs/marshmallow, whose messages ("Missing data for
required field.") are English constants, some with values formatted in when a validator is built.
They are translated where the error answer is made, from this table: exact messages, then the
formatted ones by pattern. A message not listed here (our own, already translated) passes as it is.
"""

import re

from flask_babel import lazy_gettext as _l

_EXACT = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field may not be null."),
    "Unknown field.": _l("Unknown field."),
    "Invalid input type.": _l("The body must be a JSON object."),
    "Invalid type.": _l("This field must be a JSON object."),
    "Invalid value.": _l("This value is not valid."),
    "Invalid input.": _l("This value is not valid."),
    "Not a valid string.": _l('Send this value as a string, e.g. "125000.00".'),
    "Not a valid utf-8 string.": _l('Send this value as a string, e.g. "125000.00".'),
    "Not a valid integer.": _l("Enter a whole number."),
    "Not a valid number.": _l("Enter a number."),
    "Number too large.": _l("The number is too large."),
    "Special numeric values (nan or infinity) are not permitted.": _l("Enter a number."),
    "Not a valid boolean.": _l("Enter true or false."),
    "Not a valid date.": _l("Enter a date as YYYY-MM-DD."),
    "Not a valid datetime.": _l("Enter a date and time in ISO 8601, e.g. 2026-12-01T09:30:00+08:00."),
    "Not a valid list.": _l("This field must be a list."),
    "Not a valid mapping type.": _l("This field must be a JSON object."),
    "Not a valid email address.": _l("Enter a valid email address."),
    "Not a valid URL.": _l("Enter a valid URL."),
}

_LOW = r"(?P<low>-?[0-9][0-9.eE+-]*)"
_HIGH = r"(?P<high>-?[0-9][0-9.eE+-]*)"
_PATTERNS = [
    (re.compile(pattern + r"\.$"), text)
    for pattern, text in (
        (rf"Must be greater than or equal to {_LOW} and less than or equal to {_HIGH}",
         _l("Enter a value from %(low)s to %(high)s.")),
        (rf"Must be greater than or equal to {_LOW}", _l("Enter at least %(low)s.")),
        (rf"Must be greater than {_LOW}", _l("Enter more than %(low)s.")),
        (rf"Must be less than or equal to {_HIGH}", _l("Enter at most %(high)s.")),
        (rf"Must be less than {_HIGH}", _l("Enter less than %(high)s.")),
        (r"Length must be between (?P<low>[0-9]+) and (?P<high>[0-9]+)", _l("The length must be from %(low)s to %(high)s.")),
        (r"Shorter than minimum length (?P<low>[0-9]+)", _l("The length must be at least %(low)s.")),
        (r"Longer than maximum length (?P<high>[0-9]+)", _l("The length must be at most %(high)s.")),
        (r"Length must be (?P<equal>[0-9]+)", _l("The length must be %(equal)s.")),
        (r"Must be one of: (?P<choices>.+)", _l("Choose one of: %(choices)s.")),
    )
]  # fmt: skip


def translated(message: str) -> str:
    """A marshmallow message in the reader's language; any other message unchanged."""
    exact = _EXACT.get(message)
    if exact is not None:
        return str(exact)
    for pattern, text in _PATTERNS:
        found = pattern.match(message)
        if found:
            return str(text) % found.groupdict()
    return message
