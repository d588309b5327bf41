"""Pagination of select() queries for pages and the API."""

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from app.extensions import db


def page_argument(name: str = "page") -> int:
    """A page number from the query string; anything odd becomes page 1."""
    value = request.args.get(name, "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def paginate(query: Select, per_page: int | None = None) -> Pagination:
    per_page = per_page or current_app.config["ITEMS_PER_PAGE"]
    return db.paginate(query, page=page_argument(), per_page=per_page, error_out=False, count=True)
