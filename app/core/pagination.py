"""Pagination of select() queries for pages and the API."""

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from app.core.http import parse_bounded_int
from app.extensions import db

# Deeper pages are never useful to a person and only make the database skip rows.
MAX_PAGE = 10_000


def page_argument(name: str = "page") -> int:
    """A page number from the query string; anything odd or out of range becomes page 1."""
    return parse_bounded_int(request.args.get(name), 1, MAX_PAGE) or 1


def paginate(query: Select, per_page: int | None = None) -> Pagination:
    per_page = per_page or current_app.config["ITEMS_PER_PAGE"]
    return db.paginate(query, page=page_argument(), per_page=per_page, error_out=False, count=True)
