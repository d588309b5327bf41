"""URL converters: ids that the database can hold, so an absurd id is a 404 and never a 500."""

from flask import Flask
from werkzeug.routing import IntegerConverter

# Primary keys are `integer` columns: signed 32-bit on PostgreSQL (SQLite would take 64 bits). A
# larger number cannot be bound against them, so it can name no record.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<id:name>`: ASCII digits from 0 to 2**31 - 1; anything else does not match the route."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=False)


def register_converters(app: Flask) -> None:
    """Before any blueprint: routes name the converter in their rules."""
    app.url_map.converters["id"] = IdConverter
    # `<int:>` is bounded too, so a route written with the stock name cannot overflow the database either.
    app.url_map.converters["int"] = IdConverter
