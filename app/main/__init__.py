"""Public pages that belong to no single capability: home, health."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from app.main import routes  # noqa: E402, F401
