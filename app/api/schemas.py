"""Schemas shared by API endpoints: the error body, the pagination envelope and money fields."""

from functools import cache

import marshmallow as ma
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import current_app

from app.core.money import Money
from app.core.pagination import MAX_PAGE


def schema_name(schema) -> str:
    """OpenAPI component names: the class name without "Schema"; partial variants get their own."""
    name = resolve_schema_cls(schema).__name__.removesuffix("Schema")
    if isinstance(schema, ma.Schema) and schema.partial:
        name += "Partial"
    return name


class FieldErrorSchema(ma.Schema):
    code = ma.fields.Integer(required=True, metadata={"description": "HTTP status code"})
    message = ma.fields.String(
        required=True, metadata={"description": "What was wrong, in the user's language"}
    )
    fields = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), metadata={"description": "Per-field messages"}
    )


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(FieldErrorSchema, required=True)


class PageArgsSchema(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=MAX_PAGE))
    per_page = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=100))


@cache
def envelope(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """A page of items: {items, page, per_page, total, pages}."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "page": ma.fields.Integer(required=True),
            "per_page": ma.fields.Integer(required=True),
            "total": ma.fields.Integer(required=True),
            "pages": ma.fields.Integer(required=True),
        },
        name=f"{item_schema.__name__.removesuffix('Schema')}PageSchema",
    )


def page_of(query, page: int, per_page: int) -> dict:
    """Run a select() for one page and wrap it in the envelope."""
    from app.extensions import db

    per_page = min(per_page, current_app.config["API_PAGE_SIZE_MAX"])
    result = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return {
        "items": list(result.items),
        "page": result.page,
        "per_page": result.per_page,
        "total": result.total or 0,
        "pages": result.pages,
    }


def money_field(amount_attr: str) -> ma.fields.Function:
    """An amount column with its row's ``currency`` as {"amount": "125000.00", "currency": "CNY"}; null when empty.

    The amount is a decimal string rounded to the currency's minor unit, never a float.
    """

    def read(row) -> dict | None:
        money = Money.of(getattr(row, amount_attr), row.currency)
        return money.quantized().to_json() if money else None

    return ma.fields.Function(
        read,
        metadata={"type": "object", "nullable": True, "example": {"amount": "500000.00", "currency": "CNY"}},
    )
