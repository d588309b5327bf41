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


def paginate(query: Select, per_page: int | None = None, page_arg: str = "page") -> Pagination:
    """One page of the query; ``page_arg`` names the query argument when a page has several lists."""
    per_page = per_page or current_app.config["ITEMS_PER_PAGE"]
    page = db.paginate(query, page=page_argument(page_arg), per_page=per_page, error_out=False, count=True)
    page.page_arg = page_arg  # the pagination macro's links change this argument
    return page
